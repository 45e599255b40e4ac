"""Throttling across two app servers (gunicorn, 2 workers each) on one database, counting in
the real Redis at 127.0.0.1:6379, behind one client that alternates between them.

Run by .ci/throttle (not part of ``make test``: its name does not start with ``test_``).
With each of the four processes counting alone, the first 429 would come only after
about four times the limit; here it comes right after the limit, on either server.
"""

from __future__ import annotations

import http.client
import shutil
import threading
import time
import uuid
from contextlib import ExitStack
from urllib.parse import urlencode, urlsplit

import pytest
import redis

from fieldlog import create_app
from fieldlog.extensions import db
from fieldlog.services.users import issue_token

from . import factories
from .conftest import PG_URL
from .factories import PASSWORD, csrf_from
from .server import gunicorn

REDIS = "redis://127.0.0.1:6379/0"
LIMIT, WINDOW = 4, 8  # a short window, so that the test can see it pass


class Answer:
    """Just what the checks need of an HTTP answer."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def get_data(self, as_text: bool = False):
        return self.body.decode() if as_text else self.body


class Client:
    """One client (one cookie) for both servers; every request names its address."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.cookie = ""
        self.turn = 0

    def request(self, method: str, path: str, address: str, body=None, headers=None) -> Answer:
        """Send to the next server in turn, as from ``address`` behind the trusted proxy."""
        url = urlsplit(self.urls[self.turn % len(self.urls)])
        self.turn += 1
        all_headers = {"X-Forwarded-For": address, **(headers or {})}
        if self.cookie:
            all_headers["Cookie"] = self.cookie
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            answer = Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()
        if cookie := answer.headers.get("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        return answer

    def login(self, username: str, address: str, password: str = "wrong") -> int:
        """The login form: the page from one server, the post to the other."""
        token = csrf_from(self.request("GET", "/login", address))
        form = urlencode({"username": username, "password": password, "csrf_token": token})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status = self.request("POST", "/login", address, form, headers).status
        self.cookie = ""  # a fresh session: a success must not carry into the next try
        return status

    def me(self, token: str, address: str) -> int:
        """GET /api/v1/me with a bearer token."""
        headers = {"Authorization": f"Bearer {token}"}
        return self.request("GET", "/api/v1/me", address, None, headers).status


@pytest.fixture(scope="module")
def servers(database_template, tmp_path_factory):
    """Two gunicorn instances on one SQLite database with the test users, counting in Redis
    under this run's own prefix (its keys are removed afterwards)."""
    if PG_URL:
        pytest.fail("run by .ci/throttle, on SQLite")
    folder = tmp_path_factory.mktemp("two-instances")
    url = f"sqlite:///{folder / 'fieldlog.sqlite3'}"
    shutil.copy(database_template, folder / "fieldlog.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        factories.import_bundled()
        token = issue_token(factories.make_users()["officer"])
        db.engine.dispose()
    prefix = f"fieldlog-ci-{uuid.uuid4().hex}"
    env = {
        "FIELDLOG_RATELIMIT_STORAGE_URI": REDIS,
        "FIELDLOG_THROTTLE_KEY_PREFIX": prefix,
        "FIELDLOG_LOGIN_FAILURE_LIMIT": f"{LIMIT} per {WINDOW} seconds",
        "FIELDLOG_API_TOKEN_FAILURE_LIMIT": f"{LIMIT} per {WINDOW} seconds",
        "FIELDLOG_TRUSTED_PROXIES": "1",
    }
    with ExitStack() as stack:
        urls = [
            stack.enter_context(gunicorn(url, folder / f"{name}.log", workers=2, env=env))
            for name in ("a", "b")
        ]
        yield urls, token
    server = redis.Redis.from_url(REDIS)
    if keys := list(server.scan_iter(match=f"*{prefix}:*")):
        server.delete(*keys)
    server.close()


@pytest.fixture
def client(servers):
    """A client alternating between the two servers."""
    return Client(servers[0])


@pytest.fixture
def token(servers):
    """The officer's valid API token."""
    return servers[1]


def test_failed_logins_for_one_username_are_counted_across_both_servers(client):
    first_failure = time.monotonic()
    tries = [client.login("officer", f"10.1.0.{i}") for i in range(1, LIMIT + 2)]
    assert tries == [401] * LIMIT + [429]
    later = [client.login("officer", f"10.1.1.{i}") for i in range(6)]
    assert later == [429] * 6, "no 401 after the first 429, on either server"
    right = [client.login("officer", f"10.1.2.{i}", PASSWORD) for i in range(2)]
    assert right == [429, 429], "the right password waits for the window too"

    statuses = []
    while time.monotonic() - first_failure < WINDOW + 10:
        statuses.append(client.login("officer", "10.1.3.1", PASSWORD))
        if statuses[-1] != 429:
            break
        threading.Event().wait(0.2)  # polling the clock: the window is a time, not an event
    assert statuses[-1] == 302, statuses
    assert time.monotonic() - first_failure >= WINDOW - 1


def test_failed_logins_from_one_address_are_counted_across_both_servers(client):
    tries = [client.login(f"nobody{i}", "10.2.0.1") for i in range(LIMIT + 1)]
    assert tries == [401] * LIMIT + [429]
    assert client.login("supervisor", "10.2.0.1", PASSWORD) == 429
    assert client.login("supervisor", "10.2.0.2", PASSWORD) == 302


def test_refused_tokens_are_counted_per_address_across_both_servers(client, token):
    guesses = [client.me(f"guess-{i}", "10.3.0.1") for i in range(LIMIT + 3)]
    assert guesses == [401] * LIMIT + [429] * 3
    assert [client.me(token, "10.3.0.1") for _ in range(4)] == [200] * 4


def test_one_refused_token_is_counted_from_every_address_across_both_servers(client, token):
    tries = [client.me("revoked", f"10.4.0.{i}") for i in range(1, LIMIT + 4)]
    assert tries == [401] * LIMIT + [429] * 3
    assert [client.me(token, f"10.4.0.{i}") for i in range(1, 5)] == [200] * 4
