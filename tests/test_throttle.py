"""Throttling counted in the real Redis: failed logins per username and per address, refused
bearer tokens per token and per address, a valid token never throttled for others' failures."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis
from sqlalchemy import select

from fieldlog import create_app
from fieldlog.auth.throttle import warn_if_counted_per_process
from fieldlog.extensions import db
from fieldlog.models import User
from fieldlog.services.users import issue_token

from .conftest import Auth
from .factories import PASSWORD

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_apps(database_url, users):
    """Make apps counting in Redis under a prefix of this test's own; its keys go afterwards."""
    prefix = f"fieldlog-test-{uuid.uuid4().hex}"
    made = []

    def make(limit: str = "3 per 5 minutes"):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "RATELIMIT_STORAGE_URI": REDIS,
                "THROTTLE_KEY_PREFIX": prefix,
                "LOGIN_FAILURE_LIMIT": limit,
                "API_TOKEN_FAILURE_LIMIT": limit,
            }
        )
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()
    server = redis.Redis.from_url(REDIS)
    if keys := list(server.scan_iter(match=f"*{prefix}:*")):
        server.delete(*keys)
    server.close()


def from_address(app, address: str):
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def login(app, address: str, username: str, password: str = "wrong") -> int:
    return Auth(from_address(app, address)).login(username, password).status_code


def me(app, address: str, token: str):
    return from_address(app, address).get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )


def officer_token(app) -> str:
    """A valid API token of the officer, made through ``app`` (its own database connections)."""
    with app.app_context():
        return issue_token(db.session.scalar(select(User).where(User.username == "officer")))


def test_failed_logins_for_one_username_are_counted_whatever_the_address(redis_apps):
    app = redis_apps()
    assert [login(app, f"10.1.0.{i}", "officer") for i in range(1, 5)] == [401, 401, 401, 429]
    assert login(app, "10.1.0.9", "officer", PASSWORD) == 429  # the right password too
    # A new connection to the storage (another process) sees the same counts.
    assert login(redis_apps(), "10.1.0.10", "officer", PASSWORD) == 429
    assert login(app, "10.1.0.11", "supervisor", PASSWORD) == 302  # another username


def test_failed_logins_from_one_address_are_counted_whatever_the_username(redis_apps):
    app = redis_apps()
    statuses = [login(app, "10.2.0.1", name) for name in ("a1", "a2", "a3", "a4")]
    assert statuses == [401, 401, 401, 429]
    assert login(app, "10.2.0.1", "officer", PASSWORD) == 429
    assert login(app, "10.2.0.2", "officer", PASSWORD) == 302  # another address


def test_the_right_password_gets_through_once_the_window_has_passed(redis_apps):
    app = redis_apps("2 per 2 seconds")
    first_failure = time.monotonic()
    assert [login(app, "10.3.0.1", "officer") for _ in range(3)] == [401, 401, 429]
    statuses = []
    while time.monotonic() - first_failure < 10:
        statuses.append(login(app, "10.3.0.1", "officer", PASSWORD))
        if statuses[-1] != 429:
            break
        threading.Event().wait(0.1)  # polling the clock: the window is a time, not an event
    assert statuses[0] == 429 and statuses[-1] == 302
    assert time.monotonic() - first_failure >= 1.5


def test_refused_tokens_are_throttled_per_address_but_a_valid_token_never(redis_apps):
    app = redis_apps()
    statuses = [me(app, "10.4.0.1", f"guess-{i}").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    refused = me(app, "10.4.0.1", "guess-9")
    assert refused.status_code == 429 and refused.get_json()["error"]
    assert int(refused.headers["Retry-After"]) > 0
    token = officer_token(app)
    assert me(app, "10.4.0.1", token).get_json()["username"] == "officer"


def test_one_refused_token_is_throttled_from_every_address(redis_apps):
    app = redis_apps()
    statuses = [me(app, f"10.5.0.{i}", "revoked-token").status_code for i in range(1, 5)]
    assert statuses == [401, 401, 401, 429]
    token = officer_token(app)
    assert me(app, "10.5.0.4", token).status_code == 200
    assert me(app, "10.5.0.4", "another-guess").status_code == 401  # counted per token


def test_with_redis_unreachable_logins_and_tokens_still_answer(database_url, users):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "t",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    )
    assert login(app, "10.6.0.1", "officer") == 401
    assert login(app, "10.6.0.1", "officer", PASSWORD) == 302
    assert me(app, "10.6.0.1", "guess").status_code == 401
    with app.app_context():
        db.engine.dispose()


def test_several_workers_counting_in_memory_is_warned_about(app, caplog):
    assert warn_if_counted_per_process(app, 4)
    assert "FIELDLOG_RATELIMIT_STORAGE_URI" in caplog.text
    caplog.clear()
    assert not warn_if_counted_per_process(app, 1)
    app.config["RATELIMIT_STORAGE_URI"] = REDIS
    assert not warn_if_counted_per_process(app, 4)
    assert caplog.text == ""
