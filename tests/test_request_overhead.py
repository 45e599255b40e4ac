"""What every request does is what the request needs: a bearer-token request has no session
(no cookie read, none set)."""

from __future__ import annotations

from fieldlog.services.users import issue_token


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user)}"}


def test_a_bearer_request_is_the_tokens_and_leaves_the_session_cookie_alone(client, auth, users):
    auth.login("coordinator")  # the client now carries a coordinator's session cookie
    answer = client.get("/api/v1/me", headers=bearer(users["officer"]))
    assert answer.status_code == 200 and answer.get_json()["username"] == "officer"
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" not in answer.headers.get("Vary", "")
    # The cookie itself is untouched: without the token the session is the coordinator's.
    assert client.get("/api/v1/me").get_json()["username"] == "coordinator"


def test_a_bearer_request_never_opens_the_session_cookie(app, client, users, monkeypatch):
    headers = bearer(users["officer"])
    client.set_cookie("session", "not even a signed value")

    def unsign(*args, **kwargs):
        raise AssertionError("a bearer-token request read the session cookie")

    monkeypatch.setattr(type(app.session_interface), "get_signing_serializer", unsign)
    answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
