"""The kept yearly tallies: atomic adjustments, recounts, checks and the rows of the API."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, delete, func, not_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import rules
from ..extensions import db
from ..models import Entry, Promise, Tally

COLUMNS = ("counted", "approved", "pending", "rejected")
# The fields of one row of GET /api/v1/tallies (and of the public API and the exports).
ROW_FIELDS = (
    "municipality",
    "commitment",
    "promise",
    "text",
    "area",
    "owner",
    "activity",
    "yearly_target",
    *COLUMNS,
    "status",
)


def contribution(status: str, inside_window: bool) -> dict[str, int]:
    """What one entry adds to its promise's tally (``counted`` by rules.counting)."""
    counts = dict.fromkeys(COLUMNS, 0)
    if status in ("approved", "pending", "rejected"):
        counts[status] = 1
    if rules.counts(status, inside_window):
        counts["counted"] = 1
    return counts


def counted_clause() -> ColumnElement[bool]:
    """SQL twin of ``rules.counting.counts``: the entries that count for their promise."""
    return and_(Entry.status == "approved", Entry.in_window)


def not_counted_clause() -> ColumnElement[bool]:
    """SQL: approved entries that do not count (their start lies outside the time rule)."""
    return and_(Entry.status == "approved", not_(Entry.in_window))


class TallyDelta:
    """Changes to tallies gathered during one transaction, applied together by atomic SQL."""

    def __init__(self) -> None:
        self.changes: dict[tuple[int, int], Counter] = defaultdict(Counter)

    def add(self, promise_id: int, year: int, counts: dict[str, int], sign: int = 1) -> None:
        """Add (sign 1) or remove (sign -1) one entry's contribution."""
        for column, n in counts.items():
            if n:
                self.changes[(promise_id, year)][column] += sign * n

    def entry(self, entry: Entry, sign: int = 1) -> None:
        """Add or remove the contribution of ``entry`` as it now stands."""
        self.add(entry.promise_id, entry.year, contribution(entry.status, entry.in_window), sign)

    def apply(self) -> None:
        """Write the gathered changes with one upsert per (promise, year)."""
        rows = []
        for (promise_id, year), counter in sorted(self.changes.items()):
            values = {c: counter.get(c, 0) for c in COLUMNS}
            if any(values.values()):
                rows.append({"promise_id": promise_id, "year": year, **values})
        self.changes.clear()
        if rows:
            upsert_tallies(rows)


def _insert_for_dialect():
    return postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert


def upsert_tallies(rows: list[dict]) -> None:
    """Add each row's counts to its stored tally, made when missing; never read-modify-write."""
    table = Tally.__table__
    stmt = _insert_for_dialect()(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.promise_id, table.c.year],
        set_={c: table.c[c] + stmt.excluded[c] for c in COLUMNS},
    )
    # Rows sorted by (promise, year): two transactions lock tallies in the same order.
    db.session.execute(stmt, sorted(rows, key=lambda r: (r["promise_id"], r["year"])))


def recount_query(promise_ids: Iterable[int] | None = None):
    """A query recounting (promise, year) → counts from the entries themselves."""
    stmt = select(
        Entry.promise_id,
        Entry.year,
        func.sum(case((counted_clause(), 1), else_=0)).label("counted"),
        func.sum(case((Entry.status == "approved", 1), else_=0)).label("approved"),
        func.sum(case((Entry.status == "pending", 1), else_=0)).label("pending"),
        func.sum(case((Entry.status == "rejected", 1), else_=0)).label("rejected"),
    ).group_by(Entry.promise_id, Entry.year)
    if promise_ids is not None:
        stmt = stmt.where(Entry.promise_id.in_(list(promise_ids)))
    return stmt


@dataclass
class Difference:
    promise_id: int
    year: int
    stored: dict[str, int]
    recounted: dict[str, int]


def _as_counts(row) -> dict[str, int]:
    return (
        {c: int(getattr(row, c) or 0) for c in COLUMNS}
        if row is not None
        else dict.fromkeys(COLUMNS, 0)
    )


def check() -> list[Difference]:
    """Compare the stored tallies with a recount from the entries; the differences."""
    recounted = {(r.promise_id, r.year): _as_counts(r) for r in db.session.execute(recount_query())}
    stored = {(t.promise_id, t.year): _as_counts(t) for t in db.session.scalars(select(Tally))}
    zero = dict.fromkeys(COLUMNS, 0)
    diffs = []
    for key in sorted(set(recounted) | set(stored)):
        a, b = stored.get(key, zero), recounted.get(key, zero)
        if a != b:
            diffs.append(Difference(key[0], key[1], a, b))
    return diffs


def recompute_entries(promise_ids: list[int] | None = None) -> int:
    """Set what each entry stores from the rules as they stand now; how many entries changed.

    The local year of its start (rule 2) and whether the start lies inside its
    promise's time rule (rule 3), so that a corrected rule reaches entries
    already stored (CONTRACT.md, "Robustness").
    """
    from flask import current_app

    zone = current_app.config["FIELDLOG_TIMEZONE"]
    stmt = select(Entry.id, Entry.started_at, Entry.year, Entry.in_window, Promise.time_rule).join(
        Promise, Promise.id == Entry.promise_id
    )
    if promise_ids is not None:
        stmt = stmt.where(Entry.promise_id.in_(promise_ids))
    changes = []
    for row in db.session.execute(stmt).all():
        year = rules.local_year(row.started_at, zone)
        inside = rules.in_window(row.time_rule, row.started_at, zone)
        if (year, inside) != (row.year, row.in_window):
            changes.append({"id": row.id, "year": year, "in_window": inside})
    if changes:
        db.session.execute(update(Entry), changes)
    return len(changes)


def rebuild(promise_ids: Iterable[int] | None = None) -> int:
    """Recompute the entries' stored values, then replace the stored tallies (some promises',
    or all) by a recount, in the caller's transaction; how many entries changed."""
    ids = list(promise_ids) if promise_ids is not None else None
    changed = recompute_entries(ids)
    stmt = delete(Tally)
    if ids is not None:
        stmt = stmt.where(Tally.promise_id.in_(ids))
    db.session.execute(stmt)
    rows = [
        {"promise_id": r.promise_id, "year": r.year, **_as_counts(r)}
        for r in db.session.execute(recount_query(ids))
    ]
    if rows:
        db.session.execute(Tally.__table__.insert(), rows)
    return changed


def tally_for(promise_ids: Iterable[int], year: int) -> dict[int, dict[str, int]]:
    """The stored counts of some promises in one year (zeros where nothing is stored)."""
    ids = list(promise_ids)
    found = {
        t.promise_id: _as_counts(t)
        for t in db.session.scalars(
            select(Tally).where(Tally.promise_id.in_(ids), Tally.year == year)
        )
    }
    return {pid: found.get(pid, dict.fromkeys(COLUMNS, 0)) for pid in ids}


def yearly_rows(municipalities, year: int, today: dt.date) -> list[dict]:
    """One row per countable promise of each commitment in force during ``year``, from kept tallies.

    The rows of ``GET /api/v1/tallies`` and of the exports, in the order of
    municipality, commitment and promise.
    """
    from ..rules import progress_status
    from .commitments import commitments_during_year_for

    municipalities = list(municipalities)
    in_force = commitments_during_year_for(municipalities, year)
    found = []
    for m in municipalities:
        for c in in_force[m.id]:
            for p in c.promises:
                if p.activity_type is not None:
                    found.append((m, c, p))
    counts = tally_for([p.id for _, _, p in found], year)
    rows = []
    for m, c, p in found:
        n = counts[p.id]
        rows.append(
            {
                "municipality": m.code,
                "municipality_name": m.name,
                "commitment": c.key,
                "promise": p.key,
                "promise_id": p.id,
                "text": p.text,
                "area": p.area,
                "owner": p.owner,
                "activity": p.activity_type.code,
                "yearly_target": p.yearly_target,
                "time_rule": p.time_rule,
                **n,
                "status": progress_status(n["counted"], p.yearly_target, year, today, c.valid_from),
            }
        )
    return rows
