"""Appending to the audit log (issue 14): one statement for one event, one INSERT for a batch,
the same hash as ever, and one unbroken chain under concurrent writers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, text

from fieldlog.database import begin_write
from fieldlog.extensions import db
from fieldlog.models import AuditEvent
from fieldlog.services import audit
from fieldlog.services.audit_chain import GENESIS, HASHED, event_hash, hash_parts, verify

from .sqlcount import statements_of

PG = bool(os.environ.get("FIELDLOG_TEST_DATABASE_URL"))
AT = dt.datetime(2026, 5, 5, 10, 0, 0, 123456, tzinfo=dt.UTC)
CONTENTS = [
    {"before": None, "after": None, "address": None, "actor_id": None},
    {"after": {"place": "Älvsbyn ☃ 𝄞", "notes": 'han sa "hej"\n\t\\', "lat": 65.9}},
    {"before": {"b": [1, 2.5, None, {"z": True, "a": "å"}], "a": {}}, "after": {"x": []}},
    {"after": {"text": '"id":1', "id": 1, "prev_hash": GENESIS, "}": "{"}},
    {"after": {"text": ',"prev_hash":"', "nested": {"id": 2, "at": "x"}}, "object_id": '"id":3'},
    {"actor_name": "\u001f\u2028\ud7ff\ufeff", "action": "entry.created", "object_type": "ö"},
    {"at": dt.datetime(2026, 1, 1, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))},
    {"at": dt.datetime(2026, 1, 1, 12, 0)},  # naive: taken as UTC
]


def old_event_hash(row) -> str:
    """The definition of an event's hash before hash_parts, kept here as the reference."""
    content = {name: row[name] for name in HASHED}
    moment = row["at"]
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    content["at"] = moment.isoformat(timespec="microseconds")
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def a_row(**fields) -> dict:
    row = {
        "id": 41,
        "at": AT,
        "actor_id": 3,
        "actor_name": "officer",
        "action": "entry.edited",
        "object_type": "entry",
        "object_id": "12",
        "police_area_id": None,
        "before": {"place": "Torget"},
        "after": {"place": "Skolan"},
        "address": "127.0.0.1",
        "prev_hash": hashlib.sha256(b"the event before").hexdigest(),
    }
    return {**row, **fields}


@pytest.mark.parametrize("fields", [*CONTENTS, {"actor_name": "\u0000", "address": "::1"}])
@pytest.mark.parametrize("place", [(1, GENESIS), (41, "ab" * 32), (10**12, "0f" * 32)])
def test_the_parts_hash_as_the_canonical_text_always_did(fields, place):
    row = a_row(**fields, id=place[0], prev_hash=place[1])
    head, middle, tail = hash_parts(row)
    joined = f"{head}{row['id']}{middle}{row['prev_hash']}{tail}"
    assert hashlib.sha256(joined.encode()).hexdigest() == old_event_hash(row)
    assert event_hash(row) == old_event_hash(row)
    without_place = {k: v for k, v in row.items() if k not in ("id", "prev_hash")}
    assert hash_parts(without_place) == (head, middle, tail)


def write(*rows: dict) -> None:
    """Commit ``rows`` (made by event_row) as one transaction's events."""
    begin_write()
    audit.record_rows(list(rows))
    db.session.commit()


def stored() -> list[AuditEvent]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_an_empty_log_gets_event_1_after_genesis(app):
    write(audit.event_row("test.first", "entry", 1, after={"place": "Torget"}))
    (first,) = stored()
    assert (first.id, first.prev_hash) == (1, GENESIS)
    assert first.hash == old_event_hash({c: getattr(first, c) for c in HASHED})
    assert verify().intact


def test_one_event_is_one_statement(app, users):
    before = len(stored())
    for n in range(3):
        one = audit.event_row("test.one", "entry", n, after={"n": n, "å": "ä"})
        seen = statements_of(lambda one=one: write(one), requests_only=False)
        assert len(seen) == 1, seen
        assert seen[0].startswith("INSERT INTO audit_event")
    events = stored()
    assert len(events) == before + 3
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert verify().intact


def test_a_batch_is_one_insert_and_continues_the_chain(app, users):
    batch = [audit.event_row("test.batch", "entry", n, after={"n": n}) for n in range(500)]
    seen = statements_of(lambda: write(*batch), requests_only=False)
    (insert,) = [s for s in seen if s.startswith("INSERT")]
    if db.engine.dialect.name == "postgresql":  # the rows as one parameter (services/bulk.py)
        assert "json_to_recordset" in insert
    events = stored()
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert verify().intact


def test_singles_and_batches_of_any_size_keep_one_verified_chain(app, users):
    contents = [{**c, "at": AT} for c in CONTENTS if "at" not in c]
    for fields in contents:
        write({**audit.event_row("test.single"), **fields})
    write(*[{**audit.event_row("test.batch"), **fields} for fields in contents])
    # More bound values than SQLite takes in one statement: the INSERT is cut in parts.
    write(*[audit.event_row("test.large", "entry", n) for n in range(3000)])
    write(audit.event_row("test.single", after={"text": '"id":1,"prev_hash":"x"'}))
    events = stored()
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    report = verify()
    assert report.intact, report.problem
    assert report.events == len(events)


@contextmanager
def before_the_first(start: str, action):
    """Run ``action`` just before the first statement that starts with ``start``."""
    done = threading.Event()

    def before(conn, cursor, statement, *args) -> None:
        if statement.startswith(start) and not done.is_set():
            done.set()
            action()

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert done.is_set()


def in_other_sessions(app, *calls) -> list[threading.Thread]:
    """Start each call in a thread of its own with its own session; errors go to ``ERRORS``."""
    threads = [threading.Thread(target=_in_a_session, args=(app, call)) for call in calls]
    for thread in threads:
        thread.start()
    return threads


ERRORS: list[str] = []


def _in_a_session(app, call) -> None:
    with app.app_context():
        try:
            call()
        except Exception as exc:  # noqa: BLE001  (the tests assert ERRORS is empty)
            ERRORS.append(repr(exc))
        finally:
            db.session.remove()


def joined(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join()
    assert ERRORS == []


@pytest.fixture
def errors():
    ERRORS.clear()
    yield ERRORS
    ERRORS.clear()


needs_postgres = pytest.mark.skipif(
    not PG,
    reason="a PostgreSQL concurrency property: SQLite's writers take turns (BEGIN IMMEDIATE)",
)


@pytest.mark.commits
@needs_postgres
def test_a_batch_overtaken_by_a_single_event_writes_again_from_the_new_head(app, users, errors):
    head = stored()[-1].id
    single = audit.event_row("test.single")
    overtake = lambda: joined(in_other_sessions(app, lambda: write(single)))  # noqa: E731
    with before_the_first("INSERT INTO audit_event", overtake):
        write(*[audit.event_row("test.batch", "entry", n) for n in range(5)])
    written = [(e.id, e.action) for e in stored() if e.id > head]
    assert written == [(head + 1, "test.single")] + [(head + 2 + n, "test.batch") for n in range(5)]
    assert verify().intact


@pytest.mark.commits
@needs_postgres
def test_a_batch_overtaken_at_every_try_writes_its_events_one_by_one(app, users, errors):
    head = stored()[-1].id
    batch_thread = threading.current_thread()
    inserts: list[str] = []

    def overtake(conn, cursor, statement, *args) -> None:
        if threading.current_thread() is not batch_thread:
            return  # the overtaking single event's own statement
        if statement.startswith("INSERT INTO audit_event"):
            inserts.append(statement)
            if len(inserts) <= audit.BATCH_TRIES:  # before each try of the whole batch
                joined(in_other_sessions(app, lambda: write(audit.event_row("test.single"))))

    event.listen(db.engine, "before_cursor_execute", overtake)
    try:
        write(*[audit.event_row("test.batch", "entry", n) for n in range(5)])
    finally:
        event.remove(db.engine, "before_cursor_execute", overtake)
    written = [(e.id, e.action, e.object_id) for e in stored() if e.id > head]
    singles = [(head + 1 + n, "test.single", "") for n in range(audit.BATCH_TRIES)]
    after = head + 1 + audit.BATCH_TRIES
    assert written == singles + [(after + n, "test.batch", str(n)) for n in range(5)]
    # The whole batch tried BATCH_TRIES times, then each of its 5 events on its own.
    assert len(inserts) == audit.BATCH_TRIES + 5
    assert verify().intact


def wait_for_a_lock_wait(deadline_s: float = 30.0) -> None:
    """Return once some session of the test database waits for a lock (without sleeping)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + deadline_s
    with db.engine.connect() as conn:
        while not conn.scalar(query):
            conn.commit()  # a transaction sees one snapshot of pg_stat_activity
            assert time.monotonic() < deadline, "no writer came to wait for the other"


@pytest.mark.commits
@needs_postgres
def test_a_single_event_that_finds_its_id_taken_writes_again_on_the_new_head(app, users, errors):
    head = stored()[-1].id
    inserted, go = threading.Event(), threading.Event()

    def holder() -> None:  # writes the next event and holds it uncommitted
        begin_write()
        audit.write_chained(db.session, [audit.event_row("test.holder")])
        inserted.set()
        assert go.wait(60)
        db.session.commit()

    def single() -> None:  # reads the old head, so waits for the holder's row, then conflicts
        assert inserted.wait(60)
        write(audit.event_row("test.single"))

    inserts: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.startswith("INSERT INTO audit_event"):
            inserts.append(threading.current_thread().name)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        threads = in_other_sessions(app, holder, single)
        try:
            wait_for_a_lock_wait()
        finally:
            go.set()
        joined(threads)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    written = [(e.id, e.action) for e in stored() if e.id > head]
    assert written == [(head + 1, "test.holder"), (head + 2, "test.single")]
    assert inserts.count(threads[1].name) == 2  # the same statement again, on the new head
    assert verify().intact


@pytest.mark.commits
@needs_postgres
def test_concurrent_single_events_and_batches_keep_one_chain_and_lose_nothing(app, users, errors):
    """Six writers at once, mostly single events, every fifth commit a batch."""
    writers, rounds = 6, 40
    before = len(stored())
    barrier = threading.Barrier(writers)

    def size(n: int, i: int) -> int:
        return 2 + (n + i) % 5 if i % 5 == n % 5 else 1

    def writer(n: int):
        def run() -> None:
            barrier.wait()
            for i in range(rounds):
                write(
                    *[
                        audit.event_row("test.concurrent", "writer", f"{n}.{i}.{k}")
                        for k in range(size(n, i))
                    ]
                )

        return run

    joined(in_other_sessions(app, *[writer(n) for n in range(writers)]))
    expected = sum(size(n, i) for n in range(writers) for i in range(rounds))
    events = stored()
    assert sum(e.action == "test.concurrent" for e in events) == expected
    assert len(events) == before + expected
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    report = verify()
    assert report.intact, report.problem
    assert report.events == len(events)
