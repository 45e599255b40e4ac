"""The audit log in words: who did it, what, to which object, and each change as before → after.

Stored events keep keys, codes and ids (they are evidence); only here are they turned into
what people read: names, promise texts, statuses and local times.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..labels import (
    ENTRY_STATUS_WORDS,
    OWNER_WORDS,
    ROLE_WORDS,
    action_words,
    excerpt,
    field_words,
    person_name,
)
from ..models import ActivityType, AuditEvent, Commitment, Municipality, Promise, TimeWindow, User
from ..rules.counting import OBEKVAM_TID
from ..services.followups import STATE_WORDS
from ..target_words import metric

HIDDEN = {"client_id", "version", "content_hash"}
PER_WORDS = {
    "year": _l("år"),
    "tertial": _l("tertial"),
    "quarter": _l("kvartal"),
    "month": _l("månad"),
    "week": _l("vecka"),
    "period": _l("avtalsperiod"),
}


def _lookup(model, column, value) -> Any:
    """One row by a column, remembered for the rest of the request (a page names few)."""
    cache = g.setdefault("audit_words_cache", {})
    key = (model.__name__, column.key, value)
    if key not in cache:
        cache[key] = db.session.scalar(select(model).where(column == value))
    return cache[key]


def is_resend(event: AuditEvent) -> bool:
    """An officer's new version of an entry a supervisor had rejected."""
    if event.action == "entry.resent":
        return True
    return event.action == "entry.edited" and (event.before or {}).get("status") == "rejected"


def event_title(event: AuditEvent) -> str:
    """What happened, in words."""
    return action_words("entry.resent" if is_resend(event) else event.action)


def event_actor(event: AuditEvent) -> str:
    """Who did it: the person's name, never a login name or an id."""
    if event.actor is not None:
        return person_name(event.actor)
    if event.actor_name == "cli":
        return _("Kommandoraden (drift)")
    if event.action == "login.failed" and event.actor_name:
        return _("okänd (angav användarnamnet %(name)s)", name=event.actor_name)
    if event.actor_id is not None or event.actor_name:
        return person_name(None)
    return "–"


def _promise(ref: Any) -> Promise | None:
    ref = str(ref)
    if ref.isdigit():
        return db.session.get(Promise, int(ref))
    return _lookup(Promise, Promise.key, ref)


def event_object(event: AuditEvent) -> tuple[str, str | None]:
    """What the event is about, in words, and a link when there is a page for it."""
    kind, ref = event.object_type, event.object_id
    if not ref:
        return "", None
    if kind == "entry" and ref.isdigit():
        return _("post %(id)s", id=ref), url_for("review.entry_page", entry_id=int(ref))
    if kind == "user" and ref.isdigit():
        if event.actor_id is not None and ref == str(event.actor_id):
            return "", None  # their own login, logout or password: the actor says it all
        return person_name(db.session.get(User, int(ref))), None
    if kind == "promise":
        promise = _promise(ref)
        text = promise.text if promise else (event.before or {}).get("text")
        return (_("löftet ”%(text)s”", text=excerpt(text)) if text else _("ett löfte")), None
    if kind == "commitment" and ref.isdigit():
        commitment = db.session.get(Commitment, int(ref))
        return (commitment.title if commitment else _("ett medborgarlöfte")), None
    if kind == "activity_type" and ref.isdigit():
        activity = db.session.get(ActivityType, int(ref))
        return (activity.label if activity else _("en aktivitet")), None
    if kind == "time_window" and ref.isdigit():
        window = db.session.get(TimeWindow, int(ref))
        label = window.label if window else (event.after or event.before or {}).get("label")
        return (_("tidsfönstret ”%(label)s”", label=label) if label else _("ett tidsfönster")), None
    if kind == "export":
        return ref, None
    return "", None


def _time(value: str, zone: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _target(value: Any) -> str:
    try:
        from_year, count, per, each_place = value
    except (TypeError, ValueError):
        return str(value)
    words = _("%(n)s per %(per)s", n=count, per=str(PER_WORDS.get(per, per)))
    if each_place:
        words += " " + _("på varje plats")
    return _("från %(year)s: %(target)s", year=from_year, target=words)


def _time_rule(value: str) -> str:
    if value == OBEKVAM_TID:
        return _("obekväm tid")
    try:
        from ..models import TimeWindow
    except ImportError:  # before agreements version 2
        return value
    window = _lookup(TimeWindow, TimeWindow.code, value)
    return window.label if window else value


def shown(name: str, value: Any, zone: str) -> str | None:
    """A stored value as a person reads it: words for codes and keys, local times."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    words = {
        "status": ENTRY_STATUS_WORDS,
        "owner": OWNER_WORDS,
        "role": ROLE_WORDS,
        "state": STATE_WORDS,
    }.get(name)
    if words is not None and value in words:
        return str(words[value])
    if name == "promise":
        promise = _promise(value)
        return excerpt(promise.text, 90) if promise else str(value)
    if name == "activity":
        activity = _lookup(ActivityType, ActivityType.code, value)
        return activity.label if activity else str(value)
    if name == "municipality":
        municipality = _lookup(Municipality, Municipality.code, value)
        return municipality.name if municipality else str(value)
    if name == "time_rule":
        return _time_rule(str(value))
    if name == "commitment":
        commitment = _lookup(Commitment, Commitment.key, value)
        return commitment.title if commitment else str(value)
    if name.endswith("_at") and isinstance(value, str):
        return _time(value, zone)
    if name == "targets" and isinstance(value, list):
        return "; ".join(_target(t) for t in value) or None
    if name == "metrics" and isinstance(value, dict):
        return ", ".join(f"{metric(k)} {v}" for k, v in value.items())
    if isinstance(value, dict):
        parts = (f"{field_words(k)}: {shown(k, v, zone) or '–'}" for k, v in value.items())
        return "; ".join(parts)
    if isinstance(value, list):
        return ", ".join(shown(name, v, zone) or "–" for v in value)
    return str(value)


def _label(event: AuditEvent, name: str) -> str:
    if name == "review_comment" and event.action == "entry.rejected":
        return _("Skäl till avslaget")
    if name == "reason" and event.action == "entry.corrected":
        return _("Skäl till rättelsen")
    return field_words(name)


def _promise_changes(before: list, after: list, zone: str) -> list[tuple[str, Any, Any]]:
    """A commitment's promises compared by key: each added, removed or changed one in words."""
    old = {p.get("key"): p for p in before or [] if isinstance(p, dict)}
    new = {p.get("key"): p for p in after or [] if isinstance(p, dict)}
    found = []
    for key, p in new.items():
        if key not in old:
            found.append((_("Nytt löfte"), None, excerpt(p.get("text") or "", 90)))
            continue
        name = _("Löfte ”%(text)s”", text=excerpt(p.get("text") or "", 40))
        for field, value in p.items():
            if field != "key" and old[key].get(field) != value:
                found.append(
                    (
                        f"{name} · {field_words(field)}",
                        shown(field, old[key].get(field), zone),
                        shown(field, value, zone),
                    )
                )
    for key, p in old.items():
        if key not in new:
            found.append((_("Borttaget löfte"), excerpt(p.get("text") or "", 90), None))
    return found


def changes(event: AuditEvent, zone: str = "Europe/Stockholm") -> list[tuple[str, Any, Any]]:
    """The fields an event changed, for people: (label, before, after); before None when new."""
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = list(before) + [k for k in after if k not in before]
    found: list[tuple[str, Any, Any]] = []
    for k in keys:
        if k in HIDDEN or before.get(k) == after.get(k):
            continue
        if k == "promises" and before and after:
            found += _promise_changes(before.get(k), after.get(k), zone)
            continue
        if k == "promises":
            count = len(after.get(k) or before.get(k) or [])
            found.append((field_words(k), None, str(count)))
            continue
        old, new = shown(k, before.get(k), zone), shown(k, after.get(k), zone)
        if old is None and new is None:
            continue
        found.append((_label(event, k), old, new))
    return found
