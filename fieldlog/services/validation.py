"""One validation of an entry, for the form and the API alike: CONTRACT's ENTRY rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..canonical import canonical_json
from ..inputs import (
    EARLIEST_DAY,
    ID_MAX,
    LATEST_DAY,
    has_forbidden_characters,
    is_municipality_code,
    is_reasonable_day,
    stored_text,
    whole_number,
    whole_number_problem,
)
from ..labels import metric_words, officers_words
from ..models import Municipality, Promise, utcnow
from ..rules import in_window, to_local
from .commitments import PromiseResolver

FUTURE_TOLERANCE = dt.timedelta(minutes=10)
LONGEST_ENTRY = dt.timedelta(hours=24)
MOST_OFFICERS = 1000  # far above any real patrol; keeps the column's integer from overflowing
LARGEST_METRIC = 1_000_000
EDITABLE = ("pending", "rejected")


class EntryError(Exception):
    """A refused change to an entry; ``status`` is the HTTP status that fits it."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class CleanEntry:
    """An entry that passed validation, ready to store."""

    client_id: str
    promise: Promise
    municipality: Municipality
    started_at: dt.datetime
    ended_at: dt.datetime | None
    place: str | None
    lat: float | None
    lon: float | None
    officers: int
    metrics: dict[str, int]
    notes: str | None
    base_version: int | None
    day: dt.date | None = None
    year: int = 0
    in_window: bool = True
    content_hash: str = ""
    # The client_id exactly as the phone sent it, echoed in the result so the phone can match it.
    sent_id: Any = None

    def columns(self) -> dict[str, Any]:
        """The stored columns this entry sets."""
        return {
            "promise_id": self.promise.id,
            "municipality_id": self.municipality.id,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "day": self.day,
            "year": self.year,
            "in_window": self.in_window,
            "place": self.place,
            "lat": self.lat,
            "lon": self.lon,
            "officers": self.officers,
            "metrics": self.metrics,
            "notes": self.notes,
            "content_hash": self.content_hash,
        }


def content_hash(promise_key: str, values: dict[str, Any], municipality: str | None = None) -> str:
    """A hash of an entry's canonical content, telling a replay from a changed entry.

    ``municipality`` is the code of the municipality an entry of a joint agreement
    names (None otherwise, so the hashes of entries stored before Version 2 stay).
    """

    def iso(t: dt.datetime | None) -> str | None:
        return t.astimezone(dt.UTC).isoformat() if t else None

    canonical = {
        "promise": promise_key,
        "started_at": iso(values["started_at"]),
        "ended_at": iso(values["ended_at"]),
        "place": values["place"],
        "lat": values["lat"],
        "lon": values["lon"],
        "officers": values["officers"],
        "metrics": dict(sorted(values["metrics"].items())),
        "notes": values["notes"],
    }
    if municipality is not None:
        canonical["municipality"] = municipality
    return hashlib.sha256(canonical_json(canonical).encode()).hexdigest()


# Why a time was refused (:func:`read_time`).
MISSING, UNREADABLE, CONTROL, NO_TIME_OF_DAY, OUT_OF_RANGE = (
    "missing",
    "unreadable",
    "control",
    "no_time_of_day",
    "out_of_range",
)
TIME_WORDS = {"started_at": _l("Starttiden"), "ended_at": _l("Sluttiden")}


def read_time(
    value: Any, zone: ZoneInfo, entry: bool = True
) -> tuple[dt.datetime | None, str | None]:
    """An ISO 8601 time in UTC, local in ``zone`` when it has no offset, and None; or None and
    why not (MISSING, UNREADABLE, CONTROL, NO_TIME_OF_DAY, OUT_OF_RANGE).

    No control character at all, not even around it (Python reads "10:00" followed by NUL
    as 10:00). An ``entry``'s time is a date with a time of day (a date alone would be read
    as midnight, which counts as inconvenient hours) on a day within 1900–2199
    (``inputs.is_reasonable_day``, which also keeps every later step in range); another
    (a filter) may be a date, of any year a time can hold.
    """
    if not isinstance(value, str) or not value.strip():
        return None, MISSING
    if has_forbidden_characters(value) or any(c in value for c in "\t\n\r"):
        return None, CONTROL
    text = value.strip(" ")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, UNREADABLE
    if entry and _is_date_only(text):
        return None, NO_TIME_OF_DAY
    if entry and not is_reasonable_day(moment.date()):
        return None, OUT_OF_RANGE
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(dt.UTC), None
    except OverflowError:  # the first or last hours a time can hold, in another zone
        return None, OUT_OF_RANGE


def _is_date_only(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_time(value: Any, zone: ZoneInfo) -> dt.datetime | None:
    """An ISO 8601 time to filter by (a date alone is its midnight), local in ``zone`` when it
    has no offset; None when :func:`read_time` refuses it."""
    return read_time(value, zone, entry=False)[0]


def _time_problem(name: str, problem: str | None) -> str:
    """A refused time in words, naming it as the start or the end."""
    when = TIME_WORDS[name]
    if problem == CONTROL:
        return _("%(when)s innehåller otillåtna tecken (styrtecken).", when=when)
    if problem == NO_TIME_OF_DAY:
        return _("%(when)s saknar klockslag: ange också tiden på dygnet.", when=when)
    if problem == OUT_OF_RANGE:
        return _(
            "%(when)s ligger utanför åren %(first)s–%(last)s.",
            when=when,
            first=EARLIEST_DAY.year,
            last=LATEST_DAY.year,
        )
    if name == "started_at":
        return _("Starttid saknas eller är ingen tid (ISO 8601).")
    return _("Sluttiden är ingen tid (ISO 8601).")


def _whole_number(value: Any, minimum: int, maximum: int) -> tuple[int | None, str | None]:
    """A count of an ENTRY (inputs.whole_number): a JSON number, as the phone sends it, in
    range; else None and why not, in words that follow the field's name."""
    number = whole_number(value, minimum=minimum, maximum=maximum, text=False)
    if number is not None:
        return number, None
    return None, whole_number_problem(value, minimum=minimum, maximum=maximum, text=False)


def _optional_text(data: dict, name: str, limit: int, errors: dict[str, str]) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = _("Måste vara text.")
        return None
    value = stored_text(value.strip())
    if value is None:
        # NUL, other control characters, a lone CR or surrogate (JSON lets U+D800 through).
        errors[name] = _("Innehåller tecken som inte kan sparas.")
        return None
    if len(value) > limit:
        errors[name] = _("Högst %(n)d tecken.", n=limit)
    return value or None


def _number_like(value: Any) -> bool:
    """A JSON number, or text of ASCII characters (float() reads other scripts' digits too)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and value.isascii())


def _coordinates(data: dict, errors: dict[str, str]) -> tuple[float | None, float | None]:
    lat, lon = data.get("lat"), data.get("lon")
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        errors["lat" if lat is None else "lon"] = _("Ange både latitud och longitud, eller ingen.")
        return None, None
    try:
        if not all(_number_like(v) for v in (lat, lon)):
            raise ValueError
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError, OverflowError):
        errors["lat"] = _("Latitud och longitud måste vara tal.")
        return None, None
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        errors["lat"] = _("Latitud måste ligga mellan -90 och 90.")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        errors["lon"] = _("Longitud måste ligga mellan -180 och 180.")
    return lat, lon


PROMISE_REASONS = {
    "unknown": lambda: _("Okänt löfte i ditt polisområde."),
    "not_in_force": lambda: _("Inget medborgarlöfte med det löftet gäller på startdagen."),
    "not_countable": lambda: _("Löftet följs upp i ord och kan inte loggas."),
    "unknown_municipality": lambda: _("Okänd kommun i ditt polisområde."),
    "no_match": lambda: _("Inget löfte med den aktiviteten gäller i kommunen på startdagen."),
    "ambiguous": lambda: _("Flera löften har den aktiviteten; ange löftet."),
    "not_yours": lambda: _("Löftet utförs av en annan part och loggas inte av dig."),
    "municipality_needed": lambda: _("Löftet gäller flera kommuner: ange kommunen."),
    "other_municipality": lambda: _("Löftet gäller inte den kommunen."),
}


def validate_entry(
    data: Any, resolver: PromiseResolver, now: dt.datetime | None = None
) -> tuple[CleanEntry | None, dict[str, str]]:
    """Check one ENTRY of CONTRACT; the clean entry, or the errors by field name."""
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        return None, {"entry": _("Varje post måste vara ett objekt.")}
    zone_name = current_app.config["FIELDLOG_TIMEZONE"]
    zone = ZoneInfo(zone_name)
    now = now or utcnow()

    client_id = None
    try:
        client_id = str(uuid.UUID(str(data.get("client_id") or "")))
    except ValueError:
        errors["client_id"] = _("Saknas eller är inget UUID.")

    started_at, problem = read_time(data.get("started_at"), zone)
    if started_at is None:
        errors["started_at"] = _time_problem("started_at", problem)
    elif started_at > now + FUTURE_TOLERANCE:
        errors["started_at"] = _("Starttiden ligger mer än 10 minuter fram i tiden.")

    ended_at = None
    if data.get("ended_at") not in (None, ""):
        ended_at, problem = read_time(data.get("ended_at"), zone)
        if ended_at is None:
            errors["ended_at"] = _time_problem("ended_at", problem)
        elif "started_at" in errors:
            pass  # judged against a valid start only
        elif started_at and ended_at < started_at:
            errors["ended_at"] = _("Sluttiden ligger före starttiden.")
        elif started_at and ended_at > started_at + LONGEST_ENTRY:
            errors["ended_at"] = _("Sluttiden ligger mer än 24 timmar efter starttiden.")

    code = data.get("municipality")
    if code is not None and not is_municipality_code(code):
        errors["municipality"] = _("Måste vara en kommunkod med fyra siffror.")
        code = None
    promise = municipality = None
    day = to_local(started_at, zone_name).date() if started_at is not None else None  # rule 2
    if started_at is not None and "municipality" not in errors:
        if data.get("promise"):
            found = resolver.by_key(str(data["promise"]), day, code)
        elif code and data.get("activity"):
            found = resolver.by_activity(code, str(data["activity"]), day)
        else:
            found = None
            errors["promise"] = _("Ange löftet, eller kommun och aktivitet.")
        if found is not None and found.reason:
            errors[found.field] = PROMISE_REASONS[found.reason]()
        elif found is not None:
            promise, municipality = found.promise, found.municipality
    elif data.get("promise") and not resolver.known_key(str(data["promise"])):
        errors["promise"] = PROMISE_REASONS["unknown"]()

    place = _optional_text(data, "place", 200, errors)
    if (
        promise is not None
        and promise.places
        and "place" not in errors
        and place not in promise.places
    ):
        errors["place"] = _(
            "Välj en av löftets platser: %(places)s.", places=", ".join(promise.places)
        )
    notes = _optional_text(data, "notes", 2000, errors)
    lat, lon = _coordinates(data, errors)

    officers = 1
    if data.get("officers") is not None:
        officers, why = _whole_number(data.get("officers"), 1, MOST_OFFICERS)
        if why:
            errors["officers"] = f"{officers_words(resolver.user)} {why}"

    metrics: dict[str, int] = {}
    raw_metrics = data.get("metrics")
    if raw_metrics is not None and not isinstance(raw_metrics, dict):
        # 0, false and "" too: only an object (or null, or nothing) says "no counts".
        errors["metrics"] = _("Måste vara ett objekt med heltal.")
    elif raw_metrics and promise is not None:
        activity = promise.activity_type
        for name, value in raw_metrics.items():
            number, why = _whole_number(value, 0, LARGEST_METRIC)
            if name not in activity.metrics:
                errors["metrics"] = _("Okänt mått för aktiviteten: %(name)s.", name=name)
            elif why:
                label = metric_words(activity, name)
                errors["metrics"] = _("%(metric)s %(reason)s", metric=label, reason=why)
            else:
                metrics[name] = number

    base_version = None
    if data.get("base_version") is not None:
        base_version, why = _whole_number(data.get("base_version"), 1, ID_MAX)
        if why:
            errors["base_version"] = _("Versionen %(reason)s", reason=why)

    if errors:
        return None, errors
    clean = CleanEntry(
        client_id=client_id,
        promise=promise,
        municipality=municipality,
        started_at=started_at,
        ended_at=ended_at,
        place=place,
        lat=lat,
        lon=lon,
        officers=officers,
        metrics=metrics,
        notes=notes,
        base_version=base_version,
        sent_id=data.get("client_id"),
    )
    clean.day = day
    clean.year = day.year
    clean.in_window = in_window(resolver.time_rule(promise.time_rule), started_at, zone_name)
    joint_code = municipality.code if promise.commitment.joint else None
    clean.content_hash = content_hash(promise.key, clean.columns(), joint_code)
    return clean, {}
