"""The tallies as a formatted Swedish workbook: a summary sheet and one sheet per municipality.

Deterministic: fixed document times and zip entry times, so the web and the command line
give the same bytes. Text cells are always stored as text, never as formulas.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ..inputs import printable
from .followups import STATE_WORDS, STATUS_WORDS

FIXED_TIME = dt.datetime(2000, 1, 1)
HEAD_FILL = PatternFill("solid", fgColor="0B2A4A")
HEAD_FONT = Font(bold=True, color="FFFFFF")
STATUS_FILLS = {
    "met": "D9F2E0",
    "on_track": "E8F1FB",
    "behind": "FBE3E5",
    "missed": "FBE3E5",
    "no_target": "F2F2F2",
}


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose entries all carry one fixed time."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=(2000, 1, 1, 0, 0, 0))
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes worksheets from temporary files, whose times would leak in.
        with open(filename, "rb") as f:
            self.writestr(arcname or str(filename), f.read())


def _put(ws, row: int, col: int, value, bold: bool = False):
    """Write one cell; a string is stored as text whatever it begins with.

    Characters a workbook cannot hold (control characters a stored value may
    have) are replaced, so that an export of stored data never fails.
    """
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = printable(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(("=", "+", "-", "@")):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def _header(ws, row: int, headings: list[str]) -> None:
    for col, heading in enumerate(headings, start=1):
        cell = _put(ws, row, col, heading)
        cell.fill, cell.font = HEAD_FILL, HEAD_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(ws, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _sheet_title(code: str, name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", printable(f"{code} {name}"))[:31]


def _summary(ws, year: int, municipalities: list[dict]) -> None:
    ws.title = _("Sammanfattning")
    _put(ws, 1, 1, _("Uppföljning av medborgarlöften %(year)s", year=year)).font = Font(
        bold=True, size=14
    )
    keys = ["met", "on_track", "behind", "missed", "no_target"]
    _header(
        ws,
        3,
        [
            _("Kommun"),
            _("Kommunkod"),
            *[str(STATUS_WORDS[k]) for k in keys],
            _("Räknade"),
            _("Väntar på granskning"),
        ],
    )
    for i, m in enumerate(municipalities, start=4):
        rows = [r for c in m["commitments"] for r in c["rows"]]
        values = [
            m["name"],
            m["code"],
            *[m["statuses"].get(k, 0) for k in keys],
            sum(r["counted"] for r in rows),
            sum(r["pending"] for r in rows),
        ]
        for col, value in enumerate(values, start=1):
            _put(ws, i, col, value)
    _widths(ws, [18, 12, 11, 11, 11, 13, 11, 11, 14])
    ws.freeze_panes = "A4"


def _municipality(ws, year: int, m: dict) -> None:
    ws.title = _sheet_title(m["code"], m["name"])
    _put(ws, 1, 1, f"{m['name']} {year}").font = Font(bold=True, size=14)
    headings = [
        _("År"),
        _("Kommunkod"),
        _("Kommun"),
        _("Medborgarlöfte"),
        _("Löfte"),
        _("Text"),
        _("Område"),
        _("Ansvar"),
        _("Aktivitet"),
        _("Årsmål"),
        _("Räknade"),
        _("Godkända"),
        _("Väntande"),
        _("Avslagna"),
        _("Läge"),
    ]
    _header(ws, 3, headings)
    row = 4
    for c in m["commitments"]:
        for r in c["rows"]:
            values = [
                year,
                m["code"],
                m["name"],
                c["title"],
                r["promise"],
                r["text"],
                r["area"],
                r["owner"],
                r["activity"],
                r["yearly_target"],
                r["counted"],
                r["approved"],
                r["pending"],
                r["rejected"],
                str(STATUS_WORDS[r["status"]]),
            ]
            for col, value in enumerate(values, start=1):
                cell = _put(ws, row, col, value)
                cell.alignment = Alignment(wrap_text=col == 6, vertical="top")
            ws.cell(row=row, column=15).fill = PatternFill(
                "solid", fgColor=STATUS_FILLS[r["status"]]
            )
            row += 1
    if row > 4:
        ws.auto_filter.ref = f"A3:O{row - 1}"
    row += 1
    _put(ws, row, 1, _("Löften som följs upp i ord"), bold=True)
    _header(ws, row + 1, [_("Medborgarlöfte"), _("Löfte"), _("Text"), _("Läge"), _("Kommentar")])
    row += 2
    for c in m["commitments"]:
        for w in c["in_words"]:
            for col, value in enumerate(
                [c["title"], w["promise"], w["text"], str(STATE_WORDS[w["state"]]), w["note"]],
                start=1,
            ):
                _put(ws, row, col, value).alignment = Alignment(
                    wrap_text=col in (3, 5), vertical="top"
                )
            row += 1
    _widths(ws, [22, 24, 40, 14, 40, 50, 18, 12, 16, 9, 9, 9, 9, 9, 13])
    ws.freeze_panes = "A4"


def tallies_xlsx(year: int, municipalities: list[dict]) -> bytes:
    """The workbook of a year's follow-up from ``followups.overview`` rows, as bytes."""
    with force_locale("sv"):
        wb = Workbook()
        _summary(wb.active, year, municipalities)
        for m in municipalities:
            _municipality(wb.create_sheet(), year, m)
        wb.properties.creator = "Fieldlog"
        wb.properties.created = wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return buffer.getvalue()
