"""Simultaneous replays against a real server process (gunicorn, 4 workers): stored once."""

import http.client
import json
import os
import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry, Tally, User
from fieldlog.services import tallies
from fieldlog.services.entries import sync_entries, withdraw_entry
from fieldlog.services.review import record_review
from fieldlog.services.users import issue_token

from . import factories

pytestmark = pytest.mark.commits


def post_all_at_once(url: str, token: str, bodies: list[dict]) -> list[tuple[int, dict | str]]:
    """POST each body to /api/v1/entries from its own thread, released together by a barrier."""
    host = urlsplit(url)
    barrier = threading.Barrier(len(bodies))
    answers: list = [None] * len(bodies)

    def send(i: int) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        conn.connect()  # connected before the barrier, so the requests really overlap
        payload = json.dumps(bodies[i])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        barrier.wait()
        try:
            conn.request("POST", "/api/v1/entries", body=payload, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            try:
                answers[i] = (response.status, json.loads(text))
            except ValueError:
                answers[i] = (response.status, text)
        except Exception as exc:  # noqa: BLE001  (reported in the assertion below)
            answers[i] = (0, repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_sixteen_simultaneous_replays_store_one_entry(live_server, users):
    token = issue_token(users["officer"])
    entry = factories.entry_data(place="Silvervägen", notes="utan täckning")
    answers = post_all_at_once(live_server, token, [{"entries": [entry]}] * 16)
    assert [status for status, _ in answers] == [200] * 16, answers
    statuses = sorted(body["results"][0]["status"] for _, body in answers)
    assert statuses == ["created"] + ["duplicate"] * 15
    assert len({body["results"][0]["entry_id"] for _, body in answers}) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1
    assert db.session.scalar(select(func.sum(Tally.pending)).where(Tally.span == "day")) == 1
    assert tallies.check() == []


def test_overlapping_batches_from_two_phones_store_each_entry_once(live_server, users):
    officer_token, other_token = issue_token(users["officer"]), issue_token(users["officer2"])
    shared = [factories.entry_data() for _ in range(40)]
    own = [factories.entry_data() for _ in range(8)]
    # Eight retries of the same outbox in shuffled orders, each with one entry of its own.
    bodies = [{"entries": shared[i * 5 :] + shared[: i * 5] + [own[i]]} for i in range(8)]
    answers = post_all_at_once(live_server, officer_token, bodies)
    # Meanwhile another officer's phone reuses one of those client_ids: never theirs.
    stolen = post_all_at_once(
        live_server, other_token, [{"entries": [{**shared[0], "notes": "x"}]}]
    )
    assert [status for status, _ in answers] == [200] * 8, answers
    created = [r for _, body in answers for r in body["results"] if r["status"] == "created"]
    assert len(created) == 48 and len({r["client_id"] for r in created}) == 48
    others = {
        r["status"] for _, body in answers for r in body["results"] if r["status"] != "created"
    }
    assert others <= {"duplicate"}
    assert stolen[0][1]["results"][0]["status"] == "conflict"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 48
    assert tallies.check() == []


# What another transaction commits meanwhile: a supervisor's reject, or an officer's
# edit moving the entry back a year (each with the tally change it makes).
REJECT = [
    "UPDATE entry SET status = 'rejected', review_comment = 'Nej'",
    "UPDATE tally SET pending = pending - 1, rejected = rejected + 1",
]
MOVE = [
    "UPDATE entry SET year = year - 1, version = version + 1",
    "UPDATE tally SET pending = pending - 1",
    "INSERT INTO tally (promise_id, year, counted, approved, pending, rejected) "
    "SELECT promise_id, year - 1, 0, 0, 1, 0 FROM tally",
]


def _commit_meanwhile(url: str, statements: list[str]) -> str:
    """Run ``statements`` in a transaction of their own: "committed", or "held off" by a lock."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL lock_timeout = '300ms'"))
            else:
                conn.exec_driver_sql("PRAGMA busy_timeout = 300")
            for statement in statements:
                conn.execute(text(statement))
        return "committed"
    except OperationalError:
        return "held off"
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "action, meanwhile",
    [("edit", REJECT), ("withdraw", MOVE), ("review", MOVE)],
)
def test_a_change_committed_during_another_cannot_skew_the_counts(
    app, database_url, users, action, meanwhile
):
    officer, supervisor = users["officer"], users["supervisor"]
    entry = factories.entry_data()
    [created] = sync_entries(officer, [entry])
    outcome = []

    def just_before_the_update(conn, cursor, statement, *args):
        # The other transaction commits between this one's read of the entry and its UPDATE.
        if statement.startswith("UPDATE entry") and not outcome:
            outcome.append(_commit_meanwhile(str(database_url), meanwhile))

    event.listen(db.engine, "before_cursor_execute", just_before_the_update)
    try:
        with app.test_request_context():
            if action == "edit":
                sync_entries(officer, [{**entry, "notes": "rättad", "base_version": 1}])
            elif action == "withdraw":
                withdraw_entry(officer, created.entry_id)
            else:
                record_review(supervisor, created.entry_id, "approve", None)
    finally:
        event.remove(db.engine, "before_cursor_execute", just_before_the_update)
    db.session.rollback()
    assert tallies.check() == []
    # The entry's row is locked (PostgreSQL) or the database is (SQLite): the other waits.
    assert outcome == ["held off"]


@pytest.mark.skipif(
    not os.environ.get("FIELDLOG_TEST_DATABASE_URL"),
    reason="SQLite's writers take turns, so a retry cannot overtake its original there",
)
def test_a_retry_overtaking_its_lost_original_edit_is_a_duplicate(app, users):
    """The phone lost the answer to an edit and sent it again while the first was still running."""
    officer_id = users["officer"].id
    entry = factories.entry_data()
    sync_entries(users["officer"], [entry])
    edit = {**entry, "notes": "rättad", "base_version": 1}
    original: list[str] = []

    def send_original() -> None:
        with app.test_request_context():
            try:
                officer = db.session.get(User, officer_id)
                original.extend(r.status for r in sync_entries(officer, [edit]))
            finally:
                db.session.remove()

    def original_commits_first(conn, cursor, statement, *args):
        # The retry has read the entry's state; the original commits before the retry locks it.
        if "FOR UPDATE" in statement and not original:
            original.append("started")
            thread = threading.Thread(target=send_original)
            thread.start()
            thread.join()

    event.listen(db.engine, "before_cursor_execute", original_commits_first)
    try:
        with app.test_request_context():
            (retry,) = sync_entries(users["officer"], [edit])
    finally:
        event.remove(db.engine, "before_cursor_execute", original_commits_first)
    assert original == ["started", "updated"]
    assert (retry.status, retry.version) == ("duplicate", 2)
    db.session.rollback()
    edits = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "entry.edited")
    assert db.session.scalar(edits) == 1
    assert tallies.check() == []
