"""Deciding one entry from its own buttons, undoing a decision, and filter labels that differ."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry
from fieldlog.review.queue import _promise_labels
from fieldlog.services import review_undo
from fieldlog.services.entries import sync_entries

from .factories import csrf_from, entry_data
from .review_helpers import log, post_review, status_of, tally


def _undo(client):
    token = csrf_from(client.get("/review"))
    return client.post("/review/undo", data={"csrf_token": token}, follow_redirects=True)


def test_an_entry_is_approved_from_its_own_button(client, auth, users):
    first, second = log(users["officer"], 2)
    auth.login("supervisor")
    page = client.get("/review").get_data(as_text=True)
    assert f'name="approve_one" value="{first}"' in page
    assert f'name="reject_one" value="{first}"' in page
    # The other entry is checked too: the entry's own button decides that entry alone.
    response = post_review(client, {"approve_one": str(first), "entry_id": str(second)})
    assert response.status_code == 302
    assert status_of(first) == "approved" and status_of(second) == "pending"
    assert "1 post godkänd." in client.get("/review").get_data(as_text=True)


def test_an_entrys_own_reject_asks_for_a_reason_for_that_entry_alone(client, auth, users):
    first, second = log(users["officer"], 2)
    auth.login("supervisor")
    response = post_review(client, {"reject_one": str(first)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and status_of(first) == "pending"
    assert re.search(rf'name="entry_id" value="{first}" checked', page)
    assert not re.search(rf'name="entry_id" value="{second}" checked', page)
    assert '<details class="reject-panel" open>' in page
    post_review(client, {"entry_id": str(first), "decision": "reject", "reason": "duplicate"})
    assert status_of(first) == "rejected" and status_of(second) == "pending"


def test_a_bulk_approval_is_undone_and_the_tallies_return(client, auth, users):
    ids = log(users["officer"], 3)
    before = tally("arjeplog-fotpatrull", 2026)
    auth.login("supervisor")
    post_review(client, {"entry_id": [str(i) for i in ids], "decision": "approve"})
    assert tally("arjeplog-fotpatrull", 2026)["approved"] == before["approved"] + 3
    page = client.get("/review").get_data(as_text=True)
    assert "Du godkände 3 poster." in page and "Ångra" in page

    page = _undo(client).get_data(as_text=True)
    assert "Ångrat: 3 poster väntar på granskning igen." in page
    assert all(status_of(i) == "pending" for i in ids)
    assert tally("arjeplog-fotpatrull", 2026) == before
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "entry.review_undone")
    ).all()
    assert sorted(int(e.object_id) for e in events) == sorted(ids)
    assert {(e.before["status"], e.after["status"]) for e in events} == {("approved", "pending")}
    assert 'class="undo-bar"' not in page  # undone once; nothing left to undo

    # The history says it in words.
    history = client.get(f"/entries/{ids[0]}/history").get_data(as_text=True)
    assert "Granskning ångrad" in history


def test_undoing_a_rejection_keeps_the_earlier_reason_of_a_resent_entry(client, auth, users):
    (entry_id,) = log(users["officer"])
    auth.login("supervisor")
    post_review(client, {"entry_id": str(entry_id), "decision": "reject", "reason": "missing"})
    entry = db.session.get(Entry, entry_id)
    resent = entry_data(client_id=entry.client_id, place="Torget", base_version=entry.version)
    with client.application.test_request_context():
        assert sync_entries(users["officer"], [resent])[0].status == "updated"
    post_review(client, {"entry_id": str(entry_id), "decision": "reject", "comment": "Fel dag"})
    _undo(client)
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    assert entry.status == "pending" and entry.reviewer_id is None
    assert entry.review_comment == "Uppgifter saknas eller är oklara"


def test_an_undo_after_the_window_changes_nothing(client, auth, users, monkeypatch):
    ids = log(users["officer"], 2)
    auth.login("supervisor")
    post_review(client, {"entry_id": [str(i) for i in ids], "decision": "approve"})
    monkeypatch.setattr(review_undo, "UNDO_WINDOW", dt.timedelta(seconds=-1))
    assert 'class="undo-bar"' not in client.get("/review").get_data(as_text=True)
    page = _undo(client).get_data(as_text=True)
    assert "Det är för sent att ångra beslutet." in page
    assert all(status_of(i) == "approved" for i in ids)


def test_an_undo_leaves_what_changed_since_and_others_decisions(client, auth, users):
    ids = log(users["officer"], 2)
    auth.login("supervisor")
    post_review(client, {"entry_id": [str(ids[0])], "decision": "approve"})
    auth.logout()
    auth.login("coordinator")  # not the one who decided: nothing to undo in this session
    assert client.post("/review/undo", data={"csrf_token": auth.csrf()}).status_code in (
        403,
        409,
    )
    assert status_of(ids[0]) == "approved"


def test_undo_needs_the_csrf_token(client, auth, users):
    ids = log(users["officer"])
    auth.login("supervisor")
    post_review(client, {"entry_id": str(ids[0]), "decision": "approve"})
    assert client.post("/review/undo").status_code == 400
    assert status_of(ids[0]) == "approved"


def test_promise_filter_labels_tell_promises_apart(client, auth, users):
    for key in ("arjeplog-fotpatrull", "arjeplog-ungdomsbesok", "arjeplog-trafikkontroll"):
        log(users["officer"], promise=key)
    auth.login("supervisor")
    page = client.get("/review").get_data(as_text=True)
    start = page.index('id="f-promise"')
    options = page[start : page.index("</select>", start)]
    labels = re.findall(r'<option value="[^"]+"[^>]*>([^<]+) \(\d+\)</option>', options)
    assert "Arjeplog: Fotpatrull · centrala Arjeplog" in labels
    assert (
        "Arjeplog: Skolbesök / besök där unga vistas · skola, ungdomsgård eller idrottssammanhang"
        in labels
    )
    assert len(labels) == 3 == len(set(labels))


def test_two_promises_of_one_activity_and_no_place_differ_by_their_words(app, users):
    with app.test_request_context():
        labels = _promise_labels(["arjeplog-drogutbildning", "arjeplog-foraldrakvall"])
    assert labels["arjeplog-drogutbildning"].startswith(
        "Arjeplog: Utbildning / föräldrakväll – Arjeplogs kommun fortbildar"
    )
    assert labels["arjeplog-foraldrakvall"].startswith(
        "Arjeplog: Utbildning / föräldrakväll – Skola och socialtjänst"
    )
    assert all(len(label) < 120 for label in labels.values())


def test_a_supervisor_lands_on_the_review_queue_after_login(client, auth, users):
    response = auth.login("supervisor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
