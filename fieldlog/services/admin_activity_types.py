"""Admins keep the activity types: labels, metrics and usual length, checked as on import."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..models import ActivityType, User
from . import audit
from .admin_problems import Problem, ProblemsError, from_import
from .import_rules import validate_document


def all_types() -> list[ActivityType]:
    """Every activity type, by Swedish label."""
    return list(db.session.scalars(select(ActivityType).order_by(ActivityType.label)))


def snapshot(a: ActivityType) -> dict[str, Any]:
    """An activity type as plain values for the audit log."""
    return {
        "code": a.code,
        "label": a.label,
        "label_en": a.label_en,
        "metrics": list(a.metrics or []),
        "metric_labels": dict(a.metric_labels or {}),
        "default_minutes": a.default_minutes,
    }


def save(actor: User, data: dict, type_id: int | None = None) -> ActivityType:
    """Create (no id) or change an activity type; its code is fixed once made. Admins only."""
    if actor.role != "admin":
        raise PermissionError("admins only")
    begin_write()
    existing = db.session.get(ActivityType, type_id) if type_id is not None else None
    if type_id is not None and existing is None:
        db.session.rollback()
        raise LookupError(type_id)
    if existing is not None:
        data["code"] = existing.code
    fields = ("code", "label", "label_en", "metrics", "metric_labels")
    doc = {"version": 2, "activity_types": [{k: data.get(k) for k in fields if k in data}]}
    problems = from_import(validate_document(doc))
    if existing is None and db.session.scalar(
        select(ActivityType.id).where(ActivityType.code == data["code"])
    ):
        problems.append(Problem("code", _("används redan av en annan aktivitetstyp.")))
    if len(set(data.get("metrics") or [])) != len(data.get("metrics") or []):
        problems.append(Problem("metrics", _("samma mått står två gånger.")))
    if problems:
        db.session.rollback()
        raise ProblemsError(problems)
    before = snapshot(existing) if existing else None
    obj = existing or ActivityType(code=data["code"])
    obj.label, obj.label_en = data["label"], data["label_en"]
    obj.metrics, obj.default_minutes = list(data["metrics"]), data["default_minutes"]
    obj.metric_labels = dict(data.get("metric_labels") or {})
    db.session.add(obj)
    db.session.flush()
    audit.record(
        "activity_type.changed" if existing else "activity_type.created",
        "activity_type",
        obj.id,
        before=before,
        after=snapshot(obj),
        police_area_id=actor.police_area_id,
    )
    db.session.commit()
    return obj
