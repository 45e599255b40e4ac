"""The entries behind a number of the tallies page, read within the user's police area."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Entry, Municipality, Promise, User
from ..rules import to_local
from ..rules.periods import Period
from ..security import allow_images_from
from ..services import scope
from ..services.tallies import counted_clause, not_counted_clause

PAGE_SIZE = 200
MAP_LIMIT = 5000  # points on the map of one number; past it the page says so
LAST_PAGE = 100_000  # far past any promise's entries of one year; keeps the offset small
ENTRY_FILTERS = {
    "counted": _l("Räknade"),
    "approved": _l("Godkända"),
    "not_counted": _l("Godkända men inte räknade"),
    "pending": _l("Väntar på granskning"),
    "rejected": _l("Avslagna"),
}
ENTRY_WORDS = {
    "pending": _l("Väntar"),
    "approved": _l("Godkänd"),
    "rejected": _l("Avslagen"),
}


def _condition(status: str):
    if status == "counted":
        return counted_clause()
    if status == "not_counted":
        return not_counted_clause()
    return Entry.status == status


def _behind(
    user: User, key: str, year: int, status: str, span: Period | None, code: str | None = None
):
    """The promise with ``key`` if the user may see it, and the condition of its entries; with
    ``code`` only those done in that municipality (a joint agreement's share of one)."""
    stmt = select(Promise).where(
        Promise.key == key,
        Promise.activity_type_id.is_not(None),
        scope.promises_clause(user),
    )
    promise = db.session.scalar(stmt)
    if promise is None:
        return None, None
    # A joint promise: only the entries done in the municipalities the user may see.
    visible = select(Municipality.id).where(scope.municipality_clause(user))
    if code:
        visible = visible.where(Municipality.code == code)
    where = and_(
        Entry.promise_id == promise.id,
        Entry.municipality_id.in_(visible),
        Entry.year == year,
        _condition(status),
    )
    if span is not None:
        where = and_(where, Entry.day >= span.start, Entry.day <= span.end)
    return promise, where


def entries_behind(
    user: User,
    key: str,
    year: int,
    status: str,
    page: int = 1,
    span: Period | None = None,
    code: str | None = None,
) -> tuple[Promise | None, list[Entry], int]:
    """The promise with ``key`` if the user may see it, one page of its entries, and their count;
    with ``span`` (a tertial, quarter or month of the year) only the entries started in it; with
    ``code`` only those done in that municipality."""
    promise, where = _behind(user, key, year, status, span, code)
    if promise is None:
        return None, [], 0
    total = db.session.scalar(select(func.count()).select_from(Entry).where(where)) or 0
    rows = list(
        db.session.scalars(
            select(Entry)
            .options(joinedload(Entry.author))
            .where(where)
            .order_by(Entry.started_at, Entry.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return promise, rows, total


def positions_behind(
    user: User,
    key: str,
    year: int,
    status: str,
    span: Period | None = None,
    code: str | None = None,
) -> tuple[list[dict], int]:
    """The positions of all the entries behind the number (not only one page), for the map:
    ``{"id", "lat", "lon", "start", "place"}`` each, at most MAP_LIMIT of them, and how many
    entries have a position (more than MAP_LIMIT: the page says that not all are shown)."""
    promise, where = _behind(user, key, year, status, span, code)
    if promise is None:
        return [], 0
    where = and_(where, Entry.lat.is_not(None), Entry.lon.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(Entry).where(where)) or 0
    found = db.session.execute(
        select(Entry.id, Entry.lat, Entry.lon, Entry.started_at, Entry.place)
        .where(where)
        .order_by(Entry.started_at, Entry.id)
        .limit(MAP_LIMIT)
    )
    return [
        {"id": i, "lat": lat, "lon": lon, "start": started, "place": place or ""}
        for i, lat, lon, started, place in found
    ], total


def map_context(
    user: User, key: str, year: int, status: str, span: Period | None, code: str | None = None
) -> dict:
    """What the page's map needs: the points (as JSON for static/js/map.js), how many entries
    have a position, and the tile server of FIELDLOG_MAP_TILES, whose host the page's CSP
    then allows images from (on this page only)."""
    points, total = positions_behind(user, key, year, status, span, code)
    zone = current_app.config["FIELDLOG_TIMEZONE"]
    for p in points:
        p["start"] = to_local(p["start"], zone).strftime("%Y-%m-%d %H:%M")
    tiles = current_app.config.get("MAP_TILES") or ""
    if points and tiles:
        allow_images_from(tiles)
    return {
        "map_points": points,
        "map_total": total,
        "map_tiles": tiles,
        "map_attribution": current_app.config.get("MAP_ATTRIBUTION") or "",
    }
