"""SQL statements per request, for the benchmarks: ``FIELDLOG_COUNT_SQL=1`` turns it on.

Every statement the database driver runs inside a request (an executemany counts once) is
counted, and the answer says how many in ``X-SQL-Statements``. Off, nothing is installed.
SQLite's BEGIN is left out: psycopg sends PostgreSQL's on its own, unseen, and the counts of
the two databases should compare.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context
from sqlalchemy import event

HEADER = "X-SQL-Statements"


def count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    """One more statement for the current request."""
    if has_request_context() and not statement.startswith("BEGIN"):
        g.sql_statements = g.get("sql_statements", 0) + 1


def report(response):
    """Say how many statements the request ran."""
    response.headers[HEADER] = str(g.get("sql_statements", 0))
    return response


def register(app: Flask) -> None:
    """Count each request's statements when COUNT_SQL is on."""
    if not app.config.get("COUNT_SQL"):
        return
    from .extensions import db

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count_statement)
    # The first after-request function runs last: every statement of the view is counted.
    app.after_request_funcs.setdefault(None, []).insert(0, report)
