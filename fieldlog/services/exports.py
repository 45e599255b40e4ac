"""The exports of CONTRACT: tallies and entries as CSV for Swedish Excel, and their audit."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, select

from .. import rules
from ..database import begin_write
from ..extensions import db
from ..inputs import printable, whole_number
from ..models import ActivityType, Commitment, Entry, Municipality, Promise, User
from . import audit, scope
from .tallies import V1_ROW_FIELDS

# Exactly as CONTRACT: the 15 columns of version 1, then those of Version 2.
TALLY_V2_COLUMNS = ("district", "joint_counted", "target_count", "target_per")
TALLY_V2_COLUMNS += ("periods_due", "periods_met")
TALLY_HEADER = ("year", "municipality_code", *V1_ROW_FIELDS, *TALLY_V2_COLUMNS)
ENTRY_HEADER = (
    "year",
    "municipality_code",
    "municipality",
    "commitment",
    "promise",
    "activity",
    "entry_id",
    "client_id",
    "author",
    "started_at",
    "ended_at",
    "status",
    "counted",
    "officers",
    "metrics",
    "place",
    "notes",
    "review_comment",
)
BOM = "\ufeff"
FIRST_YEAR, LAST_YEAR = 2000, 2100
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def parse_year(raw: str | None) -> int | None:
    """A year from a query string: None when missing or not a year between 2000 and 2100."""
    return whole_number(raw, minimum=FIRST_YEAR, maximum=LAST_YEAR)


def neutralise(value: object) -> str:
    """A cell as text, with a leading ' when a spreadsheet would read it as a formula.

    Control characters a stored value may hold are replaced (``inputs.printable``).
    """
    text = "" if value is None else printable(str(value))
    return "'" + text if text.startswith(DANGEROUS) else text


def csv_line(cells: Iterable[object]) -> str:
    """One CSV line with ; between neutralised cells, quoted where needed, ending CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(
        [neutralise(c) for c in cells]
    )
    return buffer.getvalue()


def tally_cells(row: dict, year: int) -> list[object]:
    """A row of yearly_rows as the cells of the tallies CSV, in the header's order."""
    return [
        year,
        row["municipality"],
        row["municipality_name"],
        row["commitment"],
        row["promise"],
        row["text"],
        row["area"],
        row["owner"],
        row["activity"],
        row["yearly_target"],
        row["counted"],
        row["approved"],
        row["pending"],
        row["rejected"],
        row["status"],
        row["district"],
        row["joint_counted"],
        row["target"]["count"] if row["target"] else None,
        row["target"]["per"] if row["target"] else None,
        row["periods_due"],
        row["periods_met"],
    ]


def tallies_csv(rows: list[dict], year: int) -> bytes:
    """The tallies CSV of CONTRACT: UTF-8 with a byte-order mark, ``;``, the exact header."""
    lines = [BOM, ";".join(TALLY_HEADER) + "\r\n"]
    lines.extend(csv_line(tally_cells(r, year)) for r in rows)
    return "".join(lines).encode("utf-8")


def export_municipalities(code: str | None) -> list[Municipality]:
    """Every municipality (the command line has no user), or the one with ``code``."""
    stmt = select(Municipality).order_by(Municipality.name)
    if code:
        stmt = stmt.where(Municipality.code == code)
    return list(db.session.scalars(stmt))


def record_export(kind: str, params: dict, actor: User | None = None) -> None:
    """Write the audit event of one export (web or command line) in its own transaction."""
    begin_write()
    audit.record(
        "export", "export", kind, after=params, actor=actor, actor_name=None if actor else "cli"
    )
    db.session.commit()


def _metrics(value: dict | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted((value or {}).items()))


def entries_csv(
    municipality_ids: list[int], year: int, viewer: User | None = None, batch: int = 2000
) -> Iterator[str]:
    """The entries of some municipalities started in ``year``, as CSV text in pieces (streamed).

    The author column is empty where ``viewer`` may not see who wrote the entry.
    """
    zone = ZoneInfo(current_app.config["FIELDLOG_TIMEZONE"])
    stmt = (
        select(
            Entry.year,
            Municipality.code,
            Municipality.name,
            Commitment.key,
            Promise.key,
            ActivityType.code,
            Entry.id,
            Entry.client_id,
            User.username,
            User.role,
            Entry.started_at,
            Entry.ended_at,
            Entry.status,
            Entry.in_window,
            Entry.officers,
            Entry.metrics,
            Entry.place,
            Entry.notes,
            Entry.review_comment,
        )
        .join(Promise, Promise.id == Entry.promise_id)
        .join(Commitment, Commitment.id == Promise.commitment_id)
        .join(Municipality, Municipality.id == Entry.municipality_id)
        .join(ActivityType, ActivityType.id == Promise.activity_type_id, isouter=True)
        # Outer: an entry whose author retention removed is listed with an empty author.
        .join(User, User.id == Entry.author_id, isouter=True)
        .where(
            and_(Entry.year == year, Entry.status != "withdrawn"),
            Municipality.id.in_(municipality_ids),
        )
        .order_by(Municipality.name, Entry.started_at, Entry.id)
    )
    yield BOM + ";".join(ENTRY_HEADER) + "\r\n"
    chunk: list[str] = []
    for r in db.session.execute(stmt.execution_options(yield_per=batch)):
        counted = rules.counts(r.status, r.in_window)
        chunk.append(
            csv_line(
                [
                    r.year,
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r.id,
                    r.client_id,
                    r.username if scope.may_see_author(viewer, r.role) else "",
                    r.started_at.astimezone(zone).isoformat(),
                    r.ended_at.astimezone(zone).isoformat() if r.ended_at else "",
                    r.status,
                    1 if counted else 0,
                    r.officers,
                    _metrics(r.metrics),
                    r.place,
                    r.notes,
                    r.review_comment,
                ]
            )
        )
        if len(chunk) >= batch:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
