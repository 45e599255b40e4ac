"""PostgreSQL roles: connected as the app role, the audit log can be added to, never emptied."""

from __future__ import annotations

import os
import uuid

import pytest
from flask import current_app
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.exc import DBAPIError

from fieldlog import create_app
from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry, User

from .review_helpers import log

PG_URL = os.environ.get("FIELDLOG_TEST_DATABASE_URL")


def test_db_roles_prints_the_sql_and_refuses_bad_names(runner):
    result = runner.invoke(args=["db-roles", "--owner", "fl_owner", "--app-role", "fl_app"])
    assert result.exit_code == 0
    assert 'REVOKE UPDATE, DELETE ON public.audit_event FROM "fl_app";' in result.output
    assert "ALTER TABLE public.%I OWNER TO %I" in result.output
    bad = runner.invoke(args=["db-roles", "--owner", 'x"; DROP', "--app-role", "fl_app"])
    assert bad.exit_code == 1 and "--owner" in bad.output
    same = runner.invoke(args=["db-roles", "--owner", "fl", "--app-role", "fl"])
    assert same.exit_code == 1 and "--app-role" in same.output


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's roles")
@pytest.mark.commits
def test_the_app_role_cannot_empty_change_or_unguard_the_audit_log(app, runner, users):
    log(users["officer"], 2, started_at="2026-03-03T10:00")
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    db.session.commit()
    suffix = uuid.uuid4().hex[:8]
    owner, app_role = f"fl_owner_{suffix}", f"fl_app_{suffix}"
    as_app = make_url(PG_URL).set(username=app_role)
    try:
        result = runner.invoke(
            args=["db-roles", "--owner", owner, "--app-role", app_role, "--execute"]
        )
        assert result.exit_code == 0, result.output
        engine = create_engine(as_app)
        refused = {}
        for statement in (
            "TRUNCATE audit_event",
            "DELETE FROM audit_event",
            "UPDATE audit_event SET actor_name = 'nobody'",
            "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update",
            "DROP TRIGGER audit_event_no_update ON audit_event",
            "ALTER TABLE audit_event DROP CONSTRAINT uq_audit_event_prev_hash",
            "DROP TABLE audit_event",
            "CREATE TABLE audit_copy (id int)",
        ):
            with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
                conn.execute(text(statement))
            refused[statement] = type(caught.value.orig).__name__
        engine.dispose()
        assert set(refused.values()) == {"InsufficientPrivilege"}, refused
        # Served as the app role, the app still logs, reviews and adds to the chain.
        served = create_app({**current_app.config, "SQLALCHEMY_DATABASE_URI": as_app})
        with served.app_context():
            officer = db.session.scalar(select(User).where(User.username == "officer"))
            (entry_id,) = log(officer, started_at="2026-03-04T10:00")
            db.session.get(Entry, entry_id).place = "Torget"  # an ordinary table: writable
            db.session.commit()
            verify = served.test_cli_runner().invoke(args=["audit", "verify"])
            db.session.remove()
            db.engine.dispose()
        assert verify.exit_code == 0, verify.output
        assert f"{events + 1} audit event(s), chain intact" in verify.output
    finally:
        db.session.remove()
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            for role in (owner, app_role):
                exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
                if exists:
                    conn.execute(text(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER'))
                    conn.execute(text(f'DROP OWNED BY "{role}"'))
                    conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()
