"""The yearly follow-up: kept tallies grouped for the page and the report, and the coordinator's
word on promises without an activity (genomfört, pågår, ej påbörjat)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..database import begin_write
from ..extensions import db
from ..inputs import stored_text
from ..models import (
    FOLLOW_UP_STATES,
    Municipality,
    Promise,
    PromiseFollowUp,
    User,
    utcnow,
)
from ..rules.periods import calendar_year, named_period, periods_of_year
from ..rules.progress import part_of_year_gone
from . import audit, scope
from .commitments import commitments_during_year_for
from .tally_rows import yearly_rows

STATUS_ORDER = {"behind": 0, "missed": 1, "on_track": 2, "no_target": 3, "met": 4}
STATUS_WORDS = {
    "met": _l("Uppnått"),
    "on_track": _l("I fas"),
    "behind": _l("Efter plan"),
    "missed": _l("Inte uppnått"),
    "no_target": _l("Inget mål"),
}
STATE_WORDS = {
    "genomfort": _l("Genomfört"),
    "pagar": _l("Pågår"),
    "ej_paborjat": _l("Ej påbörjat"),
    None: _l("Ej angivet"),
}
TEXT_LIMIT = 500


class FollowUpError(Exception):
    """A refused follow-up: ``message`` names the field; ``status`` the HTTP answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def overview(
    municipalities: list[Municipality],
    year: int,
    today: dt.date,
    behind_first: bool = True,
    period: str | None = None,
) -> list[dict]:
    """Per municipality and commitment in force during ``year``: the counted promises from the
    kept tallies (behind first, or in the commitment's order) and the promises followed up in
    words with their state. With ``period`` (T1–T3, Q1–Q4, M01–M12) the counts cover it.
    Each counted row gains ``not_counted``, ``expected`` (the share of a yearly target due by
    today) and ``span_target`` (``target_of_span``).

    Raises ValueError for another ``period``.
    """
    rows = yearly_rows(municipalities, year, today, period)
    # A joint agreement gives one row per covered municipality: keyed by both.
    by_promise = {(r["municipality"], r["promise"]): r for r in rows}
    in_force = commitments_during_year_for(municipalities, year)
    words = qualitative_states(municipalities, year, in_force)
    found = []
    for m in municipalities:
        commitments = []
        for c in in_force[m.id]:
            counted = [
                by_promise[(m.code, p.key)] for p in c.promises if (m.code, p.key) in by_promise
            ]
            if behind_first:
                counted.sort(key=lambda r: STATUS_ORDER[r["status"]])
            for r in counted:
                r["not_counted"] = r["approved"] - r["counted"]
                target = r["yearly_target"]
                gone = part_of_year_gone(year, today, c.valid_from)
                r["expected"] = math.ceil(target * gone) if target and not period else None
                r["span_target"] = target_of_span(r, year, period)
            in_words = [w for w in (words.get(p.key) for p in c.promises) if w]
            commitments.append(
                {
                    "key": c.key,
                    "title": c.title,
                    "valid_from": c.valid_from,
                    "valid_to": c.valid_to,
                    "until_superseded": c.until_superseded,
                    "district": c.district,
                    "joint": c.joint,
                    "joint_names": sorted(x.name for x in c.municipalities),
                    "rows": counted,
                    "in_words": in_words,
                }
            )
        statuses = Counter(r["status"] for c in commitments for r in c["rows"])
        found.append(
            {"code": m.code, "name": m.name, "commitments": commitments, "statuses": statuses}
        )
    return found


def target_of_span(row: dict, year: int, period: str | None) -> int | None:
    """A row's target as one number for the year (or the asked period), to set against the
    count: a yearly target (for a period its share, rounded up, as the status judges it), or a
    weekly, monthly, quarterly or tertial target times its periods in the span (times the
    places when it holds for each place). None without a target, or for one over the whole
    validity of the agreement."""
    t = row.get("target")
    if not t or t["per"] == "period":
        return None
    asked = named_period(period, year) if period else None
    if t["per"] == "year":
        if asked is None:
            return int(t["count"])
        return math.ceil(t["count"] * asked.days / calendar_year(year).days)
    spans = periods_of_year(t["per"], year)
    if asked is not None:
        spans = [p for p in spans if p.within(asked)]
    places = len(row.get("places") or []) if t.get("each_place") else 1
    return int(t["count"]) * len(spans) * max(places, 1)


def qualitative_states(
    municipalities: list[Municipality], year: int, in_force: dict[int, list] | None = None
) -> dict[str, dict]:
    """The promises without an activity in force during ``year``, by key, with their state."""
    if in_force is None:
        in_force = commitments_during_year_for(municipalities, year)
    promises = [
        (m, c, p)
        for m in municipalities
        for c in in_force[m.id]
        for p in c.promises
        if p.activity_type is None
    ]
    ids = [p.id for _m, _c, p in promises]
    stored = (
        {
            f.promise_id: f
            for f in db.session.scalars(
                select(PromiseFollowUp).where(
                    PromiseFollowUp.promise_id.in_(ids), PromiseFollowUp.year == year
                )
            )
        }
        if ids
        else {}
    )
    found = {}
    for m, c, p in promises:
        f = stored.get(p.id)
        found[p.key] = {
            "municipality": m.code,
            "municipality_name": m.name,
            "commitment": c.key,
            "promise": p.key,
            "text": p.text,
            "area": p.area,
            "owner": p.owner,
            "state": f.state if f else None,
            "note": f.text if f else "",
            "updated_at": f.updated_at if f else None,
        }
    return found


def _insert():
    return postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert


def record_follow_up(user: User, promise_key: str, year: int | None, state: str, text: str) -> dict:
    """Store a coordinator's state and short text of a promise without an activity for a year."""
    begin_write()
    promise = db.session.scalar(select(Promise).where(Promise.key == (promise_key or "")))
    if promise is None or not scope.may_see_municipality(user, promise.commitment.municipality):
        raise FollowUpError(_("promise: okänt löfte."), 404)
    if promise.activity_type is not None:
        raise FollowUpError(_("promise: löftet räknas med poster och följs inte upp i ord."))
    if year is None:
        raise FollowUpError(_("year: ett årtal, till exempel 2025."))
    if promise.key not in qualitative_states([promise.commitment.municipality], year):
        raise FollowUpError(_("year: löftet gällde inte det året."))
    if state not in FOLLOW_UP_STATES:
        raise FollowUpError(_("state: välj genomfört, pågår eller ej påbörjat."))
    text = stored_text((text or "").strip())
    if text is None:
        raise FollowUpError(_("text: innehåller otillåtna tecken (styrtecken)."))
    if len(text) > TEXT_LIMIT:
        raise FollowUpError(_("text: högst %(n)d tecken.", n=TEXT_LIMIT))
    old = db.session.scalar(
        select(PromiseFollowUp).where(
            PromiseFollowUp.promise_id == promise.id, PromiseFollowUp.year == year
        )
    )
    before = {"state": old.state, "text": old.text} if old else None
    values = {"state": state, "text": text, "updated_by_id": user.id, "updated_at": utcnow()}
    stmt = _insert()(PromiseFollowUp).values(promise_id=promise.id, year=year, **values)
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[PromiseFollowUp.promise_id, PromiseFollowUp.year], set_=values
        )
    )
    after = {"year": year, "state": state, "text": text}
    audit.record(
        "follow_up.recorded",
        "promise",
        promise.key,
        before=before,
        after=after,
        actor=user,
        police_area_id=promise.commitment.municipality.police_area_id,
    )
    db.session.commit()
    return after
