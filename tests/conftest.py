"""Fixtures: a real database per test (a SQLite file, or PostgreSQL when
FIELDLOG_TEST_DATABASE_URL is set), the app, clients and logged-in helpers."""

from __future__ import annotations

import os
import shutil

import pytest
from flask import g
from sqlalchemy import create_engine, text

from fieldlog import create_app
from fieldlog import models as _models  # noqa: F401  (the tables of TABLES)
from fieldlog.extensions import db as _db

from . import factories
from .server import gunicorn

PG_URL = os.environ.get("FIELDLOG_TEST_DATABASE_URL")
# Every table of the models, emptied after each test on PostgreSQL (none is forgotten).
TABLES = tuple(t.name for t in reversed(_db.metadata.sorted_tables))


def _migrate(url: str) -> None:
    """Bring an empty database to the newest schema through the migrations."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database."""
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(database_template, tmp_path):
    """A database for one test: a fresh copy of the template, or PostgreSQL emptied afterwards."""
    if PG_URL:
        yield PG_URL
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        engine.dispose()
    else:
        path = tmp_path / "fieldlog.sqlite3"
        shutil.copy(database_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path):
    """The app on a fresh database, CSRF on."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            # No test depends on the real date: "today" is a fixed day of 2026.
            "FIELDLOG_TODAY": factories.TODAY.isoformat(),
            # A quicker hash keeps the suite fast; test_auth checks the production default.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )

    def forget_the_last_requests_state():
        # The test keeps one app context pushed, so Flask's g would carry one
        # request's loaded user and CSRF token into the next, even another client's.
        for name in ("_login_user", "csrf_token", "token_auth", "fieldlog_catalogue_stamp"):
            g.pop(name, None)

    # First of all hooks: the app's own (the bearer-token check) must see a fresh g.
    app.before_request_funcs.setdefault(None, []).insert(0, forget_the_last_requests_state)

    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def bundled(app):
    """The bundled commitments of Arjeplog, Älvsbyn and Arboga."""
    factories.import_bundled()


@pytest.fixture
def users(bundled):
    """One user per role in Piteå älvdal, and an officer and a supervisor in Västra Mälardalen."""
    return factories.make_users()


class Auth:
    """Log a test client in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = factories.PASSWORD):
        page = self.client.get("/login")
        token = factories.csrf_from(page)
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def logout(self):
        """Log out as the menu does: a form post with the page's CSRF token."""
        return self.client.post("/logout", data={"csrf_token": self.csrf()})

    def csrf(self) -> str:
        """The CSRF token of the session, as pages give it to their scripts."""
        return factories.csrf_from(self.client.get("/login", follow_redirects=True))


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def live_server(app, database_url, tmp_path):
    """The app served by gunicorn in a separate process, on the test's database and today."""
    _db.session.commit()
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(database_url, log_path, today=app.config["FIELDLOG_TODAY"]) as url:
        yield url
