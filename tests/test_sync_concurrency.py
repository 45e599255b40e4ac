"""Simultaneous replays against a real server process (gunicorn, 4 workers): stored once."""

import http.client
import json
import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import Entry, Tally
from fieldlog.services import tallies
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
    assert db.session.scalar(select(func.sum(Tally.pending))) == 1
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
