"""How an entry is shown: its audited snapshot and its shape in the API."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from .. import rules
from ..models import Entry


def entry_snapshot(entry: Entry) -> dict[str, Any]:
    """The audited content of an entry."""
    return {
        "client_id": entry.client_id,
        "promise": entry.promise.key if entry.promise else entry.promise_id,
        "started_at": entry.started_at.isoformat() if entry.started_at else None,
        "ended_at": entry.ended_at.isoformat() if entry.ended_at else None,
        "place": entry.place,
        "officers": entry.officers,
        "metrics": entry.metrics,
        "notes": entry.notes,
        "status": entry.status,
        "version": entry.version,
        "review_comment": entry.review_comment,
    }


def entry_as_dict(entry: Entry, zone: str) -> dict[str, Any]:
    """An entry as the API shows it."""
    tz = ZoneInfo(zone)
    return {
        "client_id": entry.client_id,
        "entry_id": entry.id,
        "version": entry.version,
        "status": entry.status,
        "review_comment": entry.review_comment,
        "promise": entry.promise.key,
        "municipality": entry.municipality.code,
        "activity": entry.promise.activity_type.code if entry.promise.activity_type else None,
        "started_at": entry.started_at.astimezone(tz).isoformat(),
        "ended_at": entry.ended_at.astimezone(tz).isoformat() if entry.ended_at else None,
        "place": entry.place,
        "lat": entry.lat,
        "lon": entry.lon,
        "officers": entry.officers,
        "metrics": entry.metrics,
        "notes": entry.notes,
        "counts": rules.counts(entry.status, entry.in_window),
    }
