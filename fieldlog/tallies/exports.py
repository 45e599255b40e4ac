"""GET /exports/…: the tallies as CSV and XLSX, the outcome sums as CSV and the entries as CSV
and GeoJSON, for the follow-up."""

from __future__ import annotations

from flask import Response, request, stream_with_context
from flask_login import current_user

from .. import clock
from ..auth import roles_required
from ..services.exports import (
    entries_csv,
    entries_geojson,
    outcomes_csv,
    record_export,
    tallies_csv,
)
from ..services.followups import overview
from ..services.tally_rows import yearly_rows
from ..services.workbook import tallies_xlsx
from .views import VIEWERS, bp, chosen_period, chosen_year, scoped_municipalities

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _audit(kind: str, year: int, code: str | None, period: str | None = None) -> None:
    params = {"year": year, "municipality": code}
    if period:
        params["period"] = period
    record_export(kind, params, actor=current_user._get_current_object())


def _name(kind: str, year: int, code: str | None, period: str | None, ext: str) -> str:
    return f"{kind}-{year}{f'-{period}' if period else ''}{f'-{code}' if code else ''}.{ext}"


@bp.get("/exports/tallies.csv")
@roles_required(*VIEWERS)
def tallies_csv_export():
    """The year's tallies as CSV for Swedish Excel (CONTRACT's header, BOM, ``;``)."""
    year, code, period = chosen_year(), request.args.get("municipality") or None, chosen_period()
    rows = yearly_rows(scoped_municipalities(code), year, clock.today(), period)
    _audit("tallies.csv", year, code, period)
    return _download(
        tallies_csv(rows, year),
        "text/csv; charset=utf-8",
        _name("tallies", year, code, period, "csv"),
    )


@bp.get("/exports/outcomes.csv")
@roles_required(*VIEWERS)
def outcomes_csv_export():
    """The outcome sums of the counted entries per promise and metric (of a period)."""
    year, code, period = chosen_year(), request.args.get("municipality") or None, chosen_period()
    rows = yearly_rows(scoped_municipalities(code), year, clock.today(), period)
    _audit("outcomes.csv", year, code, period)
    return _download(
        outcomes_csv(rows, year, period),
        "text/csv; charset=utf-8",
        _name("outcomes", year, code, period, "csv"),
    )


@bp.get("/exports/tallies.xlsx")
@roles_required(*VIEWERS)
def tallies_xlsx_export():
    """The year's (or a period's) tallies as a Swedish workbook: a summary and a sheet per
    municipality."""
    year, code, period = chosen_year(), request.args.get("municipality") or None, chosen_period()
    found = overview(scoped_municipalities(code), year, clock.today(), period=period)
    body = tallies_xlsx(year, found, period)
    _audit("tallies.xlsx", year, code, period)
    return _download(body, XLSX, _name("tallies", year, code, period, "xlsx"))


@bp.get("/exports/entries.csv")
@roles_required(*VIEWERS)
def entries_csv_export():
    """The year's entries of the user's police area (or one municipality), streamed as CSV."""
    year, code = chosen_year(), request.args.get("municipality") or None
    ids = [m.id for m in scoped_municipalities(code)]
    _audit("entries.csv", year, code)
    suffix = f"-{code}" if code else ""
    body = stream_with_context(
        s.encode("utf-8") for s in entries_csv(ids, year, current_user._get_current_object())
    )
    return _download(body, "text/csv; charset=utf-8", f"entries-{year}{suffix}.csv")


@bp.get("/exports/entries.geojson")
@roles_required(*VIEWERS)
def entries_geojson_export():
    """The year's entries with a position as a GeoJSON FeatureCollection, streamed."""
    year, code = chosen_year(), request.args.get("municipality") or None
    ids = [m.id for m in scoped_municipalities(code)]
    _audit("entries.geojson", year, code)
    body = stream_with_context(
        s.encode("utf-8") for s in entries_geojson(ids, year, current_user._get_current_object())
    )
    return _download(body, "application/geo+json", _name("entries", year, code, None, "geojson"))
