"""The review queue: what it shows, filters, warnings, and approving or rejecting many at once."""

from __future__ import annotations

import re

from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent

from .factories import an_hour_ago, csrf_from
from .review_helpers import log, post_review, status_of, tally


def _queue_ids(response) -> list[int]:
    return [
        int(x)
        for x in re.findall(r'name="entry_id" value="(\d+)"', response.get_data(as_text=True))
    ]


def test_queue_shows_pending_entries_of_the_area_oldest_first(client, auth, users):
    newer = log(users["officer"], started_at="2026-01-10T09:00", place="Storgatan", notes="Lugnt")
    older = log(users["officer2"], started_at="2026-01-05T09:00")
    log(
        users["other_officer"], promise="arboga-medborgardialog", started_at="2024-06-03T10:00"
    )  # another police area
    auth.login("supervisor")
    response = client.get("/review")
    assert response.status_code == 200
    assert _queue_ids(response) == older + newer
    page = response.get_data(as_text=True)
    assert "2 poster väntar på granskning." in page
    assert "fotpatruller i centrala Arjeplog" in page  # the promise's text
    assert "Lokala medborgarlöften Arjeplog 2023–2024" in page  # the commitment
    assert "Storgatan" in page and "Lugnt" in page and "Officer2" in page
    assert "lör 10 jan. 2026 09:00" in page or "10 jan. 2026 09:00" in page  # local start time


def test_a_supervisor_never_sees_own_entries(client, auth, users):
    own = log(users["supervisor"])
    other = log(users["officer"])
    auth.login("supervisor")
    assert _queue_ids(client.get("/review")) == other
    assert own[0] not in _queue_ids(client.get("/review"))


def test_queue_filters_by_municipality_promise_and_officer(client, auth, users):
    patrol = log(users["officer"], promise="arjeplog-fotpatrull")
    control = log(users["officer"], promise="arjeplog-trafikkontroll")
    by_other = log(users["officer2"], promise="arjeplog-fotpatrull")
    alvsbyn = log(users["officer"], promise="alvsbyn23-hundsok")
    auth.login("supervisor")
    assert set(_queue_ids(client.get("/review?municipality=2560"))) == set(alvsbyn)
    assert set(_queue_ids(client.get("/review?promise=arjeplog-fotpatrull"))) == set(
        patrol + by_other
    )
    assert set(_queue_ids(client.get("/review?officer=officer2"))) == set(by_other)
    both = client.get("/review?municipality=2506&officer=officer")
    assert set(_queue_ids(both)) == set(patrol + control)


def test_queue_warns_about_time_rule_and_late_sending(client, auth, users):
    # A Wednesday morning: not inconvenient hours, and sent long after.
    log(users["officer"], promise="arjeplog-trafikinsats-obekvam", started_at="2026-01-07T10:00")
    auth.login("supervisor")
    page = client.get("/review").get_data(as_text=True)
    assert "Räknas inte: löftet gäller insatser på obekväm tid" in page
    assert re.search(r"Skickad \d+ dygn efter starten", page)


def test_no_warning_for_an_ordinary_recent_entry(client, auth, users):
    log(users["officer"], started_at=an_hour_ago())  # recent by the real clock that stamps it
    auth.login("supervisor")
    page = client.get("/review").get_data(as_text=True)
    assert 'class="warning"' not in page and "dygn efter" not in page


def test_only_reviewers_open_the_queue(client, auth, users):
    auth.login("officer")
    assert client.get("/review").status_code == 403
    auth.logout()
    # Coordinators review the entries of municipal staff (CONTRACT.md, "Roles").
    auth.login("coordinator")
    assert client.get("/review").status_code == 200


def test_approve_many_in_one_action(client, auth, users):
    ids = log(users["officer"], 3)
    auth.login("supervisor")
    response = post_review(client, {"entry_id": ids[:2], "decision": "approve"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 poster godkända." in page
    assert [status_of(i) for i in ids] == ["approved", "approved", "pending"]
    assert tally("arjeplog-fotpatrull", 2026) == {
        "counted": 2,
        "approved": 2,
        "pending": 1,
        "rejected": 0,
    }
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "entry.approved")
    ).all()
    assert sorted(int(e.object_id) for e in events) == sorted(ids[:2])
    assert all(e.actor_name == "supervisor" and e.before["status"] == "pending" for e in events)


def test_reject_needs_a_reason_and_stores_nothing_without_one(client, auth, users):
    ids = log(users["officer"], 2)
    auth.login("supervisor")
    response = post_review(client, {"entry_id": ids, "decision": "reject", "comment": "  "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ange ett skäl till avslaget" in page
    assert page.count("checked") >= 2  # the selection is kept
    assert [status_of(i) for i in ids] == ["pending", "pending"]


def test_reject_with_a_quick_pick_and_free_text(client, auth, users):
    ids = log(users["officer"], 2)
    auth.login("supervisor")
    response = post_review(
        client,
        {"entry_id": ids, "decision": "reject", "reason": "duplicate", "comment": "Se post 1"},
    )
    assert response.status_code == 302
    assert "2 poster avslagna." in client.get("/review").get_data(as_text=True)
    listed = client.get("/api/v1/entries?status=rejected").get_json()["entries"]
    assert {e["review_comment"] for e in listed} == {"Dubblett av en annan post: Se post 1"}
    assert tally("arjeplog-fotpatrull", 2026)["rejected"] == 2


def test_entries_reviewed_meanwhile_are_reported_not_an_error(client, auth, users):
    ids = log(users["officer"], 3)
    from fieldlog.services.review import record_review

    record_review(users["supervisor"], ids[0], "approve", None)  # "someone else", a moment earlier
    auth.login("supervisor")
    response = post_review(client, {"entry_id": ids, "decision": "approve"}, "?officer=officer")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review?officer=officer")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 poster godkända." in page
    assert "1 post hade redan granskats av någon annan" in page
    assert tally("arjeplog-fotpatrull", 2026)["approved"] == 3


def test_own_entries_slipped_into_the_form_are_refused(client, auth, users):
    own = log(users["supervisor"])
    other = log(users["officer"])
    auth.login("supervisor")
    response = post_review(client, {"entry_id": own + other, "decision": "approve"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 post godkänd." in page and "kunde du inte granska" in page
    assert status_of(own[0]) == "pending" and status_of(other[0]) == "approved"


def test_nothing_selected_is_a_clear_message(client, auth, users):
    log(users["officer"])
    auth.login("supervisor")
    response = post_review(client, {"decision": "approve"})
    assert response.status_code == 422
    assert "Markera minst en post." in response.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(client, auth, users):
    ids = log(users["officer"])
    auth.login("supervisor")
    response = client.post("/review", data={"entry_id": ids, "decision": "approve"})
    assert response.status_code == 400
    assert status_of(ids[0]) == "pending"


def test_the_queue_page_loads_only_its_own_script(client, auth, users):
    log(users["officer"])
    auth.login("supervisor")
    page = client.get("/review").get_data(as_text=True)
    assert '<script src="/static/js/review.js" defer></script>' in page
    assert "<script>" not in page  # no inline script: CSP allows 'self' only


def test_an_entry_edited_after_the_page_was_opened_is_not_approved_unseen(client, auth, users):
    from flask import current_app

    from fieldlog.services.entries import sync_entries

    from .factories import entry_data

    item = entry_data(place="Torget")
    with current_app.test_request_context():
        (created,) = sync_entries(users["officer"], [item])
    other = log(users["officer"])
    auth.login("supervisor")
    page = client.get("/review")
    assert f'name="v{created.entry_id}" value="1"' in page.get_data(as_text=True)
    with current_app.test_request_context():  # the officer changes it meanwhile
        sync_entries(users["officer"], [{**item, "place": "Skolan", "base_version": 1}])
    response = client.post(
        "/review",
        data={
            "csrf_token": csrf_from(page),
            "entry_id": [created.entry_id, other[0]],
            f"v{created.entry_id}": "1",
            f"v{other[0]}": "1",
            "decision": "approve",
        },
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 post godkänd." in page
    assert "1 post har ändrats av polisen sedan du öppnade sidan" in page
    assert status_of(created.entry_id) == "pending" and status_of(other[0]) == "approved"
