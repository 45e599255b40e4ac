"""Writing to the append-only audit log."""

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from ..models import AuditEvent, User


def record(
    action: str,
    object_type: str = "",
    object_id: Any = "",
    *,
    before: dict | None = None,
    after: dict | None = None,
    actor: User | None = None,
    actor_name: str | None = None,
    police_area_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction (the caller commits)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        actor_id=actor.id if actor else None,
        actor_name=actor_name or (actor.username if actor else ""),
        police_area_id=police_area_id
        if police_area_id is not None
        else (actor.police_area_id if actor else None),
        address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
