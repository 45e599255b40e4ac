"""Admins keep the time windows promises count in, checked by the import's rules, audited;
a changed window recounts every promise that uses it (CONTRACT.md, Version 2, rule 3)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..models import Promise, TimeWindow, User
from . import audit, tallies
from .admin_problems import Problem, ProblemsError, from_import
from .import_rules import validate_document
from .time_rules import promises_using

# The import's field names (``from``, ``to``) as the form and the table name them.
FORM_FIELDS = {"from": "starts", "to": "ends"}


def all_windows() -> list[TimeWindow]:
    """Every stored time window, by Swedish label."""
    return list(db.session.scalars(select(TimeWindow).order_by(TimeWindow.label)))


def snapshot(w: TimeWindow) -> dict[str, Any]:
    """A time window as plain values (the import's field names), for the audit log."""
    return {
        "code": w.code,
        "label": w.label,
        "label_en": w.label_en,
        "days": list(w.days or []),
        "from": w.starts,
        "to": w.ends,
        "holidays": bool(w.holidays),
    }


def users_of(code: str) -> list[Promise]:
    """The promises that count in the window ``code``."""
    return promises_using([code])


def save(actor: User, data: dict, window_id: int | None = None) -> tuple[TimeWindow, int]:
    """Create (no id) or change a time window, its code fixed once made; admins only.
    The window, and how many promises were recounted."""
    if actor.role != "admin":
        raise PermissionError("admins only")
    begin_write()
    existing = db.session.get(TimeWindow, window_id) if window_id is not None else None
    if window_id is not None and existing is None:
        db.session.rollback()
        raise LookupError(window_id)
    if existing is not None:
        data["code"] = existing.code
    item = {
        "code": data.get("code"),
        "label": data.get("label"),
        "label_en": data.get("label_en"),
        "days": list(data.get("days") or []),
        "from": data.get("from"),
        "to": data.get("to"),
        "holidays": bool(data.get("holidays")),
    }
    problems = from_import(validate_document({"version": 2, "time_windows": [item]}), FORM_FIELDS)
    if existing is None and db.session.scalar(
        select(TimeWindow.id).where(TimeWindow.code == item["code"])
    ):
        problems.append(Problem("code", _("används redan av ett annat tidsfönster.")))
    if problems:
        db.session.rollback()
        raise ProblemsError(problems)
    before = snapshot(existing) if existing else None
    window = existing or TimeWindow(code=item["code"])
    window.label, window.label_en = item["label"], item["label_en"]
    window.days, window.starts, window.ends = item["days"], item["from"], item["to"]
    window.holidays = item["holidays"]
    db.session.add(window)
    db.session.flush()
    after = snapshot(window)
    recounted = 0
    if before != after:
        rule = ("days", "from", "to", "holidays")
        if before is not None and any(before[k] != after[k] for k in rule):
            ids = [p.id for p in users_of(window.code)]
            if ids:
                tallies.rebuild(ids)
            recounted = len(ids)
        audit.record(
            "time_window.changed" if existing else "time_window.created",
            "time_window",
            window.id,
            before=before,
            after={**after, "promises_recounted": recounted},
            police_area_id=actor.police_area_id,
        )
    db.session.commit()
    return window, recounted
