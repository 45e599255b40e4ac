"""The audit log's hash chain: `audit verify` names a removed or changed event, concurrency too."""

from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from fieldlog.database import begin_write
from fieldlog.extensions import db
from fieldlog.models import AuditEvent, User
from fieldlog.services import audit
from fieldlog.services.review import record_review

from .review_helpers import log

PG = bool(os.environ.get("FIELDLOG_TEST_DATABASE_URL"))


def tamper(statement: str, **params) -> None:
    """Change the log behind the app's back, as someone able to set the guards aside could."""
    db.session.commit()
    if PG:  # a superuser, or the tables' owner (never the app role: test_db_roles)
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update"))
        db.session.execute(text(statement), params)
        db.session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update"))
    else:  # anyone with the file: DROP TRIGGER, then DELETE works
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))
        db.session.execute(text(statement), params)
    db.session.commit()


def event_ids() -> list[int]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


@pytest.fixture
def history(users):
    """Users made, entries logged, one approved and one rejected: a log of some length."""
    ids = log(users["officer"], 3, started_at="2026-03-03T10:00", place="Torget")
    record_review(users["supervisor"], ids[0], "approve", None)
    record_review(users["supervisor"], ids[1], "reject", "Fel plats")
    return event_ids()


def test_verify_passes_on_an_untouched_log_and_prints_its_head(runner, history):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    last = db.session.get(AuditEvent, history[-1])
    assert f"{len(history)} audit event(s), chain intact" in result.output
    assert f"head: {last.id}:{last.hash}" in result.output
    assert (
        runner.invoke(args=["audit", "verify", "--anchor", f"{last.id}:{last.hash}"]).exit_code == 0
    )


def test_a_removed_event_is_named(runner, history):
    gone = history[4]
    tamper("DELETE FROM audit_event WHERE id = :id", id=gone)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit event {history[5]} does not follow event {history[3]}" in result.output


def test_a_changed_event_is_named(runner, history):
    tamper("UPDATE audit_event SET actor_name = 'someone else' WHERE id = :id", id=history[6])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit event {history[6]} was changed" in result.output
    assert "6 audit event(s) verified before the break" in result.output


def test_a_cut_off_or_rewritten_tail_is_caught_by_an_anchor(runner, history, users):
    head = runner.invoke(args=["audit", "verify"]).output.strip().splitlines()[-1]
    anchor = head.removeprefix("head: ")
    tamper("DELETE FROM audit_event WHERE id = :id", id=history[-1])
    # A chain alone cannot tell that its last events are gone (README); an anchor can.
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    cut = runner.invoke(args=["audit", "verify", "--anchor", anchor])
    assert cut.exit_code == 1 and f"audit event {history[-1]}" in cut.output
    log(users["officer"])  # the log grows again past the anchored id
    grown = runner.invoke(args=["audit", "verify", "--anchor", anchor])
    assert grown.exit_code == 1 and f"audit event {history[-1]}" in grown.output


def test_a_malformed_anchor_is_refused(runner, history):
    result = runner.invoke(args=["audit", "verify", "--anchor", "12:abc"])
    assert result.exit_code == 1 and "--anchor" in result.output


def test_events_of_a_rolled_back_transaction_or_savepoint_are_not_written(runner, history):
    begin_write()
    audit.record("test.rolled-back")
    db.session.rollback()
    begin_write()
    audit.record("test.kept")
    try:
        with db.session.begin_nested():
            audit.record("test.in-a-failed-savepoint")
            raise LookupError
    except LookupError:
        pass
    with db.session.begin_nested():
        audit.record("test.in-a-savepoint")
    db.session.commit()
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > history[-1])))
    assert actions == ["test.kept", "test.in-a-savepoint"]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


@pytest.mark.commits
def test_concurrent_writers_keep_one_unbroken_chain(app, runner, history):
    """Eight writers at once, single events and batches: every event stored, one chain."""
    writers, rounds, errors = 8, 15, []
    barrier = threading.Barrier(writers)

    def write(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                for i in range(rounds):
                    begin_write()
                    size = 1 + (n + i) % 4
                    audit.record_rows(
                        [
                            audit.event_row("test.concurrent", "writer", f"{n}.{i}.{k}")
                            for k in range(size)
                        ]
                    )
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001  (reported in the assertion below)
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    expected = sum(1 + (n + i) % 4 for n in range(writers) for i in range(rounds))
    db.session.commit()
    stored = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.concurrent")
    )
    assert stored == expected
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(history) + expected} audit event(s), chain intact" in result.output


def test_events_made_before_the_chain_are_chained_by_its_migration(runner, users, history):
    db.session.commit()
    db.session.remove()
    downgrade(revision="0002")
    unchained = sa.table(
        "audit_event",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("actor_name", sa.String),
        sa.column("action", sa.String),
        sa.column("object_type", sa.String),
        sa.column("object_id", sa.String),
        sa.column("after", sa.JSON),
    )
    # The id given, not drawn: events take explicit ids now, so the id sequence lags behind.
    next_id = db.session.scalar(select(func.max(unchained.c.id))) + 1
    db.session.execute(
        sa.insert(unchained).values(
            id=next_id,
            at=dt.datetime(2025, 5, 5, 10, 0, 0, 123456),
            actor_name="cli",
            action="test.old",
            object_type="entry",
            object_id="1",
            after={"place": "Torget", "lat": 65.9, "notes": "å"},
        )
    )
    db.session.commit()
    db.session.remove()
    upgrade()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(history) + 1} audit event(s), chain intact" in result.output
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    log(officer)  # events written after the migration continue the same chain
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(history) + 2} audit event(s), chain intact" in result.output
