"""Rules 1–3 and progress status, as plain functions."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from fieldlog.rules import commitment_in_force, is_inconvenient, local_year, progress_status

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class C:
    key: str
    valid_from: dt.date
    valid_to: dt.date
    until_superseded: bool


D = dt.date


def test_commitment_covering_the_day_is_in_force():
    a = C("a", D(2023, 1, 1), D(2024, 12, 31), False)
    assert commitment_in_force([a], D(2023, 6, 1)) is a
    assert commitment_in_force([a], D(2024, 12, 31)) is a
    assert commitment_in_force([a], D(2022, 12, 31)) is None


def test_until_superseded_stays_in_force_until_the_next_starts():
    old = C("old", D(2021, 1, 1), D(2022, 12, 31), True)
    new = C("new", D(2023, 6, 1), D(2025, 12, 31), False)
    assert commitment_in_force([old, new], D(2023, 3, 1)) is old
    assert commitment_in_force([new, old], D(2023, 5, 31)) is old
    assert commitment_in_force([old, new], D(2023, 6, 1)) is new


def test_without_until_superseded_the_commitment_ends_on_valid_to():
    ended = C("ended", D(2024, 1, 1), D(2024, 12, 31), False)
    assert commitment_in_force([ended], D(2025, 1, 1)) is None


def test_until_superseded_does_not_come_back_after_a_later_one_ended():
    old = C("old", D(2021, 1, 1), D(2022, 12, 31), True)
    later = C("later", D(2023, 1, 1), D(2023, 12, 31), False)
    assert commitment_in_force([old, later], D(2024, 3, 1)) is None


def test_local_year_of_new_years_night():
    # 2024-01-01 00:30 in Stockholm is 2023-12-31 23:30 UTC, and counts in 2024.
    moment = dt.datetime(2024, 1, 1, 0, 30, tzinfo=STOCKHOLM)
    assert moment.astimezone(dt.UTC).year == 2023
    assert local_year(moment) == 2024
    assert local_year(dt.datetime(2023, 12, 31, 23, 30, tzinfo=dt.UTC)) == 2024


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        local_year(dt.datetime(2024, 1, 1))


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("moment", "inconvenient"),
    [
        (local(2025, 6, 20, 12, 0), True),  # midsummer eve (a Friday)
        (local(2025, 4, 21, 12, 0), True),  # Easter Monday
        (local(2025, 12, 24, 10, 0), True),  # Christmas eve
        (local(2025, 12, 31, 10, 0), True),  # New Year's eve
        (local(2025, 11, 22, 12, 0), True),  # a Saturday
        (local(2025, 11, 23, 12, 0), True),  # a Sunday
        (local(2025, 11, 25, 6, 30), True),  # a Tuesday early
        (local(2025, 11, 25, 21, 0), True),  # a Tuesday evening
        (local(2025, 11, 25, 19, 0), True),  # evening starts at 19:00
        (local(2025, 11, 25, 10, 0), False),  # a Tuesday morning
        (local(2025, 11, 25, 7, 0), False),  # the working day starts at 07:00
        (local(2025, 11, 25, 18, 59), False),
    ],
)
def test_inconvenient_hours(moment, inconvenient):
    assert is_inconvenient(moment) is inconvenient


def test_inconvenient_hours_are_judged_in_local_time():
    # 05:30 UTC on a Tuesday in winter is 06:30 in Stockholm: inconvenient.
    assert is_inconvenient(dt.datetime(2025, 11, 25, 5, 30, tzinfo=dt.UTC))
    # 09:00 UTC is 10:00 local: not inconvenient.
    assert not is_inconvenient(dt.datetime(2025, 11, 25, 9, 0, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("counted", "target", "year", "today", "status"),
    [
        (3, None, 2025, D(2025, 6, 1), "no_target"),
        (5, 5, 2025, D(2025, 3, 1), "met"),
        (4, 5, 2024, D(2025, 3, 1), "missed"),
        (3, 5, 2025, D(2025, 7, 1), "on_track"),
        (1, 5, 2025, D(2025, 7, 1), "behind"),
        (0, 5, 2025, D(2025, 1, 1), "behind"),
        (0, 5, 2026, D(2025, 7, 1), "on_track"),
    ],
)
def test_progress_status(counted, target, year, today, status):
    assert progress_status(counted, target, year, today) == status
