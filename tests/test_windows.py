"""Time windows (CONTRACT.md, "Windows"): evenings, nights past midnight, holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldlog.rules.windows import TimeWindow

WINTER = dt.timezone(dt.timedelta(hours=1))  # Stockholm in January and December


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=WINTER)


# Göteborg centrum 2018: "alla fredags- och lördagskvällar", here 18:00–02:00.
EVENINGS = TimeWindow.from_names(["fri", "sat"], "18:00", "02:00")


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("2026-01-09T17:59", False),  # Friday, before
        ("2026-01-09T18:00", True),  # Friday, from
        ("2026-01-09T23:59", True),
        ("2026-01-10T00:00", True),  # the night after Friday, past midnight
        ("2026-01-10T01:59", True),
        ("2026-01-10T02:00", False),  # to is outside
        ("2026-01-10T12:00", False),  # Saturday noon
        ("2026-01-10T20:00", True),  # Saturday evening
        ("2026-01-11T01:30", True),  # the night after Saturday
        ("2026-01-11T20:00", False),  # Sunday evening is not listed
        ("2026-01-09T01:00", False),  # Friday small hours: Thursday is not listed
    ],
)
def test_a_window_past_midnight_from_a_friday(moment, inside):
    assert EVENINGS.contains(at(moment)) is inside


def test_a_window_within_a_day():
    mornings = TimeWindow.from_names(["mon", "tue", "wed", "thu", "fri"], "07:00", "09:00")
    assert mornings.contains(at("2026-01-07T07:00"))
    assert not mornings.contains(at("2026-01-07T09:00"))
    assert not mornings.contains(at("2026-01-10T08:00"))  # Saturday


def test_from_equal_to_is_the_whole_listed_day():
    sundays = TimeWindow.from_names(["sun"], "00:00", "00:00")
    assert sundays.contains(at("2026-01-11T00:00")) and sundays.contains(at("2026-01-11T23:59"))
    assert not sundays.contains(at("2026-01-12T00:00"))


def test_holidays_lie_inside_the_whole_day_with_holidays_true():
    with_holidays = TimeWindow.from_names(["fri", "sat"], "18:00", "02:00", holidays=True)
    christmas_eve_noon = at("2026-12-24T12:00")  # a Thursday
    assert with_holidays.contains(christmas_eve_noon)
    assert not EVENINGS.contains(christmas_eve_noon)
    # Midsummer eve 2026 (19 June, a Friday) at ten in the morning; 5 June is no eve.
    summer = dt.timezone(dt.timedelta(hours=2))
    assert with_holidays.contains(dt.datetime(2026, 6, 19, 10, tzinfo=summer))
    assert not with_holidays.contains(dt.datetime(2026, 6, 5, 10, tzinfo=summer))


def test_windows_are_judged_in_local_time():
    # 17:30 UTC on a Friday in winter is 18:30 in Stockholm: inside.
    assert EVENINGS.contains(dt.datetime(2026, 1, 9, 17, 30, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("days", "starts", "ends", "message"),
    [
        ([], "18:00", "02:00", "days"),
        (["fredag"], "18:00", "02:00", "days"),
        (["fri"], "18", "02:00", "from"),
        (["fri"], "18:00", "25:00", "to"),
        (["fri"], "18:00", "0²:00", "to"),
    ],
)
def test_bad_windows_name_the_field(days, starts, ends, message):
    with pytest.raises(ValueError, match=message):
        TimeWindow.from_names(days, starts, ends)


def test_the_counting_rule_takes_a_window_as_a_time_rule():
    from fieldlog.rules import in_window

    assert in_window(EVENINGS, at("2026-01-09T19:00"))
    assert not in_window(EVENINGS, at("2026-01-09T12:00"))
