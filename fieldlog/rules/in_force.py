"""Rule 1: which commitments of a municipality are in force on a day.

CONTRACT.md, Version 2, "Rules, amended" 1: each municipality has a
whole-area slot and one slot per district; a joint agreement fills the
whole-area slot of each municipality it covers. The rule of DESIGN.md applies
within each slot; the agreements in force for a municipality on a day are
those of its slots.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar


class Period(Protocol):
    valid_from: dt.date
    valid_to: dt.date
    until_superseded: bool
    district: str | None


P = TypeVar("P", bound=Period)


def _joint(commitment: Period) -> bool:
    return bool(getattr(commitment, "joint", False))


def _ended_by_own(commitment: P, items: list[P], day: dt.date) -> bool:
    """Whether a joint ``commitment`` has ended in this municipality by ``day``: a
    single-municipality agreement of the same slot that started after it, and by ``day``,
    ends it there from its ``valid_from`` for good (Version 2, "Rules, amended" 1), also
    once that agreement has ended in turn."""
    return _joint(commitment) and any(
        not _joint(c) and commitment.valid_from < c.valid_from <= day for c in items
    )


def commitment_in_force(commitments: Iterable[P], day: dt.date) -> P | None:
    """The commitment in force on ``day`` among one municipality's commitments of one slot,
    or None.

    The one whose period covers the day; failing that, the latest that started
    before the day and stays in force until superseded, as long as no later
    commitment has started by then. A joint agreement ended in this municipality by a
    later one of its own (:func:`_ended_by_own`) is not in force there again.
    """
    items = sorted(commitments, key=lambda c: c.valid_from)
    items = [c for c in items if not _ended_by_own(c, items, day)]
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


def slot_of(commitment: Period) -> str:
    """The slot a commitment fills in each municipality it covers: "" for the whole area,
    else its district's name."""
    return getattr(commitment, "district", None) or ""


def by_slot(commitments: Iterable[P]) -> dict[str, list[P]]:
    """One municipality's commitments by slot, the whole area ("") first, then districts
    by name."""
    slots: dict[str, list[P]] = {}
    for c in commitments:
        slots.setdefault(slot_of(c), []).append(c)
    return {name: slots[name] for name in sorted(slots)}


def in_force_in_slots(commitments: Iterable[P], day: dt.date) -> list[P]:
    """The commitments in force on ``day`` among one municipality's commitments (those
    naming it, joint ones included): one per slot at most, whole area first, then
    districts by name."""
    found = []
    for slot in by_slot(commitments).values():
        c = commitment_in_force(slot, day)
        if c is not None:
            found.append(c)
    return found


def in_force_in_slots_during_year(commitments: Iterable[P], year: int) -> list[P]:
    """The commitments of one municipality in force on some day of ``year`` in any of
    its slots, oldest first."""
    found: list[P] = []
    for slot in by_slot(commitments).values():
        found.extend(c for c in in_force_during_year(slot, year) if c not in found)
    return sorted(found, key=lambda c: (c.valid_from, slot_of(c)))
