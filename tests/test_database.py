"""The database set-up: SQLite pragmas, UTC storage, write transactions."""

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from fieldlog import create_app
from fieldlog.database import begin_write
from fieldlog.extensions import db
from fieldlog.models import AuditEvent
from fieldlog.services import audit


def test_sqlite_runs_in_wal_with_busy_timeout_and_foreign_keys(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "t"}
    )
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


def test_times_are_stored_in_utc_and_read_back_aware(app):
    local = dt.datetime(2024, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
    begin_write()
    audit.record("test", at=local)
    db.session.commit()
    raw = db.session.execute(text("SELECT at FROM audit_event WHERE action = 'test'")).scalar()
    if isinstance(raw, str):
        raw = dt.datetime.fromisoformat(raw)
    assert raw.replace(tzinfo=None) == dt.datetime(2023, 12, 31, 23, 30)
    db.session.expire_all()
    stored = db.session.scalar(select(AuditEvent.at).where(AuditEvent.action == "test"))
    assert stored == local and stored.tzinfo is not None
