"""Writing to the append-only audit log: the one way an event is made, alone or in a batch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from ..models import AuditEvent, User, utcnow
from . import bulk


def event_row(
    action: str,
    object_type: str = "",
    object_id: Any = "",
    *,
    before: dict | None = None,
    after: dict | None = None,
    actor: User | None = None,
    actor_name: str | None = None,
    police_area_id: int | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The columns of one audit event, with the same fields wherever it is written.

    ``actor`` defaults to the logged-in user of the request; ``actor_name`` to
    the actor's username (``cli`` for the command line); ``police_area_id`` to
    the actor's area; the address is the request's client address, if any.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if police_area_id is None and actor is not None:
        police_area_id = actor.police_area_id
    return {
        "at": at or utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_name": actor_name or (actor.username if actor else ""),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "police_area_id": police_area_id,
        "before": before,
        "after": after,
        "address": request.remote_addr if has_request_context() else None,
    }


def record_rows(rows: list[dict[str, Any]]) -> None:
    """Insert events made by :func:`event_row` in the caller's transaction, in one statement."""
    if rows:
        bulk.insert_rows(AuditEvent.__table__, rows)


def record(action: str, object_type: str = "", object_id: Any = "", **fields: Any) -> None:
    """Add one audit event to the caller's transaction (the caller commits).

    Takes the arguments of :func:`event_row`.
    """
    record_rows([event_row(action, object_type, object_id, **fields)])
