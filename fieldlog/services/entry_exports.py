"""The entries themselves as exports: ``entries.csv`` for Swedish Excel and ``entries.geojson``.

CONTRACT.md, "Exports" and "Exports additions": the columns of version 1, then
``lat`` and ``lon``, then one column per metric of the activity types (named by the
metric, empty where the entry's activity has no such metric). The GeoJSON
FeatureCollection (RFC 7946, ``[lon, lat]``) holds the entries with a position,
with the same properties minus the notes. Both are streamed in pieces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, select

from .. import rules
from ..extensions import db
from ..models import ROLES, ActivityType, Commitment, Entry, Municipality, Promise, User
from . import scope

BASE_COLUMNS = (
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
    "lat",
    "lon",
)
BOM = "\ufeff"


def metric_columns() -> tuple[list[str], dict[str, list[str]]]:
    """Every metric name of the activity types, in the order of their codes (each once), and
    each activity type's own metrics by code."""
    names: list[str] = []
    by_code: dict[str, list[str]] = {}
    for code, metrics in db.session.execute(
        select(ActivityType.code, ActivityType.metrics).order_by(ActivityType.code)
    ):
        by_code[code] = list(metrics or [])
        names.extend(m for m in by_code[code] if m not in names and m not in BASE_COLUMNS)
    return names, by_code


def _packed(value: dict | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted((value or {}).items()))


def entry_records(
    municipality_ids: list[int],
    year: int,
    viewer: User | None = None,
    batch: int = 2000,
    with_position: bool = False,
) -> tuple[list[str], Iterator[dict]]:
    """The header and the entries of some municipalities started in ``year`` (not withdrawn),
    each a dict of the header's columns with plain values; the author is empty where
    ``viewer`` may not see who wrote the entry.

    What the viewer may see is decided here, at once: the records are read while the answer
    streams, after the request's session has closed (its objects, ``viewer`` too, are then
    detached and cannot be read)."""
    zone = ZoneInfo(current_app.config["FIELDLOG_TIMEZONE"])
    sees_author = {role: scope.may_see_author(viewer, role) for role in ROLES}
    metrics, by_code = metric_columns()
    header = [*BASE_COLUMNS, *metrics]
    where = [Entry.year == year, Entry.status != "withdrawn", Municipality.id.in_(municipality_ids)]
    if with_position:
        where += [Entry.lat.is_not(None), Entry.lon.is_not(None)]
    stmt = (
        select(
            Entry,
            Municipality.code,
            Municipality.name,
            Commitment.key,
            Promise.key,
            ActivityType.code,
            User.username,
            User.role,
        )
        .join(Promise, Promise.id == Entry.promise_id)
        .join(Commitment, Commitment.id == Promise.commitment_id)
        .join(Municipality, Municipality.id == Entry.municipality_id)
        .join(ActivityType, ActivityType.id == Promise.activity_type_id, isouter=True)
        # Outer: an entry whose author retention removed is listed with an empty author.
        .join(User, User.id == Entry.author_id, isouter=True)
        .where(and_(*where))
        .order_by(Municipality.name, Entry.started_at, Entry.id)
    )

    def records() -> Iterator[dict]:
        for e, code, name, commitment, promise, activity, username, role in db.session.execute(
            stmt.execution_options(yield_per=batch)
        ):
            own = by_code.get(activity, [])
            values = e.metrics or {}
            yield {
                "year": e.year,
                "municipality_code": code,
                "municipality": name,
                "commitment": commitment,
                "promise": promise,
                "activity": activity,
                "entry_id": e.id,
                "client_id": e.client_id,
                "author": username if username and sees_author.get(role, False) else "",
                "started_at": e.started_at.astimezone(zone).isoformat(),
                "ended_at": e.ended_at.astimezone(zone).isoformat() if e.ended_at else "",
                "status": e.status,
                "counted": 1 if rules.counts(e.status, e.in_window) else 0,
                "officers": e.officers,
                "metrics": _packed(e.metrics),
                "place": e.place,
                "notes": e.notes,
                "review_comment": e.review_comment,
                "lat": e.lat,
                "lon": e.lon,
                **{m: (values.get(m, 0) if m in own else None) for m in metrics},
            }

    return header, records()


def entries_csv(
    municipality_ids: list[int], year: int, viewer: User | None = None, batch: int = 2000
) -> Iterator[str]:
    """The entries as CSV text in pieces: BOM, ``;``, CRLF, neutralised cells. What the
    viewer may see is settled on the call, the pieces are made while the answer streams."""
    header, records = entry_records(municipality_ids, year, viewer, batch)
    return _csv_pieces(header, records, batch)


def _csv_pieces(header: list[str], records: Iterator[dict], batch: int) -> Iterator[str]:
    from .exports import csv_line

    yield BOM + csv_line(header)
    chunk: list[str] = []
    for record in records:
        chunk.append(csv_line(record.values()))
        if len(chunk) >= batch:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def entries_geojson(
    municipality_ids: list[int], year: int, viewer: User | None = None, batch: int = 2000
) -> Iterator[str]:
    """The entries with a position as a GeoJSON FeatureCollection (RFC 7946), in pieces;
    what the viewer may see settled on the call, as for the CSV."""
    _header, records = entry_records(municipality_ids, year, viewer, batch, with_position=True)
    return _geojson_pieces(records)


def _geojson_pieces(records: Iterator[dict]) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    first = True
    for record in records:
        record.pop("notes")
        feature = {
            "type": "Feature",
            "id": record["entry_id"],
            "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]},
            "properties": record,
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}\n"
