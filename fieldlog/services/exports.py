"""The exports of CONTRACT: tallies, outcome sums and entries as CSV for Swedish Excel, and
their audit (the entries themselves: services/entry_exports.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy import select

from .. import target_words
from ..database import begin_write
from ..extensions import db
from ..inputs import printable, whole_number
from ..models import Municipality, User
from . import audit
from .entry_exports import entries_csv, entries_geojson  # noqa: F401  (the exports' one home)
from .tallies import V1_ROW_FIELDS

# Exactly as CONTRACT: the 15 columns of version 1, then those of Version 2.
TALLY_V2_COLUMNS = ("district", "joint_counted", "target_count", "target_per")
TALLY_V2_COLUMNS += ("periods_due", "periods_met")
TALLY_HEADER = ("year", "municipality_code", *V1_ROW_FIELDS, *TALLY_V2_COLUMNS)
OUTCOME_HEADER = (
    "year",
    "period",
    "municipality_code",
    "municipality",
    "commitment",
    "promise",
    "activity",
    "metric",
    "metric_label",
    "sum",
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


def outcome_cells(rows: list[dict], year: int, period: str | None) -> Iterator[list[object]]:
    """The rows of outcomes.csv: one per promise and metric of its activity, 0 included; a
    joint agreement's row per covered municipality holds that municipality's share."""
    for r in rows:
        labels = r.get("metric_labels") or {}
        for metric, total in r["outcomes"].items():
            yield [
                year,
                period or "",
                r["municipality"],
                r["municipality_name"],
                r["commitment"],
                r["promise"],
                r["activity"],
                metric,
                target_words.metric_swedish(metric, labels.get(metric)),
                total,
            ]


def outcomes_csv(rows: list[dict], year: int, period: str | None = None) -> bytes:
    """The outcome sums as CSV, with the conventions of the tallies CSV."""
    lines = [BOM, ";".join(OUTCOME_HEADER) + "\r\n"]
    lines.extend(csv_line(cells) for cells in outcome_cells(rows, year, period))
    return "".join(lines).encode("utf-8")
