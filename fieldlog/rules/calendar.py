"""Rules 2 and 3: local years and days, and inconvenient hours (obekväm tid)."""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_ZONE = "Europe/Stockholm"
DAY_STARTS = dt.time(7, 0)
EVENING_STARTS = dt.time(19, 0)
# Sweden's public holidays, and the eves of midsummer, Christmas and New Year (``de_facto``).
HOLIDAY_CATEGORIES = ("public", "de_facto")


def to_local(moment: dt.datetime, zone: str = DEFAULT_ZONE) -> dt.datetime:
    """An aware time shown in the local zone; ValueError for a naive one."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; times must be timezone-aware")
    return moment.astimezone(ZoneInfo(zone))


def local_year(moment: dt.datetime, zone: str = DEFAULT_ZONE) -> int:
    """The calendar year in which ``moment`` falls, in local time (rule 2)."""
    return to_local(moment, zone).year


@lru_cache(maxsize=128)
def swedish_holidays(year: int) -> frozenset[dt.date]:
    """The public holidays and holiday eves of ``year``, as the ``holidays`` package has them.

    Source: the package's ``public`` and ``de_facto`` categories for Sweden
    (CONTRACT.md, "Windows"); ordinary Sundays are left out (weekends are a
    rule of their own).
    """
    days = holidays.country_holidays(
        "SE", years=year, categories=HOLIDAY_CATEGORIES, include_sundays=False
    )
    return frozenset(days)


def is_holiday_or_eve(day: dt.date) -> bool:
    """A Swedish public holiday, or the eve of midsummer, Christmas or New Year."""
    return day in swedish_holidays(day.year)


def is_inconvenient(moment: dt.datetime, zone: str = DEFAULT_ZONE) -> bool:
    """Whether ``moment`` falls in inconvenient hours, judged in local time.

    Weekdays before 07:00 or from 19:00, weekends, public holidays and the
    eves of midsummer, Christmas and New Year (DESIGN.md, glossary).
    """
    local = to_local(moment, zone)
    if local.weekday() >= 5 or is_holiday_or_eve(local.date()):
        return True
    return local.time() < DAY_STARTS or local.time() >= EVENING_STARTS
