"""Set-based inserts: a whole batch of rows in one statement, on SQLite and PostgreSQL.

On PostgreSQL a multi-row ``VALUES`` of 500 entries carries 9,000 parameters that
the driver parses and the server plans afresh for every batch, and an executemany
sends 500 statements. ``INSERT … SELECT … FROM json_to_recordset(:rows)`` is one
short statement with one parameter, whatever the size of the batch. Its record
type is derived from the model's table, and a column a row leaves out takes the
model's default, so a column added to a model is never silently dropped here.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db


def _plain(value: Any) -> Any:
    """A time or a day as JSON text (json.dumps asks only for what it cannot write itself)."""
    if isinstance(value, dt.datetime):  # stored as naive UTC (models.UTCDateTime)
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _payload(rows: list[dict[str, Any]]) -> str:
    """The rows as the one JSON parameter of a PostgreSQL statement."""
    return json.dumps(rows, ensure_ascii=False, default=_plain)


@cache
def insertable_columns(table: Table, keyed: bool = False) -> list[str]:
    """The columns an insert writes: all but a generated primary key (``keyed``: all).
    Read it, never change it (one list per table, kept)."""
    return [c.name for c in table.columns if keyed or c is not table.autoincrement_column]


@cache
def _defaults(table: Table) -> dict[str, Any]:
    """Column name → its model's Python-side default (a ColumnDefault, or None)."""
    return {c.name: c.default for c in table.columns}


def _default(table: Table, name: str) -> Any:
    """The model's Python-side default of a column left out of a row (None without one)."""
    default = _defaults(table)[name]
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def complete_rows(
    table: Table, rows: list[dict[str, Any]], keyed: bool = False
) -> list[dict[str, Any]]:
    """Every insertable column in every row (``keyed``: the rows give their primary key
    too), as new dicts; KeyError for a key the table does not have."""
    names = insertable_columns(table, keyed)
    missing_of: dict[tuple[str, ...], list[str]] = {}  # the rows of a batch share their keys
    completed = []
    for row in rows:
        keys = tuple(row)
        missing = missing_of.get(keys)
        if missing is None:
            unknown = set(keys) - set(names)
            if unknown:
                raise KeyError(f"{table.name} has no column {sorted(unknown)}")
            missing = missing_of[keys] = [n for n in names if n not in row]
        completed.append({**row, **{n: _default(table, n) for n in missing}})
    return completed


@cache
def _pg_statement(
    table: Table, conflict: str | None, returning: tuple[str, ...], keyed: bool
) -> TextClause:
    names = insertable_columns(table, keyed)
    kinds = {c.name: c.type.compile(dialect=postgresql.dialect()) for c in table.columns}
    record = ", ".join(f"{n} {kinds[table.c[n].name]}" for n in names)
    listed = ", ".join(names)
    tail = f" ON CONFLICT ({table.c[conflict].name}) DO NOTHING" if conflict else ""
    if returning:
        tail += " RETURNING " + ", ".join(table.c[n].name for n in returning)
    return text(
        f"INSERT INTO {table.name} ({listed}) SELECT {listed} "
        f"FROM json_to_recordset(CAST(:rows AS json)) AS t({record}){tail}"
    )


@cache
def _pg_adding_statement(table: Table, adding: tuple[str, ...]) -> TextClause:
    names = insertable_columns(table)
    kinds = {c.name: c.type.compile(dialect=postgresql.dialect()) for c in table.columns}
    record = ", ".join(f"{n} {kinds[n]}" for n in names)
    listed = ", ".join(names)
    keys = ", ".join(c.name for c in table.primary_key.columns)
    added = ", ".join(f"{n} = {table.name}.{n} + excluded.{n}" for n in adding)
    # ORDER BY the key: two transactions lock the rows they add to in the same order.
    return text(
        f"INSERT INTO {table.name} ({listed}) SELECT {listed} "
        f"FROM json_to_recordset(CAST(:rows AS json)) AS t({record}) ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {added}"
    )


def add_rows(table: Table, rows: list[dict[str, Any]], adding: tuple[str, ...]) -> None:
    """Add each row's ``adding`` columns to the stored row with the same primary key, made
    when missing, in one statement; never read-modify-write. Keys must not repeat."""
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    rows = sorted(complete_rows(table, rows), key=lambda r: tuple(r[k] for k in keys))
    if db.engine.dialect.name == "postgresql":
        payload = _payload(rows)
        db.session.execute(_pg_adding_statement(table, adding), {"rows": payload})
        return
    # One multi-row INSERT … ON CONFLICT DO UPDATE per page of rows (SQLite's limit on
    # bound parameters), rather than one statement per row.
    for start in range(0, len(rows), 2000):
        page = rows[start : start + 2000]
        stmt = sqlite.insert(table).values(page)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(table.primary_key.columns),
            set_={n: table.c[n] + stmt.excluded[n] for n in adding},
        )
        db.session.execute(stmt)


def _sqlite_statement(table: Table, conflict: str | None, returning: tuple[str, ...]):
    stmt = sqlite.insert(table)
    if conflict:
        stmt = stmt.on_conflict_do_nothing(index_elements=[table.c[conflict]])
    if returning:
        stmt = stmt.returning(*(table.c[n] for n in returning))
    return stmt


def insert_rows(
    table: Table,
    rows: list[dict[str, Any]],
    *,
    skip_conflicts_on: str | None = None,
    returning: tuple[str, ...] = (),
    keyed: bool = False,
):
    """Insert ``rows`` into ``table``: one statement on PostgreSQL, one multi-row on SQLite.

    ``skip_conflicts_on`` names a unique column whose clashes are left alone
    (``ON CONFLICT DO NOTHING``); ``returning`` names the columns of the rows
    the result gives back (those inserted); ``keyed``: the rows give their own
    primary key.
    """
    rows = complete_rows(table, rows, keyed)
    if db.engine.dialect.name == "postgresql":
        payload = _payload(rows)
        statement = _pg_statement(table, skip_conflicts_on, returning, keyed)
        return db.session.execute(statement, {"rows": payload})
    # Executed with a list of rows, SQLAlchemy sends one multi-row INSERT … VALUES (…), (…)
    # per page ("insertmanyvalues") from a cached statement, and gathers the RETURNING rows.
    return db.session.execute(_sqlite_statement(table, skip_conflicts_on, returning), rows)
