"""The benchmarks' count of SQL statements per request (FIELDLOG_COUNT_SQL), and what it shows:
a bearer token is authenticated in one statement."""

from __future__ import annotations

import pytest

from fieldlog import create_app
from fieldlog.config import env_overrides
from fieldlog.extensions import db
from fieldlog.services.users import issue_token


@pytest.fixture
def counting(app, users):
    """A second app on the test's database, counting statements."""
    db.session.commit()
    counting = create_app({**app.config, "COUNT_SQL": True})
    yield counting
    with counting.app_context():
        db.engine.dispose()


def test_the_count_is_off_unless_asked_for(client, users):
    assert "X-SQL-Statements" not in client.get("/login").headers
    assert env_overrides({"FIELDLOG_COUNT_SQL": "1"})["COUNT_SQL"] is True
    assert "COUNT_SQL" not in env_overrides({})


def test_a_bearer_token_is_one_indexed_lookup_with_the_users_area(app, users, counting):
    token = issue_token(users["officer"])
    db.session.commit()
    with counting.test_client() as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.get_json()["area"]
        assert me.headers["X-SQL-Statements"] == "1"  # user, token and area in one statement
        refused = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
        assert refused.status_code == 401 and refused.headers["X-SQL-Statements"] == "1"
        static = client.get("/static/manifest.webmanifest")
        assert static.headers["X-SQL-Statements"] == "0"
        static.close()
