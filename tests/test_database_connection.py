"""A pooled PostgreSQL connection that the server has closed (a restart, a terminated backend)
is replaced before a request uses it, and a healthy one is used again: no request fails
because the database went away between two requests, and none pays a round trip to learn it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from sqlalchemy import create_engine, text

from fieldlog.extensions import db
from fieldlog.services.users import issue_token

from .conftest import PG_URL
from .server import DIRECT

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's server closes connections")


def backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate_other_backends() -> int:
    """End every other connection to the test database, waiting until each has gone."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        ended = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) "
                "FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        ).scalar_one()
    admin.dispose()
    return ended


def test_a_healthy_pooled_connection_is_used_again_and_a_closed_one_replaced(app):
    db.session.remove()
    engine = db.engine
    first = backend_pid(engine)
    assert backend_pid(engine) == first  # the pool's connection, not a new one

    assert terminate_other_backends() >= 1
    replaced = backend_pid(engine)  # no error: the pool noticed and connected anew
    assert replaced != first
    assert backend_pid(engine) == replaced


def test_requests_after_the_database_closed_every_connection_succeed(app, users, live_server):
    token = issue_token(users["officer"])
    db.session.commit()

    def me() -> int:
        request = urllib.request.Request(
            live_server + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        try:
            with DIRECT.open(request, timeout=30) as answer:
                assert json.load(answer)["username"] == "officer"
                return answer.status
        except urllib.error.HTTPError as refused:
            return refused.code

    assert [me() for _ in range(8)] == [200] * 8  # the workers' pools hold connections now
    assert terminate_other_backends() >= 1
    assert [me() for _ in range(16)] == [200] * 16
