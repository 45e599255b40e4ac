"""Coordinators keep commitments current: create, edit, end early or mark superseded.

Validation is the import's (``imports.validate_document`` on a one-commitment
document), so that the rules of a commitment exist once.
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
from .import_rules import validate_document

COMMITMENT_FIELDS = (
    "title",
    "valid_from",
    "valid_to",
    "until_superseded",
    "signed_on",
    "signatories",
)
PROMISE_FIELDS = ("area", "text", "owner", "activity", "yearly_target", "place_hint", "time_rule")


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
    if commitment is None or not may_manage(actor, commitment.municipality):
        return None
    return commitment


def snapshot(commitment: Commitment) -> dict[str, Any]:
    """The commitment and its promises as plain values, for the audit log and the form."""
    return {
        "key": commitment.key,
        "municipality": commitment.municipality.code,
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


def file_shape(data: dict) -> dict:
    """A commitment of the form as the import's version 1 file states it (its fields only)."""
    commitment = {k: data.get(k) for k in COMMITMENT_FIELDS if data.get(k) is not None}
    commitment["key"] = data.get("key")
    commitment["municipality"] = data.get("municipality") or ""
    commitment["promises"] = [
        {k: p.get(k) for k in ("key", *PROMISE_FIELDS) if k in p} for p in data["promises"]
    ]
    return commitment


def _promise_by_key(key: str) -> Promise | None:
    return db.session.scalar(select(Promise).where(Promise.key == key))


def check(actor: User, data: dict, editing: Commitment | None) -> list[Problem]:
    """Every problem of a commitment from the form: the import's rules, then scope and keys."""
    keys = [p.get("key") or "" for p in data["promises"]]
    doc = {"version": 1, "commitments": [file_shape(data)]}
    problems = from_import(validate_document(doc))
    municipality = db.session.scalar(
        select(Municipality).where(Municipality.code == (data.get("municipality") or ""))
    )
    if municipality is not None and not may_manage(actor, municipality):
        problems.append(Problem("municipality", _("är inte en kommun i ditt polisområde.")))
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
    municipality = db.session.scalar(
        select(Municipality).where(Municipality.code == (data.get("municipality") or ""))
    )
    fill_keys(data, municipality)
    problems = check(actor, data, editing)
    if problems:
        db.session.rollback()
        raise ProblemsError(problems)
    try:
        return _write(data, editing, municipality)
    except IntegrityError:
        # another save took the same key between our check and our write (PostgreSQL)
        db.session.rollback()
        message = _("sparades samtidigt av någon annan. Försök igen.")
        raise ProblemsError([Problem("key", message)]) from None


def _write(data: dict, editing: Commitment | None, municipality: Municipality) -> Commitment:
    """Store a checked commitment and its promises, recount, audit and commit."""
    before = snapshot(editing) if editing else None
    commitment = editing or Commitment(key=data["key"])
    commitment.municipality = municipality
    if not commitment.joint:
        commitment.municipalities = [municipality]
    for name in COMMITMENT_FIELDS:
        setattr(commitment, name, data.get(name))
    commitment.until_superseded = bool(data.get("until_superseded"))
    commitment.signatories = list(data.get("signatories") or [])
    db.session.add(commitment)
    db.session.flush()
    if editing is not None and data.get("remove"):
        _remove_promises(commitment, data["remove"])
    recount = _save_promises(commitment, data["promises"])
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
        promise = existing.get(row["key"])
        before = promise_snapshot(promise) if promise else None
        if promise is None:
            promise = Promise(key=row["key"], commitment_id=commitment.id)
            db.session.add(promise)
        promise.position = position
        for name in ("area", "text", "owner", "place_hint", "time_rule"):
            setattr(promise, name, row.get(name))
        activity = activities.get(row.get("activity") or "")
        promise.activity_type = activity
        from_year = row.get("target_from") or clock.today().year
        set_target_from(promise, commitment, from_year, row.get("yearly_target"), "year")
        db.session.flush()
        after = promise_snapshot(promise)
        if before is not None and before != after:
            if before["time_rule"] != after["time_rule"]:
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
    promise: Promise, commitment: Commitment, from_year: int, count: int | None, per: str
) -> None:
    """Rule 5: the target ``count`` per ``per`` (None: no target) applies from ``from_year``
    on; earlier years keep theirs. A year before the commitment's first counts as its first.
    A target equal to the one already in force that year changes nothing."""
    if per not in PERS:
        raise ValueError(f"per {per!r}")
    from_year = max(from_year, commitment.valid_from.year)
    current = promise.target_in(from_year)
    wanted = (count, per) if count else None
    if (None if current is None else (current.count, current.per)) == wanted:
        return
    kept = [t for t in promise.targets if t.from_year < from_year]
    if count:
        kept.append(PromiseTarget(from_year=from_year, count=count, per=per, each_place=False))
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
