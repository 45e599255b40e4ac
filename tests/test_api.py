"""The API's logins and errors, /me and /commitments/active (CONTRACT, JSON API)."""

import pytest
from sqlalchemy import update

from fieldlog.extensions import db
from fieldlog.models import ApiToken, utcnow

from . import factories
from .apiclient import ApiClient


@pytest.fixture
def api(app, client):
    return ApiClient(app, client)


def test_me_answers_to_a_bearer_token_and_to_a_session(api, users):
    response = api.get("/api/v1/me", users["supervisor"])
    assert response.status_code == 200
    assert response.get_json() == {
        "username": "supervisor",
        "role": "supervisor",
        "area": "Piteå älvdal",
    }
    api.login("coordinator")
    assert api.get("/api/v1/me").get_json()["username"] == "coordinator"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/commitments/active?municipality=2506"),
        ("GET", "/api/v1/entries"),
        ("POST", "/api/v1/entries"),
        ("POST", "/api/v1/entries/1/review"),
        ("GET", "/api/v1/tallies"),
    ],
)
def test_without_a_login_the_api_answers_401_in_json_not_a_redirect(api, users, method, path):
    response = api.call(method, path, json={"entries": [factories.entry_data()]})
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"]
    assert "Location" not in response.headers


def test_a_wrong_or_revoked_token_is_401(api, users):
    officer = users["officer"]
    assert api.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert api.get("/api/v1/me", officer).status_code == 200
    db.session.execute(update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    assert api.get("/api/v1/me", officer).status_code == 401


def test_guessing_tokens_from_one_address_is_answered_with_429(app, api, users):
    app.config["API_TOKEN_FAILURE_LIMIT"] = "3 per 5 minutes"
    for _ in range(5):  # a phone whose session ended is not guessing; it never gets 429
        assert api.get("/api/v1/me").status_code == 401
    guesses = [
        api.get("/api/v1/me", headers={"Authorization": f"Bearer guess{i}"}) for i in range(4)
    ]
    assert [r.status_code for r in guesses] == [401, 401, 401, 429]
    assert guesses[-1].get_json()["error"] and int(guesses[-1].headers["Retry-After"]) > 0
    # For a while the address's guesses are refused, but a good token is never throttled.
    assert api.get("/api/v1/me", headers={"Authorization": "Bearer guess9"}).status_code == 429
    assert api.get("/api/v1/me", users["officer"]).status_code == 200


def test_a_session_caller_must_send_the_x_csrf_token_to_write(api, users):
    token = api.login("officer")
    body = {"entries": [factories.entry_data()]}
    missing = api.post("/api/v1/entries", json=body)
    wrong = api.post("/api/v1/entries", json=body, headers={"X-CSRFToken": "forged"})
    assert (missing.status_code, wrong.status_code) == (400, 400)
    assert "X-CSRFToken" in missing.get_json()["error"]
    ok = api.post("/api/v1/entries", json=body, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json()["results"][0]["status"] == "created"
    assert api.get("/api/v1/entries").status_code == 200  # reading needs no token


def test_a_refused_csrf_token_is_told_apart_from_other_bad_requests(api, users):
    token = api.login("officer")
    stale = api.post("/api/v1/entries", json={"entries": []}, headers={"X-CSRFToken": "stale"})
    assert stale.status_code == 400
    assert stale.get_json() == {"error": "X-CSRFToken saknas eller är ogiltig.", "code": "csrf"}
    malformed = api.post("/api/v1/entries", json={"entry": {}}, headers={"X-CSRFToken": token})
    assert malformed.status_code == 400 and malformed.get_json()["error"]
    assert "code" not in malformed.get_json()  # a phone shows this one and does not retry


def test_a_bearer_caller_needs_no_csrf_token(api, users):
    results = api.sync(users["officer"], factories.entry_data())
    assert results[0]["status"] == "created"


def test_unknown_paths_and_methods_answer_in_json(api, users):
    missing = api.get("/api/v1/nothing-here", users["officer"])
    assert missing.status_code == 404 and missing.get_json()["error"]
    wrong_method = api.call("DELETE", "/api/v1/me", users["officer"])
    assert wrong_method.status_code == 405 and wrong_method.get_json()["error"]


def test_the_commitment_in_force_carries_each_promises_tally(api, users):
    officer, supervisor = users["officer"], users["supervisor"]
    results = api.sync(officer, factories.entry_data(), factories.entry_data())
    review = api.post(
        f"/api/v1/entries/{results[0]['entry_id']}/review", supervisor, json={"decision": "approve"}
    )
    assert review.status_code == 200
    response = api.get("/api/v1/commitments/active?municipality=2506", officer)
    assert response.status_code == 200
    body = response.get_json()
    assert body["key"] == "arjeplog-2023-2024" and body["municipality"] == "2506"
    assert body["until_superseded"] is True
    patrol = next(p for p in body["promises"] if p["key"] == "arjeplog-fotpatrull")
    assert patrol["tally"] == {"year": 2026, "counted": 1, "approved": 1, "pending": 1}
    assert patrol["activity"] == "fotpatrull" and patrol["yearly_target"] == 5


def test_the_commitment_of_a_given_day(api, users):
    response = api.get(
        "/api/v1/commitments/active?municipality=2560&on=2022-06-01", users["officer"]
    )
    assert response.status_code == 200
    assert response.get_json()["key"] == "alvsbyn-2021-2022"
    later = api.get("/api/v1/commitments/active?municipality=2560&on=2024-06-01", users["officer"])
    assert later.get_json()["key"] == "alvsbyn-2023-2025"


@pytest.mark.parametrize(
    "query, who, status",
    [
        ("", "officer", 400),
        ("?municipality=2506&on=yesterday", "officer", 400),
        ("?municipality=1984", "officer", 403),
        ("?municipality=9999", "officer", 404),
        ("?municipality=25%0006", "officer", 400),  # NUL: malformed, refused at the edge
        ("?municipality=1984&on=2030-01-01", "other_officer", 404),  # none in force then
        ("?municipality=2506&on=2010-01-01", "officer", 404),
    ],
)
def test_commitment_errors(api, users, query, who, status):
    response = api.get(f"/api/v1/commitments/active{query}", users[who])
    assert response.status_code == status
    assert response.get_json()["error"]


def test_an_admin_sees_any_police_areas_commitment(api, users):
    response = api.get("/api/v1/commitments/active?municipality=1984&on=2024-05-01", users["admin"])
    assert response.status_code == 200 and response.get_json()["key"] == "arboga-2024"
