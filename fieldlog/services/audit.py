"""Writing to the append-only audit log: the one way an event is made, alone or in a batch.

Every event is chained to the one before it (services/audit_chain.py): its
``prev_hash`` is the hash of event ``id - 1``. Events wait in the session and
are written as the last step of its commit, with explicit ids: the next id
after the head of the log, the head's hash as ``prev_hash``. The chain cannot
fork, because the primary key lets only one event hold each id: of two
transactions that read the same head, the second to insert meets the first's
row and writes again from the new head (``prev_hash`` is unique as well).

One event, the common case (an entry synced from a phone), costs one
statement: ``INSERT … SELECT`` reads the head, takes the next id and hashes the
event in SQL, ``ON CONFLICT DO NOTHING RETURNING id``. On PostgreSQL under READ
COMMITTED an insert of an id that another transaction holds waits for it and,
if it commits, inserts nothing; the same statement run again sees the new head.

Several events (a batch of entries) are hashed in Python, one onto the next,
and inserted by one multi-row INSERT inside a savepoint; if a single event took
one of their ids meanwhile, the savepoint is rolled back and the batch written
again from the new head. On PostgreSQL batches take turns among themselves
under a transaction-level advisory lock (held from there to the commit), so
that two batches never redo each other's work; a single event does not take it.
SQLite's writers take turns already (BEGIN IMMEDIATE). An event recorded inside
a savepoint that is rolled back is dropped with it, as its row would have been.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import (
    Connection,
    Insert,
    Select,
    Text,
    bindparam,
    cast,
    event,
    func,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from ..database import sha256_hex
from ..extensions import db
from ..models import AuditEvent, User, utcnow
from . import bulk
from .audit_chain import CHAINED, GENESIS, event_hash, hash_parts

PENDING = "fieldlog.audit.pending"  # events recorded in the session, written at its commit
MARKS = "fieldlog.audit.marks"  # savepoint → how many events were pending when it began
# pg_advisory_xact_lock key of the batches' turn: "fieldlog" in ASCII.
CHAIN_LOCK = int.from_bytes(b"fieldlog", "big")
# How often a write may find the head moved under it before giving up.
MOST_TRIES = 100
# How often a batch is hashed and written whole before its events go one by one.
BATCH_TRIES = 3


def _last_event() -> Select:
    """The id and hash of the newest event: the head of the chain (no row for an empty log)."""
    table = AuditEvent.__table__
    return select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)


class ChainBusyError(RuntimeError):
    """Other writers kept taking the next id of the audit log: the event was not written."""


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
    rows = bulk.complete_rows(AuditEvent.__table__, rows)
    for row in rows:
        row["at"] = row["at"].astimezone(dt.UTC)
    conn = session.connection()
    if len(rows) == 1:
        _append_one(conn, rows[0])
    else:
        _append_many(conn, rows)


def _append_one(conn: Connection, row: dict[str, Any]) -> None:
    head, middle, tail = hash_parts(row)
    params = {**row, "text_head": head, "text_middle": middle, "text_tail": tail}
    statement = _one_event_statement(conn.dialect.name)
    for _ in range(MOST_TRIES):
        if conn.execute(statement, params).first() is not None:
            return
        # Nothing inserted: another transaction took the id (and committed it); the
        # statement run again reads the new head.
    raise ChainBusyError(f"audit event not written: its id was taken {MOST_TRIES} times")


@cache
def _one_event_statement(dialect: str) -> Insert:
    """INSERT … SELECT of one event after the head, hashed in SQL; RETURNING id if written."""
    table = AuditEvent.__table__
    last = _last_event().subquery()
    # An aggregate over at most one row: always one row, (0, GENESIS) for an empty log.
    head = select(
        func.coalesce(func.max(last.c.id), 0).label("id"),
        func.coalesce(func.max(last.c.hash), GENESIS).label("hash"),
    ).subquery("head")
    new_id = head.c.id + 1
    canonical = (
        bindparam("text_head", type_=Text)
        + cast(new_id, Text)
        + bindparam("text_middle", type_=Text)
        + head.c.hash
        + bindparam("text_tail", type_=Text)
    )
    given = [c for c in table.columns if c.name not in (*CHAINED, "hash")]
    # WHERE true: SQLite would read the ON of ON CONFLICT as a join's after a bare FROM.
    chained = select(
        new_id,
        head.c.hash,
        sha256_hex(canonical),
        *(bindparam(c.name, type_=c.type) for c in given),
    ).where(true())
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    names = ["id", "prev_hash", "hash", *(c.name for c in given)]
    # No conflict target: a conflict on the unique prev_hash (two inserts of the same id
    # passing each other's checks) must also insert nothing rather than fail the commit.
    return (
        dialect_insert(table)
        .from_select(names, chained)
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )


def _append_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head_query = _last_event()
    for _ in range(BATCH_TRIES):
        head = conn.execute(head_query).first()
        previous = head.hash if head else GENESIS
        for ident, row in enumerate(rows, start=head.id + 1 if head else 1):
            row["id"], row["prev_hash"] = ident, previous
            row["hash"] = previous = event_hash(row)
        # The lock keeps other batches out, not single events (they do not take it, so
        # that they cost one statement): one may have taken an id of this batch since
        # the head was read. Its row is then refused by the primary key; the savepoint
        # keeps the transaction usable to write the batch again from the new head.
        try:
            with conn.begin_nested():
                bulk.insert_rows(AuditEvent.__table__, rows, keyed=True)
            return
        except IntegrityError:
            if conn.execute(head_query).first() == head:  # no one else wrote: a real fault
                raise
    # Overtaken again and again by single events: write them one by one as those do,
    # each of which waits for no one and retries only its own statement.
    for row in rows:
        _append_one(conn, row)


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
