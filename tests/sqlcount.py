"""The SQL statements a piece of code runs, as the statement-count tests read them."""

from __future__ import annotations

from flask import has_request_context
from sqlalchemy import event

from fieldlog.extensions import db


def statements_of(call, requests_only: bool = True) -> list[str]:
    """The SQL statements ``call`` runs, SQLite's BEGIN left out (as PostgreSQL's is unseen)."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        # Only the request's own statements (not the test's reading its user back).
        if (has_request_context() or not requests_only) and not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen
