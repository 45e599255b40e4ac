"""The entry form: its defaults, its labels, and turning posted fields into an ENTRY of CONTRACT."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from flask import session
from flask_babel import gettext as _
from flask_login import current_user

from ..inputs import number_from_form, whole_number
from ..labels import officers_words, outside_window_reason
from ..models import Entry, Municipality, Promise, User
from ..rules import in_window, is_holiday_or_eve
from ..services import scope

DURATIONS = (15, 30, 45, 60, 90, 120, 180, 240, 360, 480)
LONGEST_MINUTES = 24 * 60
STEP = dt.timedelta(minutes=5)


def field_labels() -> dict[str, str]:
    """The entry's field names as a person reads them, to name the field in a message."""
    return {
        "client_id": _("Postens id"),
        "promise": _("Löfte"),
        "activity": _("Aktivitet"),
        "started_at": _("Starttid"),
        "ended_at": _("Längd"),
        "duration": _("Längd"),
        "place": _("Plats"),
        "lat": _("Position"),
        "lon": _("Position"),
        "officers": officers_words(current_user),
        "metrics": _("Antal"),
        "notes": _("Anteckningar"),
        "base_version": _("Version"),
        "status": _("Status"),
        "entry": _("Post"),
    }


def duration_label(minutes: int) -> str:
    """``90`` → ``1 h 30 min``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min", m=rest)
    if not rest:
        return _("%(h)d h", h=hours)
    return _("%(h)d h %(m)d min", h=hours, m=rest)


def duration_choices(*extra: Any) -> list[tuple[int, str]]:
    """The durations offered, with any default or stored one added."""
    wanted = (whole_number(m, minimum=1, maximum=LONGEST_MINUTES) for m in extra)
    values = sorted({*DURATIONS, *(m for m in wanted if m is not None)})
    return [(m, duration_label(m)) for m in values]


def rounded_now(zone: str, now: dt.datetime | None = None) -> dt.datetime:
    """Now in local time, rounded to the nearest five minutes."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(zone))
    seconds = (now - now.replace(minute=0, second=0, microsecond=0)).total_seconds()
    steps = round(seconds / STEP.total_seconds())
    return now.replace(minute=0, second=0, microsecond=0) + steps * STEP


def holiday_dates(today: dt.date) -> list[str]:
    """Holidays and eves around today, so the page can tell inconvenient hours offline."""
    first, last = dt.date(today.year - 1, 1, 1), dt.date(today.year + 1, 12, 31)
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [d.isoformat() for d in days if d.weekday() < 5 and is_holiday_or_eve(d)]


def covered_municipalities(user: User, promise: Promise) -> list[Municipality]:
    """The municipalities the user may log the promise in: its agreement's, within scope."""
    return [m for m in promise.commitment.municipalities if scope.may_see_municipality(user, m)]


def log_municipality(user: User, promise: Promise, asked: str | None) -> str:
    """The code of the municipality an entry of the promise is logged for: the one asked for
    when the agreement covers it, else the one chosen on the log page, else the first."""
    codes = [m.code for m in covered_municipalities(user, promise)]
    for code in (asked, session.get("municipality")):
        if code in codes:
            return code
    return codes[0] if codes else promise.commitment.municipality.code


def new_form(
    promise: Promise, zone: str, municipality: str = "", place: str = ""
) -> dict[str, Any]:
    """The fields of a new entry, filled in for the common case."""
    start = rounded_now(zone)
    return {
        "client_id": str(uuid.uuid4()),
        "municipality": municipality,
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "duration": promise.activity_type.default_minutes or 60,
        "place": place,
        "officers": 1,
        "metrics": dict.fromkeys(promise.activity_type.metrics, 0),
        "notes": "",
        "lat": "",
        "lon": "",
        "base_version": "",
    }


def entry_form(entry: Entry, zone: str) -> dict[str, Any]:
    """The fields of a stored entry, for editing or correcting it."""
    start = entry.started_at.astimezone(ZoneInfo(zone))
    minutes = None
    if entry.ended_at:
        minutes = int((entry.ended_at - entry.started_at).total_seconds() // 60)
    return {
        "client_id": entry.client_id,
        "municipality": entry.municipality.code if entry.municipality else "",
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "duration": minutes,
        "place": entry.place or "",
        "officers": entry.officers,
        "metrics": {m: entry.metrics.get(m, 0) for m in entry.promise.activity_type.metrics},
        "notes": entry.notes or "",
        "lat": "" if entry.lat is None else entry.lat,
        "lon": "" if entry.lon is None else entry.lon,
        "base_version": entry.version,
    }


# What the officer sees and may change in the edit form.
SHOWN_FIELDS = (
    "municipality",
    "date",
    "time",
    "duration",
    "place",
    "officers",
    "notes",
    "lat",
    "lon",
)


def _as_shown(value: Any) -> str:
    """A field's value as the form shows it (browsers send a textarea's newlines as CR LF)."""
    return str("" if value is None else value).replace("\r\n", "\n").strip()


def unchanged(fields: dict[str, Any], entry: Entry, zone: str) -> bool:
    """Whether the posted form shows the stored entry exactly as the edit form showed it."""
    stored = entry_form(entry, zone)
    if any(_as_shown(fields[k]) != _as_shown(stored[k]) for k in SHOWN_FIELDS):
        return False
    metrics = stored["metrics"]
    return all(_as_shown(fields["metrics"].get(m)) == _as_shown(v) for m, v in metrics.items())


def posted_form(form: Any, promise: Promise) -> dict[str, Any]:
    """The fields as posted, to show them again with their errors."""
    return {
        "client_id": form.get("client_id", ""),
        "municipality": form.get("municipality", ""),
        "date": form.get("date", ""),
        "time": form.get("time", ""),
        "duration": form.get("duration", ""),
        "place": form.get("place", ""),
        "officers": form.get("officers", ""),
        "metrics": {m: form.get(f"metric_{m}", "") for m in promise.activity_type.metrics},
        "notes": form.get("notes", ""),
        "lat": form.get("lat", ""),
        "lon": form.get("lon", ""),
        "base_version": form.get("base_version", ""),
    }


def _readable_time(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def entry_from_form(
    fields: dict[str, Any], promise: Promise
) -> tuple[dict[str, Any], dict[str, str]]:
    """The ENTRY of CONTRACT for posted fields, and the errors of the fields only the form has."""
    errors: dict[str, str] = {}
    started = f"{fields['date']}T{fields['time']}" if fields["date"] and fields["time"] else ""
    if not _readable_time(started):
        # Said in the form's words (date and time), not in the API's (ISO 8601).
        errors["started_at"] = _("Ange datum (ÅÅÅÅ-MM-DD) och klockslag (TT:MM) för starten.")
    data: dict[str, Any] = {
        "client_id": fields["client_id"],
        "promise": promise.key,
        "started_at": started,
        "place": fields["place"],
        # Counts as the phone's script sends them: numbers (the API takes no text for them).
        "officers": number_from_form(fields["officers"]) if fields["officers"] else None,
        "metrics": {
            k: number_from_form(v) for k, v in fields["metrics"].items() if str(v).strip() != ""
        },
        "notes": fields["notes"],
    }
    if fields.get("municipality"):
        data["municipality"] = fields["municipality"]
    if fields["lat"] != "" or fields["lon"] != "":
        data["lat"], data["lon"] = fields["lat"] or None, fields["lon"] or None
    if str(fields["base_version"]).strip():
        data["base_version"] = number_from_form(fields["base_version"])
    raw_minutes = str(fields["duration"]).strip()
    if raw_minutes:
        minutes = whole_number(raw_minutes, minimum=1, maximum=LONGEST_MINUTES)
        if minutes is None:
            errors["duration"] = _("Längden måste vara ett antal minuter, högst ett dygn.")
        else:
            try:
                start = dt.datetime.fromisoformat(started)
                data["ended_at"] = (start + dt.timedelta(minutes=minutes)).isoformat()
            except (ValueError, OverflowError):
                pass  # the start itself is reported by the entry's validation
    return data, errors


def not_counted_reason(promise: Promise, started_at: dt.datetime, zone: str) -> str | None:
    """Why an entry with this start will not count for the promise, or None when it may."""
    if not in_window(promise.time_rule, started_at, zone):
        return outside_window_reason(promise.time_rule)
    return None


def form_start(fields: dict[str, Any], zone: str) -> dt.datetime | None:
    """The start the fields give, in local time, or None when it cannot be read."""
    try:
        start = dt.datetime.fromisoformat(f"{fields['date']}T{fields['time']}")
        start = start.replace(tzinfo=ZoneInfo(zone))
        start.astimezone(dt.UTC)  # a start at the very edge of the calendar cannot be stored
    except (ValueError, OverflowError):
        return None
    return start
