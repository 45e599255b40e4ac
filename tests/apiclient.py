"""A small client for /api/v1 in tests: bearer tokens per user, one fresh app context per call.

The ``app`` fixture keeps an app context pushed for the whole test, and Flask reuses it
for test-client requests, so ``g`` (where Flask-Login keeps the current user) would
otherwise carry one request's login into the next. A real server never does that.
"""

from __future__ import annotations

from typing import Any

from fieldlog.extensions import db
from fieldlog.models import User
from fieldlog.services.users import issue_token

from . import factories


class ApiClient:
    """Calls the API as a user (by bearer token), as nobody, or with the test client's session."""

    def __init__(self, app, client) -> None:
        self.app = app
        self.client = client
        self.tokens: dict[int, str] = {}

    def token(self, user: User) -> str:
        """A bearer token for ``user``, issued once per test."""
        if user.id not in self.tokens:
            self.tokens[user.id] = issue_token(user)
        return self.tokens[user.id]

    def call(
        self,
        method: str,
        path: str,
        user: User | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ):
        """One request in its own app context; afterwards the test's session sees fresh data."""
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        db.session.commit()  # end the test's read transaction, so it reads the request's writes
        with self.app.app_context():
            response = self.client.open(path, method=method, headers=headers, **kwargs)
        db.session.expire_all()
        return response

    def login(self, username: str) -> str:
        """Log the test client in through the real form; the CSRF token its pages then carry."""
        token = factories.csrf_from(self.get("/login"))
        form = {"username": username, "password": factories.PASSWORD, "csrf_token": token}
        assert self.post("/login", data=form).status_code == 302
        # Any page carries the token for its scripts; a 404 page does not depend on a role.
        return factories.csrf_from(self.get("/no-such-page"))

    def get(self, path: str, user: User | None = None, **kwargs: Any):
        """GET ``path``."""
        return self.call("GET", path, user, **kwargs)

    def post(self, path: str, user: User | None = None, **kwargs: Any):
        """POST ``path``."""
        return self.call("POST", path, user, **kwargs)

    def sync(self, user: User, *entries: dict) -> list[dict]:
        """POST entries as ``user``; the results, after checking the call succeeded."""
        response = self.post("/api/v1/entries", user, json={"entries": list(entries)})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["results"]
