"""The sections of a user's own entries: which one an entry is shown in, in Python and in SQL.

An approved entry that does not count (its start lies outside its promise's
time rule) has a section of its own, so that the officer sees it at once.
The rule of counting is ``rules.counting``'s; its SQL twins are the tallies'.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement

from .. import rules
from ..models import Entry
from ..services.tallies import counted_clause, not_counted_clause

# In the order shown: what needs the officer's action first.
SECTIONS = ("rejected", "pending", "not_counted", "approved", "withdrawn")


def section_for(status: str, inside_window: bool) -> str:
    """The section of an entry with this review ``status`` and window flag."""
    if status == "approved" and not rules.counts(status, inside_window):
        return "not_counted"
    return status


def section_of(entry: Entry) -> str:
    """The section a stored entry is shown in (by its stored window flag, as the tallies count)."""
    return section_for(entry.status, entry.in_window)


def section_clause(name: str) -> ColumnElement[bool]:
    """SQL twin of :func:`section_of`: the entries of section ``name``."""
    if name == "approved":
        return counted_clause()
    if name == "not_counted":
        return not_counted_clause()
    return Entry.status == name


def section_titles() -> dict[str, str]:
    """The heading of each section, in the interface language."""
    return {
        "rejected": _("Avslagna"),
        "pending": _("Väntar på granskning"),
        "not_counted": _("Inte räknade"),
        "approved": _("Godkända"),
        "withdrawn": _("Återkallade"),
    }


def section_short_titles() -> dict[str, str]:
    """A word or two per section, for the row of counts at the top of the page."""
    return {**section_titles(), "pending": _("Väntar")}
