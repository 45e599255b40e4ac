"""Rule 3: whether an entry counts for its promise, and why not.

An entry counts when it is approved and its start lies inside its promise's
time rule (DESIGN.md, rules 3 and 4). Whether the start lies inside is stored
with the entry (``Entry.in_window``) when it is saved, and recomputed by
``tally rebuild``; the SQL twin of :func:`why_not_counted` stands beside the
tally queries (``services.tallies.counted_clause``).
"""

from __future__ import annotations

import datetime as dt

from .calendar import DEFAULT_ZONE, is_inconvenient
from .windows import TimeWindow

OBEKVAM_TID = "obekvam_tid"
TIME_RULES = (OBEKVAM_TID,)

# Why an entry does not count.
NOT_APPROVED = "not_approved"
OUTSIDE_WINDOW = "outside_window"


def in_window(
    time_rule: str | TimeWindow | None, started_at: dt.datetime, zone: str = DEFAULT_ZONE
) -> bool:
    """Whether a start lies inside a promise's time rule; True for a promise without one.

    ``time_rule`` is None, ``obekvam_tid`` (DESIGN.md, glossary) or a time
    window. Raises ValueError for an unknown rule or a naive time.
    """
    if time_rule is None:
        return True
    if isinstance(time_rule, TimeWindow):
        return time_rule.contains(started_at, zone)
    if time_rule == OBEKVAM_TID:
        return is_inconvenient(started_at, zone)
    raise ValueError(f"unknown time rule {time_rule!r}")


def why_not_counted(status: str, inside_window: bool) -> str | None:
    """None when an entry with this review ``status`` counts; else ``not_approved`` or
    ``outside_window``."""
    if status != "approved":
        return NOT_APPROVED
    if not inside_window:
        return OUTSIDE_WINDOW
    return None


def counts(status: str, inside_window: bool) -> bool:
    """Whether an entry counts towards its promise's target."""
    return why_not_counted(status, inside_window) is None
