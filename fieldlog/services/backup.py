"""A consistent copy of the SQLite database while the app serves it (SQLite's online backup).

SQLite's backup API copies the database page by page inside one read
transaction when asked for all pages in one step, so the copy is the database
as it stood at one moment, whatever the app writes meanwhile (WAL mode lets
writers go on). The copy is written under a temporary name, checked, turned
into a single self-contained file (journal mode DELETE) and only then given
its name. PostgreSQL is copied with ``pg_dump`` instead (README).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..database import BUSY_TIMEOUT_MS, begin_write
from ..extensions import db
from . import audit


class BackupError(Exception):
    """A backup that cannot be made; the message says why."""


@dataclass
class BackupReport:
    """What was copied, and the audit log's head in the copy (to keep as an anchor)."""

    source: str
    path: Path
    size: int
    audit_head: tuple[int, str] | None


def sqlite_source() -> str | None:
    """The file of the app's SQLite database; None on another database."""
    if db.engine.dialect.name != "sqlite":
        return None
    return db.engine.url.database


def backup_sqlite(path: Path) -> BackupReport:
    """Copy the app's SQLite database to ``path`` (a new file), consistently, while it serves."""
    source = sqlite_source()
    if not source or source == ":memory:":
        raise BackupError("the database is not a SQLite file")
    path = Path(path)
    if path.exists():
        raise BackupError(f"PATH: {path} exists already; give a new file")
    if not path.parent.is_dir():
        raise BackupError(f"PATH: no folder {path.parent}")
    begin_write()
    audit.record("backup.made", "database", "", after={"path": str(path)}, actor_name="cli")
    db.session.commit()  # the copy holds its own making
    partial = path.with_name(f".{path.name}.partial")
    try:
        _copy(source, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(source, path, path.stat().st_size, _audit_head(path))


def _copy(source: str, target: Path) -> None:
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one moment
            problems = dst.execute("PRAGMA integrity_check").fetchall()
            if problems != [("ok",)]:
                raise BackupError(f"the copy fails its integrity check: {problems[:3]}")
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()


def _audit_head(path: Path) -> tuple[int, str] | None:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return (row[0], row[1]) if row else None
