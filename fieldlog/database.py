"""Engine set-up for SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE for writes)."""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

BUSY_TIMEOUT_MS = 30_000


def configure_sqlite(engine: Engine) -> None:
    """Give every SQLite connection WAL, a busy timeout and foreign keys, and own its BEGIN."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn, _record):
        # Take transaction control from the driver, so that writes can begin IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        # A deferred transaction that later writes gets "database is locked" under
        # concurrency whatever the timeout; writers take the lock up front.
        immediate = conn.get_execution_options().get("fieldlog_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start the session's transaction as a write transaction (BEGIN IMMEDIATE on SQLite).

    Call it at the top of every service function that writes. A read transaction
    already open (say, from loading the current user) is ended first.
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"fieldlog_write": True})


def is_sqlite() -> bool:
    """Whether the app runs on SQLite."""
    return db.engine.dialect.name == "sqlite"
