"""Coordinators keep commitments current: create, edit, end early or mark superseded.

Validation is the import's (``import_rules.validate_document`` on a one-commitment
document of format version 2), so that the rules of a commitment exist once. A
changed target applies from a chosen year on; earlier years keep theirs (rule 5).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import clock
from ..database import begin_write
from ..extensions import db
from ..models import (
    ActivityType,
    Commitment,
    Entry,
    Municipality,
    Promise,
    PromiseFollowUp,
    PromiseTarget,
    Tally,
    User,
)
from ..rules.periods import PERS
from . import audit, scope, tallies
from .admin_problems import Problem, ProblemsError, from_import
from .import_rules import FileProblem, validate_document

COMMITMENT_FIELDS = (
    "title",
    "valid_from",
    "valid_to",
    "until_superseded",
    "signed_on",
    "signatories",
)
PROMISE_FIELDS = ("area", "text", "owner", "activity", "place_hint", "time_rule")
# The import's fields (Version 2) as the commitment form names them.
FORM_FIELDS = {
    "municipalities": "municipality",
    "target": "target_count",
    "target.count": "target_count",
    "target.per": "target_per",
    "target.each_place": "each_place",
    "target.from_year": "target_from",
}


def may_manage(actor: User, municipality: Municipality) -> bool:
    """Whether ``actor`` may change the commitments of ``municipality`` (own area; admins all)."""
    return actor.role in scope.MANAGERS and scope.may_see_municipality(actor, municipality)


def managed_municipalities(actor: User) -> list[Municipality]:
    """The municipalities whose commitments ``actor`` manages, by name."""
    return scope.visible_municipalities(actor) if actor.role in scope.MANAGERS else []


def scoped_commitment(actor: User, commitment_id: int) -> Commitment | None:
    """The commitment with that id if ``actor`` manages it, else None (a 404 to the caller)."""
    commitment = db.session.scalar(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(selectinload(Commitment.promises).selectinload(Promise.activity_type))
    )
    if commitment is None or not all(may_manage(actor, m) for m in covered(commitment)):
        return None
    return commitment


def covered(commitment: Commitment) -> list[Municipality]:
    """The municipalities a commitment covers (its own one when the list is not stored yet)."""
    return list(commitment.municipalities) or [commitment.municipality]


def snapshot(commitment: Commitment) -> dict[str, Any]:
    """The commitment and its promises as plain values, for the audit log and the form."""
    return {
        "key": commitment.key,
        "municipality": commitment.municipality.code,
        "municipalities": [m.code for m in covered(commitment)],
        "district": commitment.district,
        "title": commitment.title,
        "valid_from": commitment.valid_from.isoformat(),
        "valid_to": commitment.valid_to.isoformat(),
        "until_superseded": commitment.until_superseded,
        "signed_on": commitment.signed_on.isoformat() if commitment.signed_on else None,
        "signatories": list(commitment.signatories or []),
        "promises": [promise_snapshot(p) for p in commitment.promises],
    }


def promise_snapshot(p: Promise) -> dict[str, Any]:
    """One promise as plain values."""
    return {
        "key": p.key,
        "area": p.area,
        "text": p.text,
        "owner": p.owner,
        "activity": p.activity_type.code if p.activity_type else None,
        "yearly_target": p.yearly_target_in(clock.today().year),
        "targets": [[t.from_year, t.count, t.per, t.each_place] for t in p.targets],
        "place_hint": p.place_hint,
        "places": list(p.places or []),
        "time_rule": p.time_rule,
    }


def _slug(text: str) -> str:
    table = str.maketrans("åäöéü", "aaoeu")
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-") or "x"


def fill_keys(data: dict, municipality: Municipality | None) -> None:
    """Give a new commitment and new promises keys when left empty (municipality-years, key-n)."""
    if not data.get("key") and municipality and data.get("valid_from") and data.get("valid_to"):
        data["key"] = (
            f"{_slug(municipality.name)}-{data['valid_from'].year}-{data['valid_to'].year}"
        )
    taken = {p["key"] for p in data["promises"] if p.get("key")}
    n = 0
    for p in data["promises"]:
        while not p.get("key") and data.get("key"):
            n += 1
            candidate = f"{data['key']}-{n}"
            if candidate not in taken and not _promise_by_key(candidate):
                p["key"] = candidate
                taken.add(candidate)


def last_target_year(valid_to: dt.date | None, until_superseded: bool) -> int | None:
    """The last year a changed target may apply from: the commitment's last year, or, for
    one that stays in force until superseded, the current year when that is later."""
    if valid_to is None:
        return None
    return max(valid_to.year, clock.today().year) if until_superseded else valid_to.year


def shown_year(
    valid_from: dt.date | None, valid_to: dt.date | None, until_superseded: bool = False
) -> int:
    """The year whose target the form shows and from which a change applies by default:
    the current year (rule 5), moved into the years the commitment is in force."""
    year = clock.today().year
    if valid_from is not None:
        year = max(year, valid_from.year)
    last = last_target_year(valid_to, until_superseded)
    if last is not None and valid_from is not None and valid_to >= valid_from:
        year = min(year, last)
    return year


def target_change(
    row: dict,
    promise: Promise | None,
    start: dt.date | None,
    end: dt.date | None,
    until_superseded: bool = False,
) -> int | None:
    """The year a row's target applies from when it changes the stored one, else None.

    A new promise's target applies from the commitment's first year unless the row names
    a year; a year before the first counts as the first (``set_target_from``)."""
    wanted = _wanted(row)
    year = row.get("target_from")
    if promise is None:
        year = year or (start.year if start else None)
    else:
        year = year or shown_year(start, end, until_superseded)
    if year is None:
        return None
    if start is not None:
        year = max(year, start.year)
    current = promise.target_in(year) if promise is not None else None
    stored = None if current is None else (current.count, current.per, current.each_place)
    return None if stored == wanted else year


def _wanted(row: dict) -> tuple[int, str, bool] | None:
    count = row.get("target_count")
    if not count:
        return None
    return count, row.get("target_per") or "year", bool(row.get("each_place"))


def _file_target(row: dict, changed_from: int | None, start: dt.date | None, end: dt.date | None):
    """A row's target as a version 2 file states it. A change from a later year than the
    first is stated as a list, so that the import's rules judge it; a year after the last
    (allowed while a commitment stays in force until superseded, ``_target_years``) is
    stated as the last."""
    count = row.get("target_count")
    if count is None:
        return None
    target = {"count": count, "per": row.get("target_per") or "year"}
    if row.get("each_place"):
        target["each_place"] = True
    if changed_from is None or start is None or changed_from <= start.year:
        return target
    if end is not None and changed_from > end.year:
        return target  # the year itself is judged by _target_years
    return [{**target, "from_year": start.year}, {**target, "from_year": changed_from}]


def file_shape(data: dict) -> dict:
    """A commitment of the form as the import's version 2 file states it (its fields only)."""
    commitment = {k: data.get(k) for k in COMMITMENT_FIELDS if data.get(k) is not None}
    commitment["key"] = data.get("key")
    commitment["municipalities"] = list(data.get("municipalities") or [])
    if data.get("district"):
        commitment["district"] = data["district"]
    start = data.get("valid_from")
    promises = []
    for p in data["promises"]:
        item = {k: p.get(k) for k in ("key", *PROMISE_FIELDS) if k in p}
        if p.get("places"):
            item["places"] = list(p["places"])
        stored = _promise_by_key(p["key"]) if p.get("key") else None
        until = bool(data.get("until_superseded"))
        changed = target_change(p, stored, start, data.get("valid_to"), until)
        target = _file_target(p, changed, start, data.get("valid_to"))
        if target is not None:
            item["target"] = target
        promises.append(item)
    commitment["promises"] = promises
    return commitment


def _promise_by_key(key: str) -> Promise | None:
    return db.session.scalar(select(Promise).where(Promise.key == key))


def _municipalities(data: dict) -> list[Municipality]:
    codes = list(data.get("municipalities") or [])
    found = {
        m.code: m
        for m in db.session.scalars(select(Municipality).where(Municipality.code.in_(codes)))
    }
    return [found[c] for c in codes if c in found]


def check(actor: User, data: dict, editing: Commitment | None) -> list[Problem]:
    """Every problem of a commitment from the form: the import's rules, then scope and keys."""
    keys = [p.get("key") or "" for p in data["promises"]]
    doc = {"version": 2, "commitments": [file_shape(data)]}
    problems = from_import(validate_document(doc), FORM_FIELDS)
    municipalities = _municipalities(data)
    if any(not may_manage(actor, m) for m in municipalities):
        problems.append(Problem("municipality", _("är inte en kommun i ditt polisområde.")))
    if editing is not None:
        problems += _entries_elsewhere(editing, municipalities)
    problems += _target_years(data)
    if editing is None and data.get("key"):
        if db.session.scalar(select(Commitment.id).where(Commitment.key == data["key"])):
            problems.append(Problem("key", _("används redan av ett annat medborgarlöfte.")))
    for row, key in enumerate(keys):
        found = _promise_by_key(key) if key else None
        if found is not None and (editing is None or found.commitment_id != editing.id):
            problems.append(
                Problem("key", _("används redan i %(key)s.", key=found.commitment.key), row)
            )
    for j, key in enumerate(data.get("remove") or []):
        found = _promise_by_key(key)
        if found is None or editing is None or found.commitment_id != editing.id:
            continue
        n = db.session.scalar(select(func.count(Entry.id)).where(Entry.promise_id == found.id))
        if n:
            message = ngettext(
                "har %(num)d post och kan inte tas bort.",
                "har %(num)d poster och kan inte tas bort.",
                n,
            )
            problems.append(Problem("remove", message, len(keys) + j))
    return problems


def _entries_elsewhere(editing: Commitment, municipalities: list[Municipality]) -> list[Problem]:
    """A municipality left out of an agreement must have no entries of its promises."""
    ids = [m.id for m in municipalities]
    if not ids:
        return []
    names = db.session.scalars(
        select(Municipality.name)
        .join(Entry, Entry.municipality_id == Municipality.id)
        .join(Promise, Promise.id == Entry.promise_id)
        .where(Promise.commitment_id == editing.id, Entry.municipality_id.not_in(ids))
        .distinct()
    ).all()
    if not names:
        return []
    message = _("%(names)s har loggade poster och måste vara kvar.", names=", ".join(names))
    return [Problem("municipality", message)]


def _target_years(data: dict) -> list[Problem]:
    """A changed target from a year after the last it may apply from (``last_target_year``):
    the import's from_year rule, judged here (a file cannot state "no target from Y", nor a
    year after valid_to's for a commitment in force until superseded)."""
    end = data.get("valid_to")
    until = bool(data.get("until_superseded"))
    last = last_target_year(end, until)
    problems = []
    for row, p in enumerate(data["promises"]):
        stored = _promise_by_key(p["key"]) if p.get("key") else None
        year = target_change(p, stored, data.get("valid_from"), end, until)
        if year and last is not None and year > last:
            problem = FileProblem("from_year", "target.from_year", promise_index=row)
            problems += from_import([problem], FORM_FIELDS)
    return problems


def _remove_promises(commitment: Commitment, keys: list[str]) -> None:
    """Delete promises without entries from the commitment, with their tallies; audited."""
    for promise in [p for p in commitment.promises if p.key in keys]:
        before = promise_snapshot(promise)
        db.session.execute(delete(Tally).where(Tally.promise_id == promise.id))
        db.session.execute(delete(PromiseFollowUp).where(PromiseFollowUp.promise_id == promise.id))
        audit.record(
            "promise.removed",
            "promise",
            promise.id,
            before=before,
            police_area_id=commitment.municipality.police_area_id,
        )
        db.session.delete(promise)
    db.session.flush()
    db.session.expire(commitment, ["promises"])


def save(actor: User, data: dict, commitment_id: int | None = None) -> Commitment:
    """Create (no id) or change a commitment and its promises whole, audited; tallies follow."""
    begin_write()
    editing = None
    if commitment_id is not None:
        editing = scoped_commitment(actor, commitment_id)
        if editing is None:
            db.session.rollback()
            raise LookupError(commitment_id)
        data["key"] = editing.key  # a commitment's key is its identity
    municipalities = _municipalities(data)
    if editing is not None and editing.municipality in municipalities:
        # the agreement's first municipality stays first
        municipalities.remove(editing.municipality)
        municipalities.insert(0, editing.municipality)
    fill_keys(data, municipalities[0] if municipalities else None)
    problems = check(actor, data, editing)
    if problems:
        db.session.rollback()
        raise ProblemsError(problems)
    try:
        return _write(data, editing, municipalities)
    except IntegrityError:
        # another save took the same key between our check and our write (PostgreSQL)
        db.session.rollback()
        message = _("sparades samtidigt av någon annan. Försök igen.")
        raise ProblemsError([Problem("key", message)]) from None


def _write(
    data: dict, editing: Commitment | None, municipalities: list[Municipality]
) -> Commitment:
    """Store a checked commitment and its promises, recount, audit and commit."""
    before = snapshot(editing) if editing else None
    commitment = editing or Commitment(key=data["key"])
    municipality = municipalities[0]
    moved = editing is not None and {m.id for m in covered(editing)} != {
        m.id for m in municipalities
    }
    commitment.municipality = municipality
    commitment.municipalities = list(municipalities)
    commitment.district = data.get("district") or None
    for name in COMMITMENT_FIELDS:
        setattr(commitment, name, data.get(name))
    commitment.until_superseded = bool(data.get("until_superseded"))
    commitment.signatories = list(data.get("signatories") or [])
    db.session.add(commitment)
    db.session.flush()
    if editing is not None and data.get("remove"):
        _remove_promises(commitment, data["remove"])
    recount = _save_promises(commitment, data["promises"])
    if moved:  # a joint agreement counts its municipalities jointly
        recount |= {p.id for p in commitment.promises}
    db.session.flush()
    db.session.refresh(commitment)
    if recount:
        tallies.rebuild(recount)
    after = snapshot(commitment)
    if after != before:  # a form saved unchanged leaves no audit event
        after["entries_outside_period"] = entries_outside(commitment)
        audit.record(
            "commitment.changed" if editing else "commitment.created",
            "commitment",
            commitment.id,
            before=before,
            after=after,
            police_area_id=municipality.police_area_id,
        )
    db.session.commit()
    return commitment


def _save_promises(commitment: Commitment, rows: list[dict]) -> set[int]:
    """Create or update each promise row in order; the ids whose counting rules changed."""
    activities = {a.code: a for a in db.session.scalars(select(ActivityType))}
    existing = {p.key: p for p in commitment.promises}
    recount = set()
    for position, row in enumerate(rows):
        promise = stored = existing.get(row["key"])
        before = promise_snapshot(promise) if promise else None
        if promise is None:
            promise = Promise(key=row["key"], commitment_id=commitment.id)
            db.session.add(promise)
        promise.position = position
        for name in ("area", "text", "owner", "place_hint", "time_rule"):
            setattr(promise, name, row.get(name))
        promise.places = list(row.get("places") or [])
        activity = activities.get(row.get("activity") or "")
        promise.activity_type = activity
        year = target_change(
            row, stored, commitment.valid_from, commitment.valid_to, commitment.until_superseded
        )
        if year is not None:
            count = row.get("target_count")
            per = row.get("target_per") or "year"
            set_target_from(promise, commitment, year, count, per, bool(row.get("each_place")))
        db.session.flush()
        after = promise_snapshot(promise)
        if before is not None and before != after:
            if (before["time_rule"], before["places"]) != (after["time_rule"], after["places"]):
                recount.add(promise.id)
            audit.record(
                "promise.changed",
                "promise",
                promise.id,
                before=before,
                after=after,
                police_area_id=commitment.municipality.police_area_id,
            )
    return recount


def set_target_from(
    promise: Promise,
    commitment: Commitment,
    from_year: int,
    count: int | None,
    per: str,
    each_place: bool = False,
) -> None:
    """Rule 5: the target ``count`` per ``per`` (None: no target) applies from ``from_year``
    on; earlier years keep theirs. A year before the commitment's first counts as its first.
    A target equal to the one already in force that year changes nothing."""
    if per not in PERS:
        raise ValueError(f"per {per!r}")
    from_year = max(from_year, commitment.valid_from.year)
    current = promise.target_in(from_year)
    wanted = (count, per, each_place) if count else None
    stored = None if current is None else (current.count, current.per, current.each_place)
    if stored == wanted:
        return
    kept = [t for t in promise.targets if t.from_year < from_year]
    if count:
        kept.append(PromiseTarget(from_year=from_year, count=count, per=per, each_place=each_place))
    promise.targets = kept


def entries_outside(commitment: Commitment) -> int:
    """How many entries of its promises started outside its period (they keep their promise)."""
    if commitment.until_superseded:
        return 0
    zone = ZoneInfo(current_app.config["FIELDLOG_TIMEZONE"])
    day_after = dt.datetime.combine(commitment.valid_to + dt.timedelta(days=1), dt.time(), zone)
    before = dt.datetime.combine(commitment.valid_from, dt.time(), zone)
    return (
        db.session.scalar(
            select(func.count(Entry.id))
            .join(Promise, Promise.id == Entry.promise_id)
            .where(Promise.commitment_id == commitment.id, Entry.status != "withdrawn")
            .where((Entry.started_at >= day_after) | (Entry.started_at < before))
        )
        or 0
    )
