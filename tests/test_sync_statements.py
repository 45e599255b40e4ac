"""What one entry costs the database (issue 14): a single-entry sync runs a fixed, small
number of SQL statements, whatever is already stored."""

from __future__ import annotations

from flask import has_request_context
from sqlalchemy import event

from fieldlog.extensions import db

from . import factories
from .apiclient import ApiClient
from .sqlcount import statements_of

# The token lookup (one indexed statement, the user and the catalogue stamp with it), the
# entry and its tally rows, and the audit event: one INSERT … SELECT that reads the chain's
# head, hashes the event onto it and inserts it (services/audit.py). The promise and its
# agreements come from the process's catalogue (services/catalogue.py), no statement.
# Before the one-statement audit event: 5 on SQLite, 7 on PostgreSQL (issue 14).
MOST_FOR_A_NEW_ENTRY = {"sqlite": 4, "postgresql": 4}


def test_a_single_new_entry_costs_a_fixed_few_statements(app, client, users):
    api = ApiClient(app, client)
    officer = users["officer"]
    api.sync(officer, factories.entry_data())  # the first request of a process warms up
    for n in range(3):
        results = []
        seen = statements_of(
            lambda n=n, results=results: results.extend(
                api.sync(officer, factories.entry_data(started_at=f"2026-06-0{n + 1}T10:00"))
            )
        )
        assert results[0]["status"] == "created"
        most = MOST_FOR_A_NEW_ENTRY[db.engine.dialect.name]
        assert len(seen) <= most, "\n".join(s.split("\n")[0] for s in seen)
        inserts = [s for s in seen if s.startswith("INSERT")]
        assert [s.split()[2] for s in inserts] == ["entry", "tally", "audit_event"]


def test_a_single_new_entry_is_one_transaction_on_postgresql(app, client, users):
    """On PostgreSQL the user's lookup and the writes share one transaction: one commit, no
    second BEGIN. SQLite ends the read transaction first, to BEGIN IMMEDIATE (two commits)."""
    api = ApiClient(app, client)
    officer = users["officer"]
    api.sync(officer, factories.entry_data())
    commits: list[int] = []

    def count(conn) -> None:
        if has_request_context():
            commits.append(1)

    event.listen(db.engine, "commit", count)
    try:
        result = api.sync(officer, factories.entry_data(started_at="2026-06-02T10:00"))
    finally:
        event.remove(db.engine, "commit", count)
    assert result[0]["status"] == "created"
    assert len(commits) == {"postgresql": 1, "sqlite": 2}[db.engine.dialect.name]
