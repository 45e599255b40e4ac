"""The domain rules of DESIGN.md as plain functions that know nothing of HTTP or the database."""

from .calendar import is_inconvenient, local_year, to_local
from .in_force import commitment_in_force, in_force_during_year
from .progress import progress_status

__all__ = [
    "commitment_in_force",
    "in_force_during_year",
    "is_inconvenient",
    "local_year",
    "progress_status",
    "to_local",
]
