"""GET /healthz for load balancers and operators: the database answers and its schema is current."""

from __future__ import annotations

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, limiter

bp = Blueprint("health", __name__)


@cache
def code_heads(directory: str) -> frozenset[str]:
    """The newest revisions of the migrations this code ships (read once per process)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def database_heads() -> frozenset[str]:
    """The revisions the database says it is at (empty when it was never migrated)."""
    with db.engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


def problem() -> str | None:
    """Why this instance should get no traffic, or None when it is healthy."""
    try:
        found = database_heads()
    except SQLAlchemyError:
        current_app.logger.warning("health check: the database does not answer", exc_info=True)
        return "database unreachable"
    if found != code_heads(current_app.extensions["migrate"].directory):
        return "migrations not current"
    return None


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 ``{"status": "ok"}`` when healthy, else 503 with the reason; no login, no data."""
    reason = problem()
    if reason is None:
        return jsonify(status="ok")
    return jsonify(status="unavailable", reason=reason), 503
