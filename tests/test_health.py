"""GET /healthz: what a load balancer asks before it sends an instance traffic."""

from __future__ import annotations

from flask_migrate import stamp

from fieldlog import create_app

from .conftest import PG_URL


def test_a_healthy_instance_answers_ok_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_a_database_that_does_not_answer_is_503(tmp_path):
    url = (
        "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2"
        if PG_URL
        else f"sqlite:///{tmp_path / 'no-such-folder' / 'fieldlog.sqlite3'}"
    )
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reason": "database unreachable"}


def test_a_database_behind_the_code_is_503_until_migrated(app, client):
    stamp(revision="0001")  # as if the last migration had not been run
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.get_json()["reason"] == "migrations not current"
    finally:
        stamp(revision="head")
    assert client.get("/healthz").status_code == 200


def test_a_database_never_migrated_is_503(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "migrations not current"
