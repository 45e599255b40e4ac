"""The rows of GET /api/v1/tallies, the public API, the pages and the exports, from kept tallies.

CONTRACT.md, Version 2, "API additions" and "Rules, amended" 2–6. One row per
countable promise of every agreement in force during the year in a
municipality (a joint agreement: one row per covered municipality asked
for, with that municipality's share and the joint total it is judged on).
Counts come from the kept day tallies (services/tallies.py), never from the
entries: one query sums the year (or the asked period) per promise,
municipality, place and measure; one more gives the days of the promises
whose targets are per week, month, quarter, tertial or the whole validity.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import NamedTuple

from ..models import Commitment, Municipality
from ..rules.in_force import in_force_in_slots_during_year
from ..rules.periods import (
    CALENDAR_PERS,
    Period,
    calendar_year,
    is_due,
    named_period,
    period_holding,
    periods_of_year,
    week_year_span,
)
from ..rules.progress import (
    Target,
    periodic_status,
    progress_status,
    share_gone,
    validity_status,
)
from . import catalogue, tallies
from .commitments import InForce
from .tallies import COLUMNS, ENTRIES


def target_as_dict(target: Target | None) -> dict | None:
    """The ``target`` field of a row: ``{"count", "per"}`` (and ``each_place`` when set)."""
    if target is None:
        return None
    found = {"count": target.count, "per": target.per}
    if target.each_place:
        found["each_place"] = True
    return found


class _Judge:
    """Judges one promise's counts against its target of one year (rule 6), on the joint
    totals of its agreement: per place when the target holds for each place."""

    def __init__(
        self,
        target: Target | None,
        year: int,
        today: dt.date,
        span: Period,
        asked: Period | None,
        in_force: Callable[[dt.date], bool],
        commitment: Commitment,
    ) -> None:
        self.target, self.year, self.today = target, year, today
        self.span, self.asked, self.in_force = span, asked, in_force
        self.commitment = commitment
        self._due: list[Period] | None = None
        self._starts: dict[dt.date, dt.date] | None = None

    def due(self) -> list[Period]:
        """The target's due periods of the year (or of the asked period), found once."""
        if self._due is None:
            self._due = [p for p in self.periods() if is_due(p, self.today, self.in_force)]
        return self._due

    def periods(self) -> list[Period]:
        """The target's periods of the year, only those wholly inside the asked period."""
        found = periods_of_year(self.target.per, self.year)
        if self.asked is not None:
            found = [p for p in found if p.within(self.asked)]
        return found

    def over(self) -> bool:
        """Whether the year (the ISO year for weeks; the asked period) is over."""
        if self.asked is not None:
            return self.today > self.asked.end
        if self.target.per == "week":
            return self.today > week_year_span(self.year).end
        return self.today > dt.date(self.year, 12, 31)

    def status(self, counted: int, daily: Counter, validity_count: int) -> tuple:
        """(status, periods_due, periods_met) for one series of counts: the year's (or the
        asked period's) ``counted``, counts per day, and the count over the whole validity."""
        t = self.target
        if t is None:
            return "no_target", None, None
        if t.per == "year":
            if self.asked is None:
                status = progress_status(
                    counted, t.count, self.year, self.today, self.commitment.valid_from
                )
            else:
                whole = calendar_year(self.year).days
                gone = share_gone(self.asked.start, self.asked.end, self.today)
                share = t.count * self.asked.days * gone / whole
                if self.today > self.asked.end:
                    status = "met" if counted >= share else "missed"
                else:
                    status = "on_track" if counted >= share else "behind"
            return status, None, None
        if t.per == "period":
            c = self.commitment
            return (
                validity_status(validity_count, t.count, c.valid_from, c.valid_to, self.today),
                None,
                None,
            )
        totals = self.totals(daily)
        met = [totals.get(p.start, 0) >= t.count for p in self.due()]
        return periodic_status(met, self.over()), len(met), sum(met)

    def totals(self, daily: dict[dt.date, int]) -> dict[dt.date, int]:
        """The counts of ``daily`` summed per due period, keyed by the period's first day."""
        if self._starts is None:
            self._starts = {
                p.start + dt.timedelta(days=i): p.start for p in self.due() for i in range(p.days)
            }
        found: dict[dt.date, int] = {}
        for day, n in daily.items():
            start = self._starts.get(day)
            if start is not None:
                found[start] = found.get(start, 0) + n
        return found

    def current_period(self, daily: Counter) -> dict | None:
        """The period holding today, while the year runs and the agreement is in force."""
        t = self.target
        if t is None or t.per not in CALENDAR_PERS or not self.in_force(self.today):
            return None
        holding = period_holding(t.per, self.today)
        this_year = self.today.isocalendar().year if t.per == "week" else self.today.year
        if this_year != self.year:
            return None
        counted = sum(daily[holding.start + dt.timedelta(days=i)] for i in range(holding.days))
        return {
            "start": holding.start.isoformat(),
            "end": holding.end.isoformat(),
            "counted": counted,
            "target": t.count,
        }


def yearly_rows(
    municipalities: list[Municipality],
    year: int,
    today: dt.date,
    period: str | None = None,
) -> list[dict]:
    """One row per countable promise of each agreement in force during ``year`` in the
    given municipalities, in the order of municipality, agreement (whole area, then
    districts) and promise. With ``period`` (T1–T3, Q1–Q4, M01–M12) the counts cover it.

    Raises ValueError for another ``period``.
    """
    municipalities = list(municipalities)
    asked = named_period(period, year) if period else None
    span = asked or calendar_year(year)
    held = catalogue.current()
    naming = {m.id: held.covering(m.id) for m in municipalities}
    found = held.remembered(
        ("tally_rows", tuple(m.id for m in municipalities), year),
        lambda: _promises_of_year(municipalities, naming, year),
    )
    if not found:
        return []
    ids = sorted({f.promise_id for f in found})
    summed: dict[int, list] = defaultdict(list)
    for key, n in tallies.sums(ids, span.start, span.end).items():
        summed[key[0]].append((key, n))
    targets = {f.promise_id: f.target for f in found}
    periodic = [
        pid for pid, t in targets.items() if t is not None and t.per in (*CALENDAR_PERS, "period")
    ]
    daily: dict[tuple[int, str], Counter] = defaultdict(Counter)  # (promise, place) → day → n
    validity: dict[tuple[int, str], int] = defaultdict(int)
    if periodic:
        days_from = min(span.start, week_year_span(year).start)
        days_to = max(span.end, week_year_span(year).end)
        for f in found:
            if f.promise_id in periodic and f.target.per == "period":
                days_from, days_to = min(days_from, f.valid_from), max(days_to, f.valid_to)
        for (pid, place), days in tallies.daily_counted(periodic, days_from, days_to).items():
            for key in ((pid, ""), (pid, place)) if place else ((pid, ""),):
                daily[key].update(days)
    judges: dict[int, _Judge] = {}
    in_forces: dict[int, InForce] = {}
    rows = []
    for f in found:
        target, pid, places_listed = f.target, f.promise_id, f.places
        if pid not in judges:
            if f.commitment.id not in in_forces:  # one per agreement, shared by its promises
                in_forces[f.commitment.id] = InForce(f.commitment, held.covering)
            judges[pid] = _Judge(
                target, year, today, span, asked, in_forces[f.commitment.id], f.commitment
            )
        judge = judges[pid]
        share = dict.fromkeys(COLUMNS, 0)
        joint = 0
        place_share: Counter = Counter()
        place_joint: Counter = Counter()
        outcomes = dict.fromkeys(f.metrics, 0)
        for (_pid, mid, place, measure), n in summed[pid]:
            if measure == ENTRIES:
                joint += n["counted"]
                place_joint[place] += n["counted"]
                if mid == f.municipality_id:
                    for column in COLUMNS:
                        share[column] += n[column]
                    place_share[place] += n["counted"]
            elif mid == f.municipality_id and measure in outcomes:
                outcomes[measure] += n["counted"]
        if target is not None and target.per == "period":
            lo, hi = f.valid_from, f.valid_to
            for key in [(pid, "")] + [(pid, name) for name in places_listed]:
                validity[key] = sum(v for d, v in daily[key].items() if lo <= d <= hi)
        each = target is not None and target.each_place and bool(places_listed)
        place_results = {}
        if each:
            place_results = {
                name: judge.status(place_joint[name], daily[(pid, name)], validity[(pid, name)])
                for name in places_listed
            }
            status = _worst([r[0] for r in place_results.values()])
            due = place_results[places_listed[0]][1]
            met = _periods_met_everywhere(judge, pid, places_listed, daily)
        else:
            status, due, met = judge.status(joint, daily[(pid, "")], validity[(pid, "")])
        places = None
        if places_listed:
            places = [
                {
                    "name": name,
                    "counted": place_share[name],
                    "met": place_results[name][0] == "met" if each else None,
                }
                for name in places_listed
            ]
        rows.append(
            {
                **f.row,
                **share,
                "status": status,
                "periods_due": due,
                "periods_met": met,
                "current_period": judge.current_period(daily[(pid, "")])
                if not each
                else (_current_each(judge, pid, places_listed, daily)),
                "places": places,
                "outcomes": outcomes,
                "joint_counted": joint if f.joint else None,
            }
        )
    return rows


class _Fixed(NamedTuple):
    """What a row of one promise in one municipality says whatever the day and the counts,
    in plain values (the catalogue's objects read slowly, attribute by attribute)."""

    municipality_id: int
    commitment: Commitment
    promise_id: int
    target: Target | None
    places: list[str]
    metrics: list[str]
    joint: bool
    valid_from: dt.date
    valid_to: dt.date
    row: dict


def _promises_of_year(
    municipalities: list[Municipality], naming: dict[int, list[Commitment]], year: int
) -> list[_Fixed]:
    """The countable promises of every agreement in force during ``year`` in each
    municipality, in the order of the rows, each with what its row says whatever the day
    and the counts. From the catalogue alone, so kept with it (Catalogue.remembered)."""
    found = []
    for m in municipalities:
        in_year = in_force_in_slots_during_year(naming[m.id], year)
        in_year.sort(key=lambda c: (c.district or "", c.valid_from))
        for c in in_year:
            for p in c.promises:
                if p.activity_type is None:
                    continue
                target = p.target_in(year)
                row = {
                    "municipality": m.code,
                    "municipality_name": m.name,
                    "commitment": c.key,
                    "commitment_title": c.title,
                    "promise": p.key,
                    "promise_id": p.id,
                    "text": p.text,
                    "area": p.area,
                    "owner": p.owner,
                    "activity": p.activity_type.code,
                    "activity_label": p.activity_type.label,
                    "metric_labels": {
                        k: p.activity_type.metric_label(k) for k in p.activity_type.metrics
                    },
                    "yearly_target": target.count if target and target.per == "year" else None,
                    "time_rule": p.time_rule,
                    "district": c.district,
                    "municipalities": [x.code for x in c.municipalities],
                    "joint": c.joint,
                    "target": target_as_dict(target),
                }
                found.append(
                    _Fixed(
                        m.id,
                        c,
                        p.id,
                        target,
                        list(p.places or []),
                        list(p.activity_type.metrics),
                        c.joint,
                        c.valid_from,
                        c.valid_to,
                        row,
                    )  # fmt: skip
                )
    return found


_ORDER = ("missed", "behind", "on_track", "met", "no_target")


def _worst(statuses: list[str]) -> str:
    """The status of a target for each place: that of the place worst off."""
    return min(statuses, key=_ORDER.index) if statuses else "no_target"


def _periods_met_everywhere(
    judge: _Judge, promise_id: int, places: list[str], daily: dict
) -> int | None:
    """Due periods in which every place met the target count (rule 4)."""
    t = judge.target
    if t is None or t.per not in CALENDAR_PERS:
        return None
    totals = [judge.totals(daily[(promise_id, name)]) for name in places]
    return sum(
        all(found.get(period.start, 0) >= t.count for found in totals) for period in judge.due()
    )


def _current_each(judge: _Judge, promise_id: int, places: list[str], daily: dict) -> dict | None:
    """The current period of a target for each place: the count of the place worst off."""
    found = [judge.current_period(daily[(promise_id, name)]) for name in places]
    if not found or found[0] is None:
        return None
    return min(found, key=lambda f: f["counted"])
