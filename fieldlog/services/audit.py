"""Writing to the append-only audit log: the one way an event is made, alone or in a batch.

Every event is chained to the one before it (services/audit_chain.py), which
needs the writers to take turns: two transactions reading the same head would
fork the chain. So events wait in the session and are written as the last
step of its commit: on PostgreSQL under a transaction-level advisory lock,
then the head is read, ids are drawn and each event is hashed onto the one
before it. The lock is held only from there to the commit, so writers do not
queue behind each other's whole work, and the holder takes no row lock after
it, so it cannot deadlock with them. SQLite's writers take turns already
(BEGIN IMMEDIATE). An event recorded inside a savepoint that is rolled back is
dropped with it, as its row would have been.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db
from ..models import AuditEvent, User, utcnow
from . import bulk
from .audit_chain import GENESIS, event_hash

PENDING = "fieldlog.audit.pending"  # events recorded in the session, written at its commit
MARKS = "fieldlog.audit.marks"  # savepoint → how many events were pending when it began
# pg_advisory_xact_lock key of the chain's head: "fieldlog" in ASCII.
CHAIN_LOCK = int.from_bytes(b"fieldlog", "big")
NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('audit_event', 'id')) FROM generate_series(1, :n)"
)


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
    """Add events made by :func:`event_row` to the caller's transaction (written at its commit)."""
    if rows:
        db.session.connection()  # the events belong to the transaction open now
        db.session.info.setdefault(PENDING, []).extend(rows)


def record(action: str, object_type: str = "", object_id: Any = "", **fields: Any) -> None:
    """Add one audit event to the caller's transaction (the caller commits).

    Takes the arguments of :func:`event_row`.
    """
    record_rows([event_row(action, object_type, object_id, **fields)])


def write_chained(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` at the head of the chain, each hashed onto the one before it."""
    table = AuditEvent.__table__
    rows = bulk.complete_rows(table, rows)
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head = conn.execute(select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1))
    head = head.first()
    if postgres:
        ids = sorted(conn.scalars(NEXT_IDS, {"n": len(rows)}))
    else:
        start = head.id + 1 if head else 1
        ids = list(range(start, start + len(rows)))
    previous = head.hash if head else GENESIS
    for ident, row in zip(ids, rows, strict=True):
        row["id"], row["prev_hash"] = ident, previous
        row["at"] = row["at"].astimezone(dt.UTC)
        row["hash"] = previous = event_hash(row)
    conn.execute(insert(table), rows)


@event.listens_for(db.session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released; the events wait for the commit
        return
    rows = session.info.pop(PENDING, None)
    if rows:
        session.flush()
        write_chained(session, rows)


@event.listens_for(db.session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(MARKS, {})[id(transaction)] = len(session.info.get(PENDING, ()))


@event.listens_for(db.session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    # Dispatched after the transaction's after_transaction_end, so the mark is still here.
    if previous.nested:
        mark = session.info.get(MARKS, {}).pop(id(previous), None)
        if mark is not None and PENDING in session.info:
            del session.info[PENDING][mark:]
    else:
        session.info.pop(PENDING, None)


@event.listens_for(db.session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(PENDING, None)
        session.info.pop(MARKS, None)
