"""Rule 1: which commitment of a municipality is in force on a day."""

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar


class Period(Protocol):
    valid_from: dt.date
    valid_to: dt.date
    until_superseded: bool


P = TypeVar("P", bound=Period)


def commitment_in_force(commitments: Iterable[P], day: dt.date) -> P | None:
    """The commitment in force on ``day`` among one municipality's commitments, or None.

    The one whose period covers the day; failing that, the latest that started
    before the day and stays in force until superseded, as long as no later
    commitment has started by then.
    """
    items = sorted(commitments, key=lambda c: c.valid_from)
    covering = [c for c in items if c.valid_from <= day <= c.valid_to]
    if covering:
        return covering[-1]
    started = [c for c in items if c.valid_from <= day]
    if started and started[-1].until_superseded:
        return started[-1]
    return None


def in_force_during_year(commitments: Iterable[P], year: int) -> list[P]:
    """The commitments of one municipality in force on some day of ``year``, oldest first."""
    items = list(commitments)
    # Which one is in force changes only at a commitment's start or the day after its end.
    edges = {dt.date(year, 1, 1)} | {
        d
        for c in items
        for d in (c.valid_from, c.valid_to + dt.timedelta(days=1))
        if d.year == year
    }
    found: list[P] = []
    for day in sorted(edges):
        c = commitment_in_force(items, day)
        if c is not None and c not in found:
            found.append(c)
    return sorted(found, key=lambda c: c.valid_from)
