"""Rule 2 of Version 2: the periods a year is followed up in (CONTRACT.md, "Rules, amended").

Months (M01–M12), quarters (Q1–Q4) and tertials (T1 January–April, T2
May–August, T3 September–December) split the calendar year. Weeks are ISO
weeks, Monday to Sunday; the weeks of year Y are those of ISO week-year Y, so
a week may begin in December of Y-1 or end in January of Y+1.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

PERS = ("year", "tertial", "quarter", "month", "week", "period")
CALENDAR_PERS = ("tertial", "quarter", "month", "week")
_MONTHS_PER = {"tertial": 4, "quarter": 3, "month": 1}
_PREFIX = {"tertial": "T", "quarter": "Q", "month": "M"}
PERIOD_ARG = re.compile(r"\A(?:T[1-3]|Q[1-4]|M(?:0[1-9]|1[0-2]))\Z")


@dataclass(frozen=True)
class Period:
    """A span of local days, ``start`` to ``end`` inclusive, with its name (T1, M03, 2026-W53)."""

    name: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    def holds(self, day: dt.date) -> bool:
        """Whether ``day`` lies in the period."""
        return self.start <= day <= self.end

    def within(self, other: Period) -> bool:
        """Whether the period lies wholly inside ``other``."""
        return other.start <= self.start and self.end <= other.end


def calendar_year(year: int) -> Period:
    """1 January to 31 December of ``year``."""
    return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))


@cache
def iso_weeks(year: int) -> tuple[Period, ...]:
    """The ISO weeks of ISO week-year ``year`` (52 or 53), Monday to Sunday."""
    first = dt.date.fromisocalendar(year, 1, 1)
    count = dt.date(year, 12, 28).isocalendar().week  # 28 December is always in the last week
    return tuple(
        Period(
            f"{year}-W{n:02d}",
            first + dt.timedelta(weeks=n - 1),
            first + dt.timedelta(weeks=n - 1, days=6),
        )
        for n in range(1, count + 1)
    )


def periods_of_year(per: str, year: int) -> Sequence[Period]:
    """The periods of ``per`` (tertial, quarter, month or week) that make up ``year``.

    Raises ValueError for another ``per``.
    """
    if per == "week":
        return iso_weeks(year)
    if per not in _MONTHS_PER:
        raise ValueError(f"per {per!r} has no periods within a year")
    step = _MONTHS_PER[per]
    found = []
    for i, month in enumerate(range(1, 13, step), start=1):
        end_month = month + step
        end = dt.date(year + end_month // 13, (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
        name = f"{_PREFIX[per]}{i:02d}" if per == "month" else f"{_PREFIX[per]}{i}"
        found.append(Period(name, dt.date(year, month, 1), end))
    return found


def named_period(name: str, year: int) -> Period:
    """The period ``T1``–``T3``, ``Q1``–``Q4`` or ``M01``–``M12`` of ``year``.

    Raises ValueError for any other name.
    """
    if not PERIOD_ARG.match(name or ""):
        raise ValueError("period must be T1–T3, Q1–Q4 or M01–M12")
    per = {"T": "tertial", "Q": "quarter", "M": "month"}[name[0]]
    return next(p for p in periods_of_year(per, year) if p.name == name)


def week_year_span(year: int) -> Period:
    """The days of ISO week-year ``year``: Monday of week 1 to Sunday of its last week."""
    weeks = iso_weeks(year)
    return Period(f"{year}-W", weeks[0].start, weeks[-1].end)


def period_holding(per: str, day: dt.date) -> Period:
    """The period of ``per`` (tertial, quarter, month, week) that holds ``day``."""
    year = day.isocalendar().year if per == "week" else day.year
    return next(p for p in periods_of_year(per, year) if p.holds(day))


def is_due(period: Period, today: dt.date, in_force: Callable[[dt.date], bool]) -> bool:
    """A period is due when it has ended and the agreement was in force on every one of its days.

    ``in_force`` tells whether the agreement is in force on a day (rule 1).
    """
    if period.end >= today:
        return False
    return all(in_force(period.start + dt.timedelta(days=i)) for i in range(period.days))
