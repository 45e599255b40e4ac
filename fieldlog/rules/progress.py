"""How a promise's yearly count stands against its target."""

import datetime as dt


def part_of_year_gone(year: int, today: dt.date) -> float:
    """The share of ``year`` that has passed by the end of ``today`` (0 before, 1 after)."""
    if today.year < year:
        return 0.0
    if today.year > year:
        return 1.0
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    return ((today - dt.date(year, 1, 1)).days + 1) / days


def progress_status(counted: int, target: int | None, year: int, today: dt.date) -> str:
    """``no_target``, ``met``, ``on_track``, ``behind`` or ``missed``, as in CONTRACT."""
    if not target:
        return "no_target"
    if counted >= target:
        return "met"
    if today.year > year:
        return "missed"
    if counted >= target * part_of_year_gone(year, today):
        return "on_track"
    return "behind"
