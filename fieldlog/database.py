"""Engine set-up: SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE for writes) and
PostgreSQL (a connection the server has closed is never handed out)."""

import hashlib
import select

from sqlalchemy import String, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

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
        # SQLite's own lower() folds only A–Z; searches must find "Älvsbyn" from "älvsbyn".
        dbapi_conn.create_function("fieldlog_lower", 1, _lower, deterministic=True)
        # SQLite has no SHA-256; the audit log hashes a single event in SQL (sha256_hex).
        dbapi_conn.create_function("fieldlog_sha256", 1, _sha256, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        # A deferred transaction that later writes gets "database is locked" under
        # concurrency whatever the timeout; writers take the lock up front.
        immediate = conn.get_execution_options().get("fieldlog_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def configure_postgresql(engine: Engine) -> None:
    """Replace, before a request uses it, a pooled connection that the server has closed.

    SQLAlchemy's ``pool_pre_ping`` asks the server (a round trip on every checkout, about a
    tenth of the cheapest request). This asks the socket instead: an idle connection has
    nothing to read, so anything readable is the server's goodbye (a restart,
    ``pg_terminate_backend``, an idle timeout) or the connection's end. Raising
    ``DisconnectionError`` is SQLAlchemy's documented way to make the pool connect anew
    ("Disconnect Handling – Pessimistic, custom"). A link cut without a goodbye is noticed by
    the first statement, as with any driver.
    """

    @event.listens_for(engine, "checkout")
    def closed_by_server(dbapi_conn, _record, _proxy):
        if dbapi_conn.closed or _readable(dbapi_conn.fileno()):
            raise exc.DisconnectionError("the database server closed this connection")


def _readable(fd: int) -> bool:
    """Whether the socket ``fd`` has data or its end waiting (without blocking)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class unicode_lower(GenericFunction):  # noqa: N801  (used as a SQL function: unicode_lower(col))
    """SQL: a text in lower case, Å, Ä and Ö too, on SQLite and PostgreSQL alike."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower)
def _lower_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element, compiler, **kw):
    return f"fieldlog_lower({compiler.process(element.clauses, **kw)})"


def _sha256(value):
    return hashlib.sha256(value.encode()).hexdigest() if isinstance(value, str) else None


class sha256_hex(GenericFunction):  # noqa: N801  (used as a SQL function: sha256_hex(text))
    """SQL: the SHA-256 of a text's UTF-8 bytes, in lower-case hex, on SQLite and PostgreSQL."""

    type = String()
    inherit_cache = True


@compiles(sha256_hex, "postgresql")
def _sha256_postgresql(element, compiler, **kw):
    text = compiler.process(element.clauses, **kw)
    return f"encode(sha256(convert_to({text}, 'UTF8')), 'hex')"


@compiles(sha256_hex, "sqlite")
def _sha256_sqlite(element, compiler, **kw):
    return f"fieldlog_sha256({compiler.process(element.clauses, **kw)})"


def begin_write() -> None:
    """Start the session's transaction as a write transaction (BEGIN IMMEDIATE on SQLite).

    Call it at the top of every service function that writes. On SQLite a read
    transaction already open (say, from loading the current user) is ended first, as
    its writer's lock is taken only at BEGIN. PostgreSQL needs no such turn: a
    transaction that has only read goes on to write (READ COMMITTED: each statement
    sees what is committed when it starts), which spares a COMMIT and a BEGIN, two
    round trips of every write request.
    """
    session = db.session()
    if session.in_transaction():
        if not is_sqlite():
            return
        # Only reads happened: what they loaded (the user, say) stays loaded, not read again.
        keep, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = keep
    db.session.connection(execution_options={"fieldlog_write": True})


def is_sqlite() -> bool:
    """Whether the app runs on SQLite."""
    return db.engine.dialect.name == "sqlite"
