"""What an officer narrows their own entries to: text, dates, promise, section and page.

Read from the query string with every bad value named by its field, never
guessed; turned into SQL conditions on the entries.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select

from ..database import unicode_lower
from ..inputs import whole_number
from ..models import Entry, Promise
from .sections import SECTIONS

LONGEST_QUERY = 200
LAST_PAGE = 10_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass
class OwnFilters:
    """The narrowing asked for; ``status`` empty is the overview of every section."""

    q: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    promise: str = ""
    status: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Any, promise_keys: set[str]) -> OwnFilters:
        """Read the query string; each bad value leaves its reason in ``errors`` by field name."""
        found = cls()
        found.q = _text(args.get("q", ""), found.errors)
        found.start = _day(args.get("from", ""), "from", found.errors)
        found.end = _day(args.get("to", ""), "to", found.errors)
        if found.start and found.end and found.end < found.start:
            found.errors["to"] = _("Till-datumet ligger före från-datumet.")
        found.promise = args.get("promise", "").strip()
        if found.promise and found.promise not in promise_keys:
            found.errors["promise"] = _("Inget av dina löften har den nyckeln.")
        found.status = args.get("status", "").strip()
        if found.status and found.status not in SECTIONS:
            found.errors["status"] = _("Okänt urval.")
        raw_page = args.get("page", "")
        if raw_page.strip():
            page = whole_number(raw_page, minimum=1, maximum=LAST_PAGE)
            if page is not None:
                found.page = page
            else:
                found.errors["page"] = _("Sidan måste vara ett heltal från 1 till 10000.")
        return found

    @property
    def narrowed(self) -> bool:
        """Whether text, dates or a promise narrow the entries."""
        return bool(self.q or self.start or self.end or self.promise)

    def args(self, **changes: Any) -> dict[str, str]:
        """The query string of these filters with ``changes``, empty values left out."""
        values = {
            "q": self.q,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "promise": self.promise,
            "status": self.status,
            "page": str(self.page) if self.page > 1 else "",
        }
        values.update({k: "" if v is None else str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}

    def clauses(self, zone: str) -> list[ColumnElement[bool]]:
        """SQL conditions on ``entry`` for the text, the dates (local days) and the promise."""
        found: list[ColumnElement[bool]] = []
        if self.promise:
            found.append(
                Entry.promise_id.in_(select(Promise.id).where(Promise.key == self.promise))
            )
        if self.q:
            needle = self.q.lower()
            found.append(
                or_(
                    unicode_lower(Entry.place).contains(needle, autoescape=True),
                    unicode_lower(Entry.notes).contains(needle, autoescape=True),
                )
            )
        tz = ZoneInfo(zone)
        if self.start:
            found.append(Entry.started_at >= dt.datetime.combine(self.start, dt.time(), tz))
        if self.end:
            after = self.end + dt.timedelta(days=1)
            found.append(Entry.started_at < dt.datetime.combine(after, dt.time(), tz))
        return found


def field_labels() -> dict[str, str]:
    """The filters' names as the page shows them, to name a bad one."""
    return {
        "q": _("Sök"),
        "from": _("Från och med"),
        "to": _("Till och med"),
        "promise": _("Löfte"),
        "status": _("Urval"),
        "page": _("Sida"),
    }


def _text(raw: str, errors: dict[str, str]) -> str:
    value = raw.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        errors["q"] = _("Sökningen innehåller ett styrtecken.")
        return ""
    if len(value) > LONGEST_QUERY:
        errors["q"] = _("Högst %(n)d tecken.", n=LONGEST_QUERY)
        return ""
    return value


def _day(raw: str, name: str, errors: dict[str, str]) -> dt.date | None:
    value = raw.strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value) if DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[name] = _("Ett datum ÅÅÅÅ-MM-DD mellan år 2000 och 2100.")
        return None
    return day
