"""Reading the audit log: an entry's history, and the search of /audit (its words: audit_words)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, func, not_, or_, select

from ..edge import int_arg
from ..extensions import db
from ..labels import ACTION_WORDS, action_words
from ..models import AuditEvent, User
from ..services import scope

PER_PAGE = 50
LAST_PAGE = 100_000


def entry_history(entry_id: int) -> list[AuditEvent]:
    """Every audit event of one entry, oldest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == "entry", AuditEvent.object_id == str(entry_id))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(db.session.scalars(stmt))


@dataclass
class AuditQuery:
    """The search of /audit; every part optional."""

    action: str = ""
    user: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    object_id: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> tuple[AuditQuery, dict[str, str]]:
        """Read the search from a query string; the errors by field."""
        errors: dict[str, str] = {}

        def day(name: str) -> dt.date | None:
            raw = (args.get(name) or "").strip()
            if not raw:
                return None
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                errors[name] = _("Ange ett datum som ÅÅÅÅ-MM-DD.")
                return None

        query = cls(
            action=(args.get("action") or "").strip()[:40],
            user=(args.get("user") or "").strip()[:80],
            date_from=day("from"),
            date_to=day("to"),
            object_id=(args.get("object_id") or "").strip()[:80],
            page=int_arg("page", 1, maximum=LAST_PAGE, args=args),
        )
        if query.date_from and query.date_to and query.date_to < query.date_from:
            errors["to"] = _("Slutdatumet ligger före startdatumet.")
        return query, errors

    def args(self, **override) -> dict[str, Any]:
        """The search as query-string arguments (for the pages' links)."""
        found = {
            "action": self.action,
            "user": self.user,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "object_id": self.object_id,
            "page": self.page,
        }
        found.update(override)
        return {k: v for k, v in found.items() if v not in ("", None)}


def _scoped(viewer: User):
    return select(AuditEvent).where(scope.audit_clause(viewer))


def known_actions(viewer: User) -> list[tuple[str, str]]:
    """The actions found in the viewer's part of the log and those named, in words, for the
    filter; sorted by their words."""
    stmt = _scoped(viewer).with_only_columns(AuditEvent.action).distinct()
    actions = set(db.session.scalars(stmt)) | set(ACTION_WORDS)
    return sorted(((a, action_words(a)) for a in actions), key=lambda pair: pair[1].lower())


def _action_clause(action: str):
    """Events of one action; a resend is an edit of a rejected entry until logged as its own."""
    resend = and_(
        AuditEvent.action == "entry.edited",
        func.coalesce(AuditEvent.before["status"].as_string(), "") == "rejected",
    )
    if action == "entry.resent":
        return or_(AuditEvent.action == action, resend)
    if action == "entry.edited":
        return and_(AuditEvent.action == action, not_(resend))
    return AuditEvent.action == action


def _user_clause(text: str):
    """Events by a user whose login or shown name holds ``text``."""
    needle = text.lower()
    named = select(User.id).where(func.lower(User.display_name).contains(needle, autoescape=True))
    return or_(
        func.lower(AuditEvent.actor_name).contains(needle, autoescape=True),
        AuditEvent.actor_id.in_(named),
    )


def search(viewer: User, query: AuditQuery, zone: str) -> tuple[list[AuditEvent], bool]:
    """One page of the viewer's police area's events matching ``query``, newest first; more?"""
    stmt = _scoped(viewer)
    if query.action:
        stmt = stmt.where(_action_clause(query.action))
    if query.user:
        stmt = stmt.where(_user_clause(query.user))
    tz = ZoneInfo(zone)
    if query.date_from:
        start = dt.datetime.combine(query.date_from, dt.time(), tz)
        stmt = stmt.where(AuditEvent.at >= start)
    if query.date_to:
        end = dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time(), tz)
        stmt = stmt.where(AuditEvent.at < end)
    if query.object_id:
        stmt = stmt.where(AuditEvent.object_id == query.object_id)
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    rows = list(db.session.scalars(stmt.offset((query.page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE
