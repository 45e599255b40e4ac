"""Every route of the app, walked with NUL, an overlong text and ids 2^31 and 2^63 in each path
argument and each query argument, as every role, by GET and POST: never a 5xx.

The routes come from ``app.url_map``, so a route added later is walked too.
POSTs carry the session's CSRF token (so that they reach the view) and the bad
value in every form field as well.
"""

from __future__ import annotations

import re
import time
from functools import cached_property
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from fieldlog.extensions import db
from fieldlog.models import ActivityType, ApiToken, Commitment, TimeWindow
from fieldlog.services.users import issue_token

from . import factories
from .review_helpers import log

BAD = {"nul": "\x00", "long": "x" * 5000, "2^31": str(2**31), "2^63": str(2**63)}
QUERY_ARGS = (
    "year",
    "municipality",
    "status",
    "page",
    "promise",
    "since",
    "limit",
    "on",
    "action",
    "user",
    "from",
    "to",
    "object_id",
    "q",
    "officer",
    "period",
    "next",
)
FORM_FIELDS = (
    "username",
    "password",
    "current",
    "new",
    "repeat",
    "decision",
    "comment",
    "reason",
    "entry_id",
    "version",
    "promise",
    "year",
    "state",
    "text",
    "date",
    "time",
    "duration",
    "place",
    "officers",
    "metric_contacts",
    "notes",
    "client_id",
    "base_version",
    "started_at",
    "ended_at",
    "lat",
    "lon",
    "display_name",
    "role",
    "area",
    "label",
    "active",
    "municipality",
    "key",
    "title",
    "valid_from",
    "valid_to",
    "last_day",
    "successor",
    "code",
    "label_en",
    "metrics",
    "default_minutes",
    "payload",
    "promises-0-text",
    "promises-0-yearly_target",
)
ROLES = (None, "officer", "supervisor", "coordinator", "admin")
# Valid values that let a view read on past its first arguments.
VALID_QUERY = {
    "year": "2026",
    "municipality": "2506",
    "promise": "arjeplog-fotpatrull",
    "period": "T2",
}
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@pytest.fixture
def world(app, users):
    """Valid values for every path argument, with a user and a token that may be changed."""
    (entry_id,) = log(users["officer"], started_at="2026-03-03T10:00")
    victim = factories.make_user("victim", "officer")
    issue_token(victim, label="victim")
    window = TimeWindow(
        code="kvall", label="Kväll", label_en="Evening", days=["fri"], starts="18:00", ends="02:00"
    )
    db.session.add(window)
    db.session.flush()
    values = {
        "window_id": window.id,
        "entry_id": entry_id,
        "commitment_id": db.session.scalar(
            select(Commitment.id).where(Commitment.key == "arjeplog-2023-2024")
        ),
        "type_id": db.session.scalar(
            select(ActivityType.id).where(ActivityType.code == "information")
        ),
        "user_id": victim.id,
        "token_id": db.session.scalar(select(ApiToken.id).where(ApiToken.label == "victim")),
        "key": "arjeplog-fotpatrull",
        "code": "2506",
        "filename": "css/app.css",
        "lang": "sv",
    }
    db.session.commit()
    return {k: str(v) for k, v in values.items()}


class ReadArgs(ImmutableMultiDict):
    """Query arguments that note each name a view asks for."""

    names: set[str] = set()

    def get(self, key, default=None, type=None):
        ReadArgs.names.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        ReadArgs.names.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        ReadArgs.names.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        ReadArgs.names.add(key)
        return super().__contains__(key)


def _recording(request_class):
    """The app's request class with query arguments that record what the view reads."""

    class RecordingRequest(request_class):
        @cached_property
        def args(self):
            return ReadArgs(request_class.args.fget(self).items(multi=True))

    return RecordingRequest


def _path(rule, values: dict[str, str], bad: str | None = None, value: str = "") -> str:
    def fill(match):
        name = match.group(1)
        if name == bad:
            return quote(value, safe="")
        if rule.endpoint == "auth.set_language":
            return "sv"
        return quote(values[name], safe="")

    return ARGUMENT.sub(fill, rule.rule)


def _clients(client_factory) -> dict:
    """A logged-in test client per role (and one nobody logged in), with its CSRF token."""
    clients = {}
    for role in ROLES:
        c = client_factory()
        if role is not None:
            page = c.get("/login")
            form = {"username": role, "password": factories.PASSWORD}
            form["csrf_token"] = factories.csrf_from(page)
            assert c.post("/login", data=form).status_code == 302
        clients[role] = (c, factories.csrf_from(c.get("/no-such-page")))
    return clients


def _refused(response) -> bool:
    """Whether the request never reached the view: not logged in, not allowed, wrong method."""
    to_login = response.status_code == 302 and "/login?next=" in response.headers["Location"]
    return to_login or response.status_code in (401, 403, 405)


class Walk:
    """One walk: sends the requests of every route, method and role; keeps the 5xx answers."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.sent = 0
        self.failures: list[tuple] = []

    def send(self, c, token: str, method: str, url: str, form: dict | None = None):
        data = {"csrf_token": token, **(form or {})} if method == "POST" else None
        response = c.open(url, method=method, data=data, headers={"X-CSRFToken": token})
        response.close()  # a file sent (the service worker, static files) is closed
        self.sent += 1
        if response.status_code >= 500:
            self.failures.append((method, url[:100], response.status_code))
        return response

    def route(self, rule, method: str, c, token: str) -> None:
        """Bad values in each path argument; if the view is reached, in each query argument it
        reads (and in all the listed ones at once), and for POST in every form field at once."""
        base = _path(rule, self.values)
        ReadArgs.names = set()
        refused = _refused(self.send(c, token, method, base))
        self.send(c, token, method, f"{base}?{urlencode(VALID_QUERY)}")
        for name in sorted(rule.arguments):
            for value in BAD.values():
                self.send(c, token, method, _path(rule, self.values, name, value))
        if refused:
            return
        done: set[str] = set()
        for value in BAD.values():
            self.send(c, token, method, f"{base}?{urlencode(dict.fromkeys(QUERY_ARGS, value))}")
            if method == "POST":
                self.send(c, token, method, base, dict.fromkeys(FORM_FIELDS, value))
        while todo := ReadArgs.names - done:  # reading one argument may lead to reading another
            for arg in sorted(todo):
                done.add(arg)
                for value in BAD.values():
                    query = urlencode({**VALID_QUERY, arg: value})
                    self.send(c, token, method, f"{base}?{query}")


def test_no_route_answers_5xx_to_bad_path_query_or_form_values(app, world):
    app.request_class = _recording(app.request_class)
    clients = _clients(app.test_client)
    walk, started = Walk(world), time.monotonic()
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    assert len(rules) > 40
    for rule in rules:
        for method in sorted({"GET", "POST"} & rule.methods):
            for role, (c, token) in clients.items():
                if rule.endpoint == "auth.logout" and role is not None:
                    continue  # it would end the session the rest of the walk uses
                walk.route(rule, method, c, token)
    elapsed = time.monotonic() - started
    print(f"walked {len(rules)} routes with {walk.sent} requests in {elapsed:.1f} s")
    assert walk.failures == []
