"""Rule 3's calendar: Swedish holidays and eves from the holidays package, in every process."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from fieldlog.rules import is_holiday_or_eve, is_inconvenient

STOCKHOLM = dt.timezone(dt.timedelta(hours=2))  # summer time, for June mornings


def midsummer_eve(year: int) -> dt.date:
    """An independent definition: the Friday between 19 and 25 June."""
    return next(dt.date(year, 6, d) for d in range(19, 26) if dt.date(year, 6, d).weekday() == 4)


@pytest.mark.parametrize("year", range(1990, 2061))
def test_the_eves_of_midsummer_christmas_and_new_year(year):
    eve = midsummer_eve(year)
    assert is_holiday_or_eve(eve)
    assert is_holiday_or_eve(eve + dt.timedelta(days=1))  # midsummer day
    # No other Friday of June is an eve (6 June is National Day, a holiday in its own right).
    fridays = [dt.date(year, 6, d) for d in range(1, 31) if dt.date(year, 6, d).weekday() == 4]
    assert [f for f in fridays if is_holiday_or_eve(f) and f.day != 6] == [eve]
    assert is_holiday_or_eve(dt.date(year, 12, 24))
    assert is_holiday_or_eve(dt.date(year, 12, 31))
    # National Day has been a public holiday since 2005.
    assert is_holiday_or_eve(dt.date(year, 6, 6)) is (year >= 2005)
    # An ordinary Sunday is a weekend, not a holiday of the calendar.
    assert not is_holiday_or_eve(
        dt.date(year, 3, 1) + dt.timedelta(days=(6 - dt.date(year, 3, 1).weekday()) % 7 + 7)
    )


def test_national_day_on_a_saturday_does_not_move_midsummer_eve():
    # 6 June 2026 is a Saturday; midsummer eve is 19 June, and 5 June is an ordinary Friday.
    assert is_holiday_or_eve(dt.date(2026, 6, 19))
    assert not is_holiday_or_eve(dt.date(2026, 6, 5))
    at_ten = dt.time(10, 0, tzinfo=STOCKHOLM)
    assert is_inconvenient(dt.datetime.combine(dt.date(2026, 6, 19), at_ten))
    assert not is_inconvenient(dt.datetime.combine(dt.date(2026, 6, 5), at_ten))


PROBE = (
    "import datetime as dt; from fieldlog.rules import is_holiday_or_eve as h; "
    "print([h(dt.date(y, 6, d)) for y, d in ((2020, 5), (2020, 19), (2026, 5), (2026, 19), "
    "(2037, 5), (2037, 19))])"
)


def test_every_process_judges_midsummer_alike():
    """Workers differ in PYTHONHASHSEED; the rule must not (2020, 2026 and 2037 have a
    Saturday National Day)."""
    answers = set()
    for seed in ("0", "1", "2", "3", "4", "5", "42", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
        )
        answers.add(out.stdout.strip())
    assert answers == {"[False, True, False, True, False, True]"}
