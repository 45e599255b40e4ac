"""What every request does is what the request needs: a bearer-token request has no session
(no cookie read, none set), and the security headers come once each, a view's own kept."""

from __future__ import annotations

from fieldlog.services.users import issue_token

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cache-Control",
)


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


def test_each_security_header_comes_once_on_an_api_answer_and_on_a_page(client, users):
    for answer in (
        client.get("/api/v1/me", headers=bearer(users["officer"])),
        client.get("/login"),
    ):
        assert answer.status_code == 200
        for name in SECURITY_HEADERS:
            assert len(answer.headers.getlist(name)) == 1, name
        assert answer.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in answer.headers
    over_tls = client.get("/login", base_url="https://localhost")
    assert over_tls.headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]


def test_a_views_own_security_header_is_replaced_and_its_cache_control_kept(app, client):
    @app.get("/test-own-headers")
    def own_headers():
        """A view that sets a framing rule and a cache lifetime of its own."""
        return "x", 200, {"X-Frame-Options": "SAMEORIGIN", "Cache-Control": "max-age=60"}

    answer = client.get("/test-own-headers")
    assert answer.headers.getlist("X-Frame-Options") == ["DENY"]
    assert answer.headers.getlist("Cache-Control") == ["max-age=60"]
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
