"""How a promise's count stands against its target (CONTRACT.md, rules 5 and 6 of Version 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """At least ``count`` per ``per`` (year, tertial, quarter, month, week or period), and
    with ``each_place`` for every listed place."""

    count: int
    per: str = "year"
    each_place: bool = False


def target_in_year(targets: Sequence[tuple[int, Target]], year: int) -> Target | None:
    """The target of ``year``: the last one whose ``from_year`` ≤ ``year`` (rule 5).

    ``targets`` are (from_year, target) pairs in increasing from_year; None
    when there are none or all start later.
    """
    found = None
    for from_year, target in targets:
        if from_year <= year:
            found = target
    return found


def share_gone(start: dt.date, end: dt.date, today: dt.date) -> float:
    """The share of the days ``start``..``end`` that have passed by the end of ``today``."""
    if today < start:
        return 0.0
    if today >= end:
        return 1.0
    return ((today - start).days + 1) / ((end - start).days + 1)


def part_of_year_gone(year: int, today: dt.date, counting_from: dt.date | None = None) -> float:
    """The share of ``year`` gone by the end of ``today``, counted from the later of
    1 January and ``counting_from`` (0 before, 1 after)."""
    start = dt.date(year, 1, 1)
    if counting_from is not None and counting_from.year == year:
        start = max(start, counting_from)
    return share_gone(start, dt.date(year, 12, 31), today)


def progress_status(
    counted: int,
    target: int | None,
    year: int,
    today: dt.date,
    counting_from: dt.date | None = None,
) -> str:
    """``no_target``, ``met``, ``on_track``, ``behind`` or ``missed`` for a yearly target.

    On track when counted ≥ target × the part of the year gone, measured in
    days from the later of 1 January and ``counting_from`` (the agreement's
    ``valid_from``); CONTRACT.md, "Status".
    """
    if not target:
        return "no_target"
    if counted >= target:
        return "met"
    if today.year > year:
        return "missed"
    if counted >= target * part_of_year_gone(year, today, counting_from):
        return "on_track"
    return "behind"


def periodic_status(due_met: Sequence[bool], over: bool) -> str:
    """The status of a target per week, month, quarter or tertial (rule 6).

    ``due_met`` says for each due period whether it was met; ``over`` whether
    the year (the ISO year for weeks; the asked period with ``period=``) is over.
    """
    missed_one = not all(due_met)
    if over:
        return "missed" if missed_one else "met"
    return "behind" if missed_one else "on_track"


def validity_status(
    counted: int, target: int, valid_from: dt.date, valid_to: dt.date, today: dt.date
) -> str:
    """The status of a target for the agreement's whole validity (``per: period``), judged today
    on the count over the whole validity."""
    if counted >= target:
        return "met"
    if today > valid_to:
        return "missed"
    if counted >= target * share_gone(valid_from, valid_to, today):
        return "on_track"
    return "behind"
