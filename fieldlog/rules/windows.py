"""Rule 3, generalised: time windows such as "Friday and Saturday evenings".

CONTRACT.md, "Windows".

A window lists weekdays and local hours ``from``–``to``. A start is inside
when ``from`` ≤ start < ``to`` on a listed day. When ``to`` < ``from`` the
window runs past midnight: inside is ≥ ``from`` on a listed day, or < ``to``
on the day after a listed day. ``from`` = ``to`` means the listed days whole.
With ``holidays``, every Swedish public holiday and the eves of midsummer,
Christmas and New Year lie inside from 00:00 to 24:00 as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import DEFAULT_ZONE, is_holiday_or_eve, to_local

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class TimeWindow:
    """Weekdays (0 = Monday) and local hours; ``holidays`` adds holidays and eves whole."""

    days: frozenset[int]
    starts: dt.time
    ends: dt.time
    holidays: bool = False

    @classmethod
    def from_names(
        cls, days: list[str], starts: str, ends: str, holidays: bool = False
    ) -> TimeWindow:
        """A window from the import's words: ``["fri", "sat"]``, ``"18:00"``, ``"02:00"``.

        Raises ValueError naming what is wrong.
        """
        unknown = [d for d in days if d not in DAY_NAMES]
        if not days or unknown:
            raise ValueError(f"days must be a non-empty subset of {' '.join(DAY_NAMES)}")
        return cls(
            frozenset(DAY_NAMES.index(d) for d in days),
            _clock(starts, "from"),
            _clock(ends, "to"),
            bool(holidays),
        )

    def contains(self, moment: dt.datetime, zone: str = DEFAULT_ZONE) -> bool:
        """Whether an aware ``moment`` lies inside the window, judged in local time."""
        local = to_local(moment, zone)
        day, time = local.date(), local.time().replace(tzinfo=None)
        if self.holidays and is_holiday_or_eve(day):
            return True
        listed = day.weekday() in self.days
        if self.starts == self.ends:
            return listed
        if self.starts < self.ends:
            return listed and self.starts <= time < self.ends
        day_before_listed = (day - dt.timedelta(days=1)).weekday() in self.days
        return (listed and time >= self.starts) or (day_before_listed and time < self.ends)


def _clock(value: str, name: str) -> dt.time:
    try:
        hours, minutes = str(value).split(":")
        if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isascii():
            raise ValueError
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{name} must be a time HH:MM, not {value!r}") from None
