"""Periods, targets by year and the status of rule 6 (CONTRACT.md, "Rules, amended")."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldlog.rules.periods import (
    is_due,
    iso_weeks,
    named_period,
    period_holding,
    periods_of_year,
    week_year_span,
)
from fieldlog.rules.progress import (
    Target,
    periodic_status,
    progress_status,
    target_in_year,
    validity_status,
)

D = dt.date


def test_tertials_quarters_and_months_split_the_calendar_year():
    for per, n in (("tertial", 3), ("quarter", 4), ("month", 12)):
        found = periods_of_year(per, 2024)
        assert len(found) == n
        assert found[0].start == D(2024, 1, 1) and found[-1].end == D(2024, 12, 31)
        assert all(
            a.end + dt.timedelta(days=1) == b.start for a, b in zip(found, found[1:], strict=False)
        )
    assert [(p.name, p.start, p.end) for p in periods_of_year("tertial", 2026)] == [
        ("T1", D(2026, 1, 1), D(2026, 4, 30)),
        ("T2", D(2026, 5, 1), D(2026, 8, 31)),
        ("T3", D(2026, 9, 1), D(2026, 12, 31)),
    ]
    assert named_period("M02", 2024).end == D(2024, 2, 29)
    assert named_period("Q3", 2026).start == D(2026, 7, 1)


@pytest.mark.parametrize("bad", ["T4", "Q0", "M13", "M1", "t1", "", "T1 ", "W01"])
def test_unknown_period_names_are_refused(bad):
    with pytest.raises(ValueError, match="period"):
        named_period(bad, 2026)


def test_iso_week_53_and_weeks_across_new_year():
    weeks = iso_weeks(2026)
    assert len(weeks) == 53  # 2026 has an ISO week 53
    assert weeks[0].start == D(2025, 12, 29)  # week 1 begins in December 2025
    assert weeks[-1].name == "2026-W53" and weeks[-1].end == D(2027, 1, 3)
    assert len(iso_weeks(2027)) == 52
    # 2 January 2027 lies in week 53 of 2026, not in a week of 2027.
    assert period_holding("week", D(2027, 1, 2)).name == "2026-W53"
    assert week_year_span(2026).end == D(2027, 1, 3)
    assert all(w.start.weekday() == 0 and w.days == 7 for w in weeks)


def test_a_period_is_due_only_when_over_and_wholly_in_force():
    in_force = lambda day: day >= D(2026, 3, 4)  # noqa: E731 (an agreement from 4 March)
    march, april = named_period("M03", 2026), named_period("M04", 2026)
    assert not is_due(march, D(2026, 6, 1), in_force)  # only partly in force
    assert is_due(april, D(2026, 5, 1), in_force)
    assert not is_due(april, D(2026, 4, 30), in_force)  # its last day is not over


def test_targets_by_year_keep_earlier_years():
    targets = [(2023, Target(5)), (2025, Target(12))]
    assert target_in_year(targets, 2024) == Target(5)
    assert target_in_year(targets, 2025) == Target(12)
    assert target_in_year(targets, 2030) == Target(12)
    assert target_in_year(targets, 2022) is None
    assert target_in_year([], 2024) is None


def test_yearly_status_counts_from_the_agreement_start():
    # An agreement from 1 July: by 30 September half of its part of the year has gone.
    assert progress_status(2, 4, 2026, D(2026, 9, 30), D(2026, 7, 1)) == "on_track"
    assert progress_status(2, 4, 2026, D(2026, 9, 30)) == "behind"  # from 1 January
    assert progress_status(0, None, 2026, D(2026, 9, 30)) == "no_target"


def test_periodic_status():
    assert periodic_status([True, True], over=False) == "on_track"
    assert periodic_status([True, False], over=False) == "behind"
    assert periodic_status([True, True], over=True) == "met"
    assert periodic_status([False], over=True) == "missed"


def test_status_over_the_whole_validity():
    start, end = D(2023, 1, 1), D(2024, 12, 31)
    assert validity_status(10, 10, start, end, D(2023, 2, 1)) == "met"
    assert validity_status(5, 10, start, end, D(2023, 12, 31)) == "on_track"
    assert validity_status(4, 10, start, end, D(2023, 12, 31)) == "behind"
    assert validity_status(9, 10, start, end, D(2025, 1, 1)) == "missed"
