"""The tallies as a formatted Swedish workbook: a summary sheet and one sheet per municipality.

Each municipality's sheet reads as a council member reads a follow-up: the promise, its
target in words (the target in force that year), the count and the state first, then the
outcome sums and the rest; columns as wide as their contents (capped); printed A4 landscape,
fitted to the width, the heading row on every page; a bar chart of counted against target.

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
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

from .. import target_words
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


def _sheet_title(code: str, name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", printable(f"{code} {name}"))[:31]


WIDTH_CAP = 60  # characters: a longer text wraps within its column
NUMBER_CAP = 14


def _line_width(value) -> int:
    """The characters a value needs on one line (its longest line)."""
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def _widths_by_content(ws, headings: set[int], wrapped: set[int]) -> None:
    """Each column as wide as its widest cell below the title, plus a margin: a heading by its
    longest word (headings wrap); capped at WIDTH_CAP for the columns whose text wraps and at
    NUMBER_CAP for the others (a longer value of those is left to show in the cell)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.value is None:
                continue
            text = str(cell.value)
            need = max(map(len, text.split()), default=0) if cell.row in headings else None
            widths[cell.column] = max(widths.get(cell.column, 0), need or _line_width(text))
    for col, need in sorted(widths.items()):
        cap = WIDTH_CAP if col in wrapped else max(NUMBER_CAP, min(need, 30))
        ws.column_dimensions[get_column_letter(col)].width = max(6, min(need + 2, cap))


def _print_set_up(ws, title_row: int) -> None:
    """A4 landscape, fitted to the width of a page (as many pages down as needed), the
    heading row repeated on every printed page, the sheet and page number in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{title_row}:{title_row}"
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"


def _title(year: int, period: str | None) -> str:
    """ "2024" or "2024, tertial 2"."""
    name = target_words.period_name(period)
    return f"{year}, {name}" if name else str(year)


def _summary(ws, year: int, period: str | None, municipalities: list[dict]) -> None:
    ws.title = _("Sammanfattning")
    _put(
        ws, 1, 1, _("Uppföljning av medborgarlöften %(year)s", year=_title(year, period))
    ).font = Font(bold=True, size=14)
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
    _widths_by_content(ws, headings={3}, wrapped=set())
    ws.freeze_panes = "A4"
    _print_set_up(ws, 3)


# The columns of a municipality's sheet: the four a council member reads first, then the rest.
PROMISE, TARGET, COUNTED, STATUS, PROGRESS, OUTCOMES, SPAN_TARGET = range(1, 8)
AGREEMENT, KEY = 14, 18
WRAPPED = {PROMISE, TARGET, PROGRESS, OUTCOMES, AGREEMENT}


def _headings() -> list[str]:
    return [
        _("Löfte"),
        _("Mål"),
        _("Räknade"),
        _("Läge"),
        _("Måluppfyllelse"),
        _("Utfall"),
        _("Mål för perioden"),
        _("Godkända"),
        _("Väntande"),
        _("Avslagna"),
        _("Räknade tillsammans"),
        _("Årsmål"),
        _("Period"),
        _("Medborgarlöfte"),
        _("Område"),
        _("Ansvar"),
        _("Aktivitet"),
        _("Löftets id"),
        _("Kommunkod"),
        _("Kommun"),
        _("År"),
    ]


def _row_values(year: int, period: str | None, m: dict, c: dict, r: dict) -> list:
    state = [
        s
        for s in (
            target_words.periods_state(r),
            target_words.places_met(r),
            target_words.share_of_target(r),
        )
        if s
    ]
    outcomes = ", ".join(f"{label} {n}" for label, n in target_words.outcomes(r))
    return [
        r["text"],
        target_words.target(r.get("target")),
        r["counted"],
        str(STATUS_WORDS[r["status"]]),
        "; ".join(state),
        outcomes,
        r["span_target"],
        r["approved"],
        r["pending"],
        r["rejected"],
        r.get("joint_counted"),
        r["yearly_target"],
        period or "",
        c["title"],
        r["area"],
        r["owner"],
        r["activity"],
        r["promise"],
        m["code"],
        m["name"],
        year,
    ]


def _chart(ws, first: int, last: int, anchor: str) -> None:
    """Counted against the target of the span, one pair of bars per promise (by its text)."""
    chart = BarChart()
    chart.type = "bar"  # horizontal: the promises' texts read along the axis
    chart.grouping = "clustered"
    chart.title = _("Räknade mot mål")
    chart.y_axis.title = _("Antal")
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the table
    chart.add_data(
        Reference(ws, min_col=COUNTED, min_row=first - 1, max_row=last), titles_from_data=True
    )
    chart.add_data(
        Reference(ws, min_col=SPAN_TARGET, min_row=first - 1, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=KEY, min_row=first, max_row=last))
    chart.series[0].graphicalProperties.solidFill = "0B2A4A"
    chart.series[1].graphicalProperties.solidFill = "9DB7D5"
    chart.legend.position = "b"
    chart.width = 24
    chart.height = max(7.5, 1.1 * (last - first + 1) + 3)
    ws.add_chart(chart, anchor)


def _municipality(ws, year: int, period: str | None, m: dict) -> None:
    ws.title = _sheet_title(m["code"], m["name"])
    _put(ws, 1, 1, f"{m['name']} {_title(year, period)}").font = Font(bold=True, size=14)
    _put(
        ws,
        2,
        1,
        _("Mål: det mål som gällde %(year)s. Räknade: godkända poster som räknas.", year=year),
    )
    headings = _headings()
    _header(ws, 3, headings)
    row = 4
    for c in m["commitments"]:
        for r in c["rows"]:
            for col, value in enumerate(_row_values(year, period, m, c, r), start=1):
                cell = _put(ws, row, col, value)
                cell.alignment = Alignment(wrap_text=col in WRAPPED, vertical="top")
            ws.cell(row=row, column=STATUS).fill = PatternFill(
                "solid", fgColor=STATUS_FILLS[r["status"]]
            )
            row += 1
    last_counted = row - 1
    if last_counted >= 4:
        ws.auto_filter.ref = f"A3:{get_column_letter(len(headings))}{last_counted}"
    row += 1
    words_heading = row + 1
    _put(ws, row, 1, _("Löften som följs upp i ord"), bold=True)
    # Under the columns of the same meaning: the text, the state under Läge, the comment in
    # the wide column of the outcomes, the agreement and the id under theirs.
    columns = (PROMISE, STATUS, OUTCOMES, AGREEMENT, KEY)
    words_headings = (_("Löfte"), _("Läge"), _("Kommentar"), _("Medborgarlöfte"), _("Löftets id"))
    for col, heading in zip(columns, words_headings, strict=True):
        cell = _put(ws, words_heading, col, heading)
        cell.fill, cell.font = HEAD_FILL, HEAD_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    row += 2
    for c in m["commitments"]:
        for w in c["in_words"]:
            values = (w["text"], str(STATE_WORDS[w["state"]]), w["note"], c["title"], w["promise"])
            for col, value in zip(columns, values, strict=True):
                _put(ws, row, col, value).alignment = Alignment(
                    wrap_text=col in WRAPPED, vertical="top"
                )
            row += 1
    _widths_by_content(ws, headings={3, words_heading}, wrapped=WRAPPED)
    ws.freeze_panes = "B4"
    _print_set_up(ws, 3)
    if last_counted >= 4:
        _chart(ws, 4, last_counted, f"A{row + 2}")


def tallies_xlsx(year: int, municipalities: list[dict], period: str | None = None) -> bytes:
    """The workbook of a year's (or a period's) follow-up from ``followups.overview`` rows."""
    with force_locale("sv"):
        wb = Workbook()
        _summary(wb.active, year, period, municipalities)
        for m in municipalities:
            _municipality(wb.create_sheet(), year, period, m)
        wb.properties.creator = "Fieldlog"
        wb.properties.created = wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return buffer.getvalue()
