"""The kept tallies: atomic adjustments, recounts, checks and sums over days and years.

A tally row (models.Tally) holds the counts of one promise in one
municipality on one local day or in one calendar year (``span``), for one
place (of a promise with a places list) and one measure: "" counts entries, a
metric's name sums that metric over the same entries (outcome sums,
CONTRACT.md "API additions"). Every change to an entry adds to its day's and
its year's rows in the same transaction, in one statement; years are read
from year rows, periods (weeks, tertials, …) are sums of day rows, never a
scan of the entries. The rows of the tallies API are built in tally_rows.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    not_,
    select,
    update,
)

from .. import rules
from ..extensions import db
from ..models import Entry, Promise, Tally
from . import bulk

COLUMNS = ("counted", "approved", "pending", "rejected")
ENTRIES = ""  # the measure that counts entries
# The fields of one row of GET /api/v1/tallies in version 1 (the first columns of tallies.csv)
V1_ROW_FIELDS = (
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
# … and all of them (and of the public API), CONTRACT.md "API additions".
ROW_FIELDS = (
    *V1_ROW_FIELDS,
    "district",
    "municipalities",
    "joint",
    "target",
    "periods_due",
    "periods_met",
    "current_period",
    "places",
    "outcomes",
    "joint_counted",
)
DAY, YEAR = "day", "year"  # the spans of tally rows
# (promise_id, span, day, municipality_id, place, measure): the key of a tally row.
Key = tuple[int, str, dt.date, int, str, str]


def contribution(status: str, inside_window: bool, amount: int = 1) -> dict[str, int]:
    """What one entry adds to one measure of its tally: ``amount`` (1 for the entry count,
    a metric's value for its sum) in its status's column, and in ``counted`` when it counts
    (rules.counting)."""
    counts = dict.fromkeys(COLUMNS, 0)
    if status in ("approved", "pending", "rejected"):
        counts[status] = amount
    if rules.counts(status, inside_window):
        counts["counted"] = amount
    return counts


def counted_clause() -> ColumnElement[bool]:
    """SQL twin of ``rules.counting.counts``: the entries that count for their promise."""
    return and_(Entry.status == "approved", Entry.in_window)


def not_counted_clause() -> ColumnElement[bool]:
    """SQL: approved entries that do not count (their start lies outside the time rule)."""
    return and_(Entry.status == "approved", not_(Entry.in_window))


def lists_places() -> ColumnElement[bool]:
    """SQL: the promise (joined) has a places list, so its entries are kept by place."""
    return cast(Promise.places, String) != "[]"


def place_key(places: list[str] | None, place: str | None) -> str:
    """The place a tally row is kept for: the entry's place when its promise lists places."""
    return (place or "") if places else ""


def entry_keys(entry: Entry, places: list[str] | None) -> list[tuple[Key, int]]:
    """The tally rows an entry adds to, each with the amount: its count and its metrics, on
    its day and in its year."""
    rest = (entry.municipality_id, place_key(places, entry.place))
    amounts = [(ENTRIES, 1)] + [
        (name, int(value)) for name, value in sorted((entry.metrics or {}).items()) if value
    ]
    year = dt.date(entry.day.year, 1, 1)
    return [
        ((entry.promise_id, span, day, *rest, measure), amount)
        for span, day in ((DAY, entry.day), (YEAR, year))
        for measure, amount in amounts
    ]


class TallyDelta:
    """Changes to tallies gathered during one transaction, applied together by atomic SQL."""

    def __init__(self) -> None:
        self.changes: dict[Key, Counter] = defaultdict(Counter)

    def add(self, key: Key, counts: dict[str, int], sign: int = 1) -> None:
        """Add (sign 1) or remove (sign -1) one contribution to the row ``key``."""
        for column, n in counts.items():
            if n:
                self.changes[key][column] += sign * n

    def entry(self, entry: Entry, sign: int = 1, places: list[str] | None = None) -> None:
        """Add or remove the contribution of ``entry`` as it now stands.

        ``places`` is its promise's places list (read from ``entry.promise`` when not given).
        """
        if places is None:
            places = entry.promise.places
        for key, amount in entry_keys(entry, places):
            self.add(key, contribution(entry.status, entry.in_window, amount), sign)

    def apply(self) -> None:
        """Write the gathered changes in one statement."""
        rows = []
        for key, counter in self.changes.items():
            values = {c: counter.get(c, 0) for c in COLUMNS}
            if any(values.values()):
                rows.append(dict(zip(_KEY_NAMES, key, strict=True), **values))
        self.changes.clear()
        bulk.add_rows(Tally.__table__, rows, COLUMNS)


_KEY_NAMES = ("promise_id", "span", "day", "municipality_id", "place", "measure")


@dataclass
class Difference:
    key: Key
    stored: dict[str, int]
    recounted: dict[str, int]

    @property
    def promise_id(self) -> int:
        return self.key[0]

    @property
    def year(self) -> int:
        return self.key[2].year


def _as_counts(row) -> dict[str, int]:
    return (
        {c: int(getattr(row, c) or 0) for c in COLUMNS}
        if row is not None
        else dict.fromkeys(COLUMNS, 0)
    )


def recount(promise_ids: Iterable[int] | None = None) -> dict[Key, dict[str, int]]:
    """The tally rows as the entries themselves give them (some promises', or all).

    The database groups the entries by what decides their contribution (promise, day,
    municipality, kept place, status, window, metrics); each group then adds its
    contribution (rules.counting through ``contribution``) as many times as it has entries.
    """
    listed = lists_places()
    kept_place = case((listed, func.coalesce(Entry.place, "")), else_="")
    metrics = cast(Entry.metrics, String)
    keys = (
        Entry.promise_id, Entry.day, Entry.municipality_id, kept_place, Entry.status,
        Entry.in_window, metrics,
    )  # fmt: skip
    stmt = (
        select(*keys, func.count())
        .join(Promise, Promise.id == Entry.promise_id)
        .where(Entry.status.in_(COLUMNS[1:]))
        .group_by(*keys)
    )
    if promise_ids is not None:
        stmt = stmt.where(Entry.promise_id.in_(list(promise_ids)))
    found: dict[Key, Counter] = defaultdict(Counter)
    for pid, day, mid, place, status, inside, raw, n in db.session.execute(stmt):
        values = json.loads(raw) if raw else {}
        for measure, amount in [(ENTRIES, 1), *sorted((values or {}).items())]:
            if not amount:
                continue
            added = {c: v * n for c, v in contribution(status, inside, int(amount)).items()}
            for span, when in ((DAY, day), (YEAR, dt.date(day.year, 1, 1))):
                found[(pid, span, when, mid, place, measure)].update(added)
    return {
        key: {c: counter.get(c, 0) for c in COLUMNS}
        for key, counter in found.items()
        if any(counter.values())
    }


def _stored(promise_ids: Iterable[int] | None = None) -> dict[Key, dict[str, int]]:
    stmt = select(Tally)
    if promise_ids is not None:
        stmt = stmt.where(Tally.promise_id.in_(list(promise_ids)))
    return {
        (t.promise_id, t.span, t.day, t.municipality_id, t.place, t.measure): _as_counts(t)
        for t in db.session.scalars(stmt)
        if any(_as_counts(t).values())
    }


def check() -> list[Difference]:
    """Compare the stored tallies with a recount from the entries; the differences
    (entry counts and outcome sums alike)."""
    recounted, stored = recount(), _stored()
    zero = dict.fromkeys(COLUMNS, 0)
    return [
        Difference(key, stored.get(key, zero), recounted.get(key, zero))
        for key in sorted(set(recounted) | set(stored))
        if stored.get(key, zero) != recounted.get(key, zero)
    ]


def recompute_entries(promise_ids: list[int] | None = None) -> int:
    """Set what each entry stores from the rules as they stand now; how many entries changed.

    The local day and year of its start (rule 2) and whether the start lies
    inside its promise's time rule (rule 3), so that a corrected rule reaches
    entries already stored (CONTRACT.md, "Robustness"). Reads the entries in
    batches and writes only those that change.
    """
    from flask import current_app

    from .time_rules import time_rules

    zone = current_app.config["FIELDLOG_TIMEZONE"]
    windows = time_rules()
    stmt = select(
        Entry.id, Entry.started_at, Entry.day, Entry.year, Entry.in_window, Promise.time_rule
    ).join(Promise, Promise.id == Entry.promise_id)
    if promise_ids is not None:
        stmt = stmt.where(Entry.promise_id.in_(promise_ids))
    changes = []
    for row in db.session.execute(stmt.execution_options(yield_per=5000)):
        day = rules.to_local(row.started_at, zone).date()
        inside = rules.in_window(windows.get(row.time_rule, row.time_rule), row.started_at, zone)
        if (day, day.year, inside) != (row.day, row.year, row.in_window):
            changes.append({"id": row.id, "day": day, "year": day.year, "in_window": inside})
    for start in range(0, len(changes), 5000):
        db.session.execute(update(Entry), changes[start : start + 5000])
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
    rows = [dict(zip(_KEY_NAMES, key, strict=True), **n) for key, n in recount(ids).items()]
    for start in range(0, len(rows), 5000):
        db.session.execute(Tally.__table__.insert(), rows[start : start + 5000])
    return changed


# Built once, the promises bound as one list: a request builds and compiles nothing.
_SUM_KEYS = (Tally.promise_id, Tally.municipality_id, Tally.place, Tally.measure)
_SUMS = (
    select(*_SUM_KEYS, *(func.sum(getattr(Tally, c)).label(c) for c in COLUMNS))
    .where(
        Tally.promise_id.in_(bindparam("ids", expanding=True)),
        Tally.span == bindparam("span"),
        Tally.day >= bindparam("start"),
        Tally.day <= bindparam("end"),
    )
    .group_by(*_SUM_KEYS)
)
_ENTRY_SUMS = _SUMS.where(Tally.measure == ENTRIES)


def sums(
    promise_ids: Iterable[int],
    start: dt.date,
    end: dt.date,
    *,
    entries_only: bool = False,
) -> dict[tuple, dict[str, int]]:
    """Summed tally rows of some promises over the local days ``start``..``end``.

    Keyed by (promise_id, municipality_id, place, measure); ``entries_only``
    leaves out the metrics' sums. Whole calendar years are read from their year
    rows, anything else from day rows.
    """
    ids = list(promise_ids)
    if not ids:
        return {}
    whole_years = (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31)
    params = {"ids": ids, "span": YEAR if whole_years else DAY, "start": start, "end": end}
    k = len(_SUM_KEYS)
    return {
        tuple(row[:k]): dict(zip(COLUMNS, map(int, row[k:]), strict=True))
        for row in db.session.execute(_ENTRY_SUMS if entries_only else _SUMS, params)
    }


_DAILY = (
    select(Tally.promise_id, Tally.place, Tally.day, func.sum(Tally.counted))
    .where(
        Tally.promise_id.in_(bindparam("ids", expanding=True)),
        Tally.span == DAY,
        Tally.measure == ENTRIES,
        Tally.day >= bindparam("start"),
        Tally.day <= bindparam("end"),
        Tally.counted != 0,
    )
    .group_by(Tally.promise_id, Tally.place, Tally.day)
)


def daily_counted(
    promise_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[tuple[int, str], dict[dt.date, int]]:
    """(promise_id, place) → local day → entries counted that day in all municipalities
    together (a joint agreement is judged on its total), over ``start``..``end``."""
    ids = list(promise_ids)
    if not ids:
        return {}
    params = {"ids": ids, "start": start, "end": end}
    found: dict[tuple[int, str], dict[dt.date, int]] = defaultdict(dict)
    for pid, place, day, n in db.session.execute(_DAILY, params):
        found[(pid, place)][day] = int(n)
    return found


def tally_for(
    promise_ids: Iterable[int], year: int, municipality_id: int | None = None
) -> dict[int, dict[str, int]]:
    """The entry counts of some promises in one calendar year (zeros where nothing is kept),
    in one municipality when given (a joint promise's share), else in all."""
    ids = list(promise_ids)
    found: dict[int, Counter] = defaultdict(Counter)
    rows = sums(ids, dt.date(year, 1, 1), dt.date(year, 12, 31), entries_only=True)
    for (pid, mid, _place, _measure), n in rows.items():
        if municipality_id is None or mid == municipality_id:
            found[pid].update(n)
    return {pid: {c: found[pid].get(c, 0) for c in COLUMNS} for pid in ids}
