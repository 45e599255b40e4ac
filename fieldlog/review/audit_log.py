"""Reading the audit log: an entry's history, and the search of /audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..edge import int_arg
from ..extensions import db
from ..models import AuditEvent, User
from ..services import scope

PER_PAGE = 50
LAST_PAGE = 100_000

ACTION_LABELS = {
    "entry.created": _l("Post skapad"),
    "entry.edited": _l("Post ändrad"),
    "entry.withdrawn": _l("Post återkallad"),
    "entry.approved": _l("Post godkänd"),
    "entry.rejected": _l("Post avslagen"),
    "entry.corrected": _l("Post rättad"),
    "commitments.imported": _l("Medborgarlöften importerade"),
    "user.created": _l("Användare skapad"),
    "user.changed": _l("Användare ändrad"),
    "token.issued": _l("API-nyckel utfärdad"),
    "login": _l("Inloggning"),
    "login.failed": _l("Misslyckad inloggning"),
    "logout": _l("Utloggning"),
    "retention.applied": _l("Personuppgifter gallrade"),
    "backup.made": _l("Säkerhetskopia tagen"),
}


def action_label(action: str) -> str:
    """An audited action in words (exports and others not listed: the action itself)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label else action


FIELD_LABELS = {
    "status": _l("Status"),
    "promise": _l("Löfte"),
    "started_at": _l("Start"),
    "ended_at": _l("Slut"),
    "place": _l("Plats"),
    "officers": _l("Poliser"),
    "metrics": _l("Mått"),
    "notes": _l("Anteckningar"),
    "review_comment": _l("Kommentar"),
    "version": _l("Version"),
    "reason": _l("Skäl"),
}
STATUS_LABELS = {
    "pending": _l("väntar"),
    "approved": _l("godkänd"),
    "rejected": _l("avslagen"),
    "withdrawn": _l("återkallad"),
}


def _shown(name: str, value: Any, zone: str) -> str | None:
    """A stored value as a person reads it: local times, statuses in words."""
    if value is None or value == "":
        return None
    if name == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    if name.endswith("_at") and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dict):
        from .queue import metric_label

        return ", ".join(f"{metric_label(k)} {v}" for k, v in value.items()) or None
    return str(value)


def changes(event: AuditEvent, zone: str = "Europe/Stockholm") -> list[tuple[str, Any, Any]]:
    """The fields an event changed, for people: (label, before, after); before None when new."""
    before, after = event.before or {}, event.after or {}
    keys = list(before) + [k for k in after if k not in before]
    found = []
    for k in keys:
        if before.get(k) == after.get(k) or k == "client_id":
            continue
        label = str(FIELD_LABELS.get(k, k))
        found.append((label, _shown(k, before.get(k), zone), _shown(k, after.get(k), zone)))
    return found


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


def known_actions(viewer: User) -> list[str]:
    """The actions found in the viewer's part of the log, for the filter."""
    stmt = _scoped(viewer).with_only_columns(AuditEvent.action).distinct()
    return sorted(set(db.session.scalars(stmt)) | set(ACTION_LABELS))


def search(viewer: User, query: AuditQuery, zone: str) -> tuple[list[AuditEvent], bool]:
    """One page of the viewer's police area's events matching ``query``, newest first; more?"""
    stmt = _scoped(viewer)
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.user:
        stmt = stmt.where(
            func.lower(AuditEvent.actor_name).contains(query.user.lower(), autoescape=True)
        )
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
