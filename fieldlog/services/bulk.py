"""Set-based inserts on PostgreSQL: a whole batch of rows as one JSON parameter.

A multi-row ``VALUES`` of 500 entries carries 9,000 parameters that the driver parses
and the server plans afresh for every batch, and an executemany sends 500 statements.
``INSERT … SELECT … FROM json_to_recordset(:rows)`` is one short statement with one
parameter, whatever the size of the batch.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text

from ..extensions import db

ENTRY_COLUMNS = {
    "client_id": "varchar",
    "author_id": "integer",
    "promise_id": "integer",
    "started_at": "timestamp",
    "ended_at": "timestamp",
    "year": "integer",
    "inconvenient": "boolean",
    "place": "varchar",
    "lat": "float8",
    "lon": "float8",
    "officers": "integer",
    "metrics": "json",
    "notes": "text",
    "status": "varchar",
    "version": "integer",
    "content_hash": "varchar",
    "created_at": "timestamp",
    "updated_at": "timestamp",
}
AUDIT_COLUMNS = {
    "at": "timestamp",
    "actor_id": "integer",
    "actor_name": "varchar",
    "action": "varchar",
    "object_type": "varchar",
    "object_id": "varchar",
    "police_area_id": "integer",
    "after": "json",
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # stored as naive UTC (models.UTCDateTime)
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return value


@cache
def _statement(table: str, columns: tuple[tuple[str, str], ...], tail: str) -> TextClause:
    names = ", ".join(name for name, _ in columns)
    record = ", ".join(f"{name} {kind}" for name, kind in columns)
    return text(
        f"INSERT INTO {table} ({names}) SELECT {names} "
        f"FROM json_to_recordset(CAST(:rows AS json)) AS t({record}) {tail}"
    )


def insert_rows(table: str, columns: dict[str, str], rows: list[dict[str, Any]], tail: str = ""):
    """Insert ``rows`` into ``table`` in one statement; ``tail`` may add ON CONFLICT, RETURNING."""
    payload = json.dumps([{c: _plain(r[c]) for c in columns} for r in rows], ensure_ascii=False)
    return db.session.execute(_statement(table, tuple(columns.items()), tail), {"rows": payload})
