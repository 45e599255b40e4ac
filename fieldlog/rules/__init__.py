"""The domain rules of DESIGN.md as plain functions that know nothing of HTTP or the database."""

from .calendar import is_holiday_or_eve, is_inconvenient, local_year, to_local
from .counting import counts, in_window, why_not_counted
from .in_force import commitment_in_force, in_force_during_year
from .progress import progress_status

__all__ = [
    "commitment_in_force",
    "counts",
    "in_force_during_year",
    "in_window",
    "is_holiday_or_eve",
    "is_inconvenient",
    "local_year",
    "progress_status",
    "to_local",
    "why_not_counted",
]
