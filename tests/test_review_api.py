"""POST /api/v1/entries/<id>/review as CONTRACT says (403, 404, 409, 422); officers see it."""

from __future__ import annotations

import pytest

from fieldlog.services.users import issue_token

from .review_helpers import log, status_of, tally


@pytest.fixture
def bearer(users):
    """Authorization headers per username."""
    return {name: {"Authorization": f"Bearer {issue_token(u)}"} for name, u in users.items()}


def review(client, headers, entry_id, decision="approve", comment=None):
    body = {"decision": decision}
    if comment is not None:
        body["comment"] = comment
    return client.post(f"/api/v1/entries/{entry_id}/review", json=body, headers=headers)


def test_approve_then_the_officer_sees_it(client, users, bearer):
    (entry_id,) = log(users["officer"])
    response = review(client, bearer["supervisor"], entry_id)
    assert response.status_code == 200
    assert response.get_json() == {
        "entry_id": entry_id,
        "status": "approved",
        "version": 1,
        "review_comment": None,
    }
    mine = client.get("/api/v1/entries", headers=bearer["officer"]).get_json()["entries"]
    assert [(e["entry_id"], e["status"], e["counts"]) for e in mine] == [
        (entry_id, "approved", True)
    ]
    assert tally("arjeplog-fotpatrull", 2026)["counted"] == 1


def test_reject_with_comment_reaches_the_officer(client, users, bearer):
    (entry_id,) = log(users["officer"])
    response = review(client, bearer["supervisor"], entry_id, "reject", "Fel kommun")
    assert response.status_code == 200 and response.get_json()["status"] == "rejected"
    mine = client.get("/api/v1/entries?status=rejected", headers=bearer["officer"]).get_json()
    assert mine["entries"][0]["review_comment"] == "Fel kommun"


def test_reject_without_comment_is_422(client, users, bearer):
    (entry_id,) = log(users["officer"])
    for comment in (None, "", "   "):
        response = review(client, bearer["supervisor"], entry_id, "reject", comment)
        assert response.status_code == 422
        assert "comment" in response.get_json()["error"]
    assert status_of(entry_id) == "pending"


@pytest.mark.parametrize("decision", ["maybe", "", None, ["approve"], 1])
def test_a_bad_decision_is_422(client, users, bearer, decision):
    (entry_id,) = log(users["officer"])
    response = client.post(
        f"/api/v1/entries/{entry_id}/review",
        json={"decision": decision},
        headers=bearer["supervisor"],
    )
    assert response.status_code == 422
    assert "decision" in response.get_json()["error"]


def test_a_comment_that_is_not_text_is_422(client, users, bearer):
    (entry_id,) = log(users["officer"])
    response = review(client, bearer["supervisor"], entry_id, "reject", 42)
    assert response.status_code == 422 and "comment" in response.get_json()["error"]


def test_own_entry_is_403(client, users, bearer):
    (entry_id,) = log(users["supervisor"])
    response = review(client, bearer["supervisor"], entry_id)
    assert response.status_code == 403
    assert status_of(entry_id) == "pending"


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_not_a_supervisor_of_the_area_is_403(client, users, bearer, who):
    (entry_id,) = log(users["officer"])
    assert review(client, bearer[who], entry_id).status_code == 403
    assert status_of(entry_id) == "pending"


@pytest.mark.parametrize("who", ["other_supervisor", "officer2"])
def test_outside_the_callers_scope_is_404(client, users, bearer, who):
    (entry_id,) = log(users["officer"])
    response = review(client, bearer[who], entry_id)
    assert response.status_code == 404
    assert status_of(entry_id) == "pending"


def test_unknown_entry_is_404(client, users, bearer):
    assert review(client, bearer["supervisor"], 99999).status_code == 404


def test_a_reviewed_entry_is_409(client, users, bearer):
    (entry_id,) = log(users["officer"])
    assert review(client, bearer["supervisor"], entry_id).status_code == 200
    again = review(client, bearer["supervisor"], entry_id, "reject", "Ändrade mig")
    assert again.status_code == 409
    assert status_of(entry_id) == "approved"
    assert tally("arjeplog-fotpatrull", 2026) == {
        "counted": 1,
        "approved": 1,
        "pending": 0,
        "rejected": 0,
    }


def test_a_malformed_body_is_400(client, users, bearer):
    (entry_id,) = log(users["officer"])
    response = client.post(
        f"/api/v1/entries/{entry_id}/review",
        data="nope",
        headers={**bearer["supervisor"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_not_logged_in_is_401(client, users):
    (entry_id,) = log(users["officer"])
    assert (
        client.post(f"/api/v1/entries/{entry_id}/review", json={"decision": "approve"}).status_code
        == 401
    )


def test_session_callers_need_the_csrf_header(client, auth, users):
    (entry_id,) = log(users["officer"])
    auth.login("supervisor")
    url = f"/api/v1/entries/{entry_id}/review"
    assert client.post(url, json={"decision": "approve"}).status_code == 400
    from .factories import csrf_from

    token = csrf_from(client.get("/review"))
    response = client.post(url, json={"decision": "approve"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_time_rule_counts_only_inconvenient_hours(client, users, bearer):
    day = log(
        users["officer"], promise="arjeplog-trafikinsats-obekvam", started_at="2026-01-07T10:00"
    )
    night = log(
        users["officer"], promise="arjeplog-trafikinsats-obekvam", started_at="2026-01-07T22:00"
    )
    for entry_id in day + night:
        assert review(client, bearer["supervisor"], entry_id).status_code == 200
    assert tally("arjeplog-trafikinsats-obekvam", 2026) == {
        "counted": 1,
        "approved": 2,
        "pending": 0,
        "rejected": 0,
    }
