"""Backups that restore: a SQLite copy taken while gunicorn serves writes; PostgreSQL's recipe."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, select, text

from fieldlog import create_app
from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry
from fieldlog.services.users import issue_token

from . import factories
from .server import gunicorn

PG_URL = os.environ.get("FIELDLOG_TEST_DATABASE_URL")
SETTINGS = {"TESTING": True, "SECRET_KEY": "t", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


@contextmanager
def opened(url: str, migrate: bool = False):
    """An app on ``url`` with its context pushed; the engine closed afterwards."""
    app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            if migrate:
                upgrade()
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


class Phone(threading.Thread):
    """Logs one entry per request through the API until stopped; remembers what was answered."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.address = urlsplit(base_url)
        self.token = token
        self.lock = threading.Lock()
        self.answered: list[str] = []
        self.failures: list[str] = []
        self.warmed_up, self.wrote_after, self.stop = (threading.Event() for _ in range(3))
        self.backup_done = False

    def answered_now(self) -> set[str]:
        with self.lock:
            return set(self.answered)

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.address.hostname, self.address.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        try:
            while not self.stop.is_set():
                item = factories.entry_data(started_at="2026-03-03T10:00", place="Torget")
                conn.request("POST", "/api/v1/entries", json.dumps({"entries": [item]}), headers)
                response = conn.getresponse()
                body = response.read()
                status = json.loads(body)["results"][0]["status"] if response.status == 200 else ""
                if status != "created":
                    self.failures.append(f"{response.status} {body[:200]!r}")
                    return
                with self.lock:
                    self.answered.append(item["client_id"])
                    if len(self.answered) >= 20:
                        self.warmed_up.set()
                    if self.backup_done:
                        self.wrote_after.set()
        except Exception as exc:  # noqa: BLE001  (reported in the test's assertion)
            self.failures.append(repr(exc))
        finally:
            conn.close()
            self.warmed_up.set()
            self.wrote_after.set()


@pytest.mark.commits
def test_a_backup_taken_while_entries_are_written_restores_whole(tmp_path):
    url = f"sqlite:///{tmp_path / 'serving.sqlite3'}"
    with opened(url, migrate=True) as app:
        factories.import_bundled()
        token = issue_token(factories.make_users()["officer"])
        db.session.commit()
        with gunicorn(url, tmp_path / "gunicorn.log") as base_url:
            phone = Phone(base_url, token)
            phone.start()
            try:
                assert phone.warmed_up.wait(60) and not phone.failures, phone.failures
                before_backup = phone.answered_now()
                result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
                with phone.lock:
                    phone.backup_done = True
                assert phone.wrote_after.wait(60)  # the phone kept writing through the backup
            finally:
                phone.stop.set()
                phone.join(60)
        assert result.exit_code == 0, result.output
        assert not phone.failures, phone.failures
        assert "integrity ok" in result.output and "audit head in the copy:" in result.output
        written = phone.answered_now()
    copy = tmp_path / "copy.db"
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    with opened(f"sqlite:///{copy}") as restored:
        runner = restored.test_cli_runner()
        check = runner.invoke(args=["tally", "check"])
        assert check.exit_code == 0, check.output
        verify = runner.invoke(args=["audit", "verify"])
        assert verify.exit_code == 0, verify.output
        stored = set(db.session.scalars(select(Entry.client_id)))
        assert before_backup <= stored <= written
        # The copy holds its own making; only what the phone wrote between the backup's
        # event and the copy's moment may follow it.
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert "backup.made" in actions
        assert set(actions[actions.index("backup.made") + 1 :]) <= {"entry.created"}
        # The restored database takes new entries, and its audit chain goes on.
        response = restored.test_client().post(
            "/api/v1/entries",
            json={"entries": [factories.entry_data(started_at="2026-03-04T10:00")]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.get_json()["results"][0]["status"] == "created"
        assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_a_backup_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "kept.db"
    existing.write_bytes(b"precious")
    with opened(f"sqlite:///{tmp_path / 'serving.sqlite3'}") as app:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["backup", str(existing)])
        missing = runner.invoke(args=["backup", str(tmp_path / "no" / "such" / "folder.db")])
    assert result.exit_code == 1 and "exists" in result.output
    assert existing.read_bytes() == b"precious"
    assert missing.exit_code == 1 and "no folder" in missing.output


def test_on_postgresql_backup_points_to_pg_dump(tmp_path):
    url = "postgresql+psycopg://nobody@127.0.0.1:9/nothing"
    with opened(url) as app:  # no connection is made: the dialect decides
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "pg_dump --format=custom" in result.output and "pg_restore" in result.output
    assert not (tmp_path / "x.db").exists()


@pytest.mark.skipif(not PG_URL, reason="the pg_dump recipe needs PostgreSQL")
@pytest.mark.commits
def test_the_readmes_pg_dump_recipe_restores_whole(app, runner, users, tmp_path):
    from .review_helpers import log

    log(users["officer"], 5, started_at="2026-03-03T10:00")
    db.session.commit()
    source = make_url(PG_URL)
    target = source.set(database=f"{source.database}_restore_{uuid.uuid4().hex[:8]}")
    dump = tmp_path / "fieldlog.dump"
    libpq = source.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq], check=True)
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    try:
        restore_url = target.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(
            ["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={restore_url}", str(dump)],
            check=True,
        )
        with opened(target.render_as_string(hide_password=False)) as restored:
            runner = restored.test_cli_runner()
            assert runner.invoke(args=["tally", "check"]).exit_code == 0
            verify = runner.invoke(args=["audit", "verify"])
            assert verify.exit_code == 0, verify.output
            assert db.session.scalar(select(db.func.count()).select_from(Entry)) == 5
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()
