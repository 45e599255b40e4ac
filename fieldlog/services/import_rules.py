"""The rules of a commitments file (CONTRACT, "Commitment import"): every problem, named.

Used by the import, the upload preview and the admin forms alike, so that the
rules of a commitment, a promise and an activity type exist once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..inputs import has_forbidden_characters, is_municipality_code, is_reasonable_day, whole_number
from ..models import OWNERS, TIME_RULES, ActivityType, Municipality

# The longest text each field's column holds.
TEXT_LIMITS = {"code": 40, "label": 120, "label_en": 120, "name": 120, "key": 80, "title": 300}
TEXT_LIMITS.update(area=200, place_hint=200)
MOST_PER_YEAR = 1_000_000


def as_date(value: Any) -> dt.date | None:
    """A date of the file (YAML's own or YYYY-MM-DD text) within 1900–2199, else None."""
    day = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return None
    return day if day is not None and is_reasonable_day(day) else None


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _list(value: Any) -> list:
    """A list field's items; anything else (absent, a number, a mapping) as no items."""
    return value if isinstance(value, list) else []


def _text_problems(where: str, item: dict, names: tuple[str, ...]) -> list[str]:
    """The given text fields of ``item`` that hold control characters or are too long."""
    problems = []
    for name in names:
        value = item.get(name)
        values = value if isinstance(value, list) else [value]
        texts = [v for v in values if isinstance(v, str)]
        if any(has_forbidden_characters(t) for t in texts):
            problems.append(f"{where}: field '{name}' contains control characters")
        elif name in TEXT_LIMITS and any(len(t) > TEXT_LIMITS[name] for t in texts):
            most = TEXT_LIMITS[name]
            problems.append(f"{where}: field '{name}' is longer than {most} characters")
    return problems


def validate_document(doc: Any) -> list[str]:
    """Every problem of a parsed commitments file, each naming where it is and the field."""
    problems: list[str] = []
    if not isinstance(doc, dict):
        return ["the file is not a mapping with version, activity_types, police_areas, commitments"]
    if doc.get("version") != 1:
        problems.append("version: must be 1")
    activities: set[str] = set()
    for name in ("activity_types", "police_areas", "commitments"):
        if doc.get(name) is not None and not isinstance(doc.get(name), list):
            problems.append(f"{name}: must be a list")
    for i, a in enumerate(_list(doc.get("activity_types"))):
        where = f"activity_types[{i}]"
        if not isinstance(a, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        where = f"activity type {a.get('code', i)!s}"
        for name in ("code", "label", "label_en"):
            if not _text(a.get(name)):
                problems.append(f"{where}: field '{name}' is required text")
        metrics = a.get("metrics", [])
        if not isinstance(metrics, list) or not all(_text(m) for m in metrics):
            problems.append(f"{where}: field 'metrics' must be a list of names")
        problems.extend(_text_problems(where, a, ("code", "label", "label_en", "metrics")))
        if _text(a.get("code")):
            activities.add(a["code"])
    known_activities = activities | set(db.session.scalars(select(ActivityType.code)))
    municipalities: set[str] = set()
    for i, area in enumerate(_list(doc.get("police_areas"))):
        if not isinstance(area, dict) or not _text(area.get("name")):
            problems.append(f"police_areas[{i}]: field 'name' is required text")
            continue
        problems.extend(_text_problems(f"police_areas[{i}]", area, ("name",)))
        for j, m in enumerate(_list(area.get("municipalities"))):
            where = f"police area {area['name']}, municipalities[{j}]"
            code = m.get("code") if isinstance(m, dict) else None
            if not is_municipality_code(code):
                problems.append(f"{where}: field 'code' must be four digits as a string")
            elif not _text(m.get("name")):
                problems.append(f"{where}: field 'name' is required text")
            elif name_problems := _text_problems(where, m, ("name",)):
                problems.extend(name_problems)
            else:
                municipalities.add(code)
    known_municipalities = municipalities | set(db.session.scalars(select(Municipality.code)))
    commitment_keys: set[str] = set()
    promise_keys: set[str] = set()
    for i, c in enumerate(_list(doc.get("commitments"))):
        if not isinstance(c, dict):
            problems.append(f"commitments[{i}]: must be a mapping")
            continue
        where = f"commitment {c.get('key') or f'#{i + 1}'}"
        problems.extend(_key_problems(c, where, commitment_keys))
        if str(c.get("municipality")) not in known_municipalities:
            problems.append(f"{where}: field 'municipality' is not a known municipality code")
        if not _text(c.get("title")):
            problems.append(f"{where}: field 'title' is required text")
        start, end = as_date(c.get("valid_from")), as_date(c.get("valid_to"))
        if start is None:
            problems.append(f"{where}: field 'valid_from' must be a date (YYYY-MM-DD)")
        if end is None:
            problems.append(f"{where}: field 'valid_to' must be a date (YYYY-MM-DD)")
        if start and end and end < start:
            problems.append(f"{where}: field 'valid_to' is before valid_from")
        if not isinstance(c.get("until_superseded", False), bool):
            problems.append(f"{where}: field 'until_superseded' must be true or false")
        if c.get("signed_on") is not None and as_date(c.get("signed_on")) is None:
            problems.append(f"{where}: field 'signed_on' must be a date (YYYY-MM-DD)")
        signatories = c.get("signatories") or []
        if not isinstance(signatories, list) or not all(_text(s) for s in signatories):
            problems.append(f"{where}: field 'signatories' must be a list of names")
        problems.extend(_text_problems(where, c, ("key", "title", "signatories")))
        promises = c.get("promises")
        if not isinstance(promises, list) or not promises:
            problems.append(f"{where}: field 'promises' must be a non-empty list")
            continue
        for j, p in enumerate(promises):
            if not isinstance(p, dict):
                problems.append(f"{where}, promises[{j}]: must be a mapping")
                continue
            pwhere = f"{where}, promise {p.get('key') or f'#{j + 1}'}"
            problems.extend(_promise_problems(p, pwhere, known_activities, promise_keys))
    return problems


def _key_problems(item: dict, where: str, seen: set[str]) -> list[str]:
    """A commitment's or promise's ``key``: required text, used once in the file."""
    key = item.get("key")
    if not _text(key):
        return [f"{where}: field 'key' is required text"]
    if key in seen:
        return [f"{where}: field 'key' is used twice"]
    seen.add(key)
    return []


def _promise_problems(p: dict, where: str, activities: set[str], seen: set[str]) -> list[str]:
    problems = []
    problems.extend(_key_problems(p, where, seen))
    for name in ("area", "text"):
        if not _text(p.get(name)):
            problems.append(f"{where}: field '{name}' is required text")
    problems.extend(_text_problems(where, p, ("key", "area", "text", "place_hint")))
    if p.get("owner") not in OWNERS:
        problems.append(f"{where}: field 'owner' must be one of {', '.join(OWNERS)}")
    activity = p.get("activity")
    if activity is not None and (not isinstance(activity, str) or activity not in activities):
        problems.append(f"{where}: field 'activity' is not a known activity code")
    target = p.get("yearly_target")
    if target is not None and whole_number(target, minimum=1) is None:
        problems.append(f"{where}: field 'yearly_target' must be a whole number ≥ 1 or null")
    elif target is not None and whole_number(target, maximum=MOST_PER_YEAR) is None:
        problems.append(f"{where}: field 'yearly_target' must be at most {MOST_PER_YEAR}")
    if p.get("time_rule") is not None and p.get("time_rule") not in TIME_RULES:
        problems.append(f"{where}: field 'time_rule' must be obekvam_tid or absent")
    if p.get("place_hint") is not None and not isinstance(p.get("place_hint"), str):
        problems.append(f"{where}: field 'place_hint' must be text")
    return problems
