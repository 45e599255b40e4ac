"""Retention: old entries lose their personal data and keep what is counted.

An entry whose start lies before the cut-off day (local time) loses its
author, reviewer, place, position, notes and review comment (a place
chosen from its promise's places list stays: it is part of the agreement,
public, and what the per-place counts are kept by); its promise,
times, status, officers and metrics stay, so counts, tallies and outcomes do
not move. Its content hash is made anew from what is left, so that nothing
derived from the removed words remains. The audit log is not touched: it is
append-only (README, "Backups, audit and retention").
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, bindparam, func, not_, or_, select, update

from ..database import begin_write
from ..extensions import db
from ..models import Entry, Municipality, Promise, commitment_municipality, utcnow
from . import audit, tallies
from .validation import content_hash

PERSONAL = ("author_id", "reviewer_id", "place", "lat", "lon", "notes", "review_comment")


def default_cutoff(today: dt.date, years: int) -> dt.date:
    """The default cut-off: 1 January ``years`` years back (that many whole years stay whole)."""
    return dt.date(today.year - years, 1, 1)


def parse_years(raw: object) -> int | None:
    """FIELDLOG_RETENTION_YEARS as a whole number of years ≥ 1; None when it is not one."""
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        return None
    return int(text)


def remove_personal_data(before: dt.date, batch: int = 2000) -> int:
    """Remove the personal data of entries that started before ``before``; how many changed.

    One transaction, with one audit event of the run.
    """
    zone = ZoneInfo(current_app.config["FIELDLOG_TIMEZONE"])
    limit = dt.datetime.combine(before, dt.time(), zone)
    free_place = and_(Entry.place.is_not(None), not_(tallies.lists_places()))
    personal = or_(
        *(getattr(Entry, name).is_not(None) for name in PERSONAL if name != "place"), free_place
    )
    begin_write()
    joint = joint_commitment_ids()
    now, changed, last_id = utcnow(), 0, 0
    while True:
        rows = db.session.execute(
            select(
                Entry.id, Promise.key, Promise.places, Entry.started_at, Entry.ended_at,
                Entry.officers, Entry.metrics, Entry.place, Promise.commitment_id,
                Municipality.code.label("municipality_code"),
            )
            .join(Promise, Promise.id == Entry.promise_id)
            .join(Municipality, Municipality.id == Entry.municipality_id)
            .where(Entry.id > last_id, Entry.started_at < limit, personal)
            .order_by(Entry.id)
            .limit(batch)
        ).all()  # fmt: skip
        if not rows:
            break
        table = Entry.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                **{**dict.fromkeys(PERSONAL), "place": bindparam("b_place")},
                content_hash=bindparam("b_hash"),
                updated_at=now,
            ),
            [
                {"b_id": r.id, "b_place": _kept_place(r), "b_hash": _remaining_hash(r, joint)}
                for r in rows
            ],
        )
        changed += len(rows)
        last_id = rows[-1].id
    audit.record(
        "retention.applied",
        "entry",
        "",
        after={"before": before.isoformat(), "timezone": str(zone), "entries": changed},
        actor_name="cli",
    )
    db.session.commit()
    return changed


def joint_commitment_ids() -> set[int]:
    """The ids of the commitments that cover several municipalities."""
    stmt = (
        select(commitment_municipality.c.commitment_id)
        .group_by(commitment_municipality.c.commitment_id)
        .having(func.count() > 1)
    )
    return set(db.session.scalars(stmt))


def _kept_place(row) -> str | None:
    """The place that stays: one chosen from the promise's places list."""
    return row.place if row.places else None


def _remaining_hash(row, joint: set[int]) -> str:
    values = {
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "place": _kept_place(row),
        "lat": None,
        "lon": None,
        "officers": row.officers,
        "metrics": row.metrics,
        "notes": None,
    }
    code = row.municipality_code if row.commitment_id in joint else None
    return content_hash(row.key, values, code)
