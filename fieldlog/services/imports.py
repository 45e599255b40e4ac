"""Importing commitments from the YAML format of CONTRACT (version 1): validate, then write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..models import OWNERS, TIME_RULES, ActivityType, Commitment, Municipality, PoliceArea, Promise
from . import audit, tallies


class CommitmentFileError(Exception):
    """A commitments file that cannot be imported; ``problems`` name where and what."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def validate_document(doc: Any) -> list[str]:
    """Every problem of a parsed commitments file, each naming where it is and the field."""
    problems: list[str] = []
    if not isinstance(doc, dict):
        return ["the file is not a mapping with version, activity_types, police_areas, commitments"]
    if doc.get("version") != 1:
        problems.append("version: must be 1")
    activities: set[str] = set()
    for i, a in enumerate(doc.get("activity_types") or []):
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
        if _text(a.get("code")):
            activities.add(a["code"])
    known_activities = activities | set(db.session.scalars(select(ActivityType.code)))
    municipalities: set[str] = set()
    for i, area in enumerate(doc.get("police_areas") or []):
        if not isinstance(area, dict) or not _text(area.get("name")):
            problems.append(f"police_areas[{i}]: field 'name' is required text")
            continue
        for j, m in enumerate(area.get("municipalities") or []):
            where = f"police area {area['name']}, municipalities[{j}]"
            code = m.get("code") if isinstance(m, dict) else None
            if not (isinstance(code, str) and len(code) == 4 and code.isdigit()):
                problems.append(f"{where}: field 'code' must be four digits as a string")
            elif not _text(m.get("name")):
                problems.append(f"{where}: field 'name' is required text")
            else:
                municipalities.add(code)
    known_municipalities = municipalities | set(db.session.scalars(select(Municipality.code)))
    commitment_keys: set[str] = set()
    promise_keys: set[str] = set()
    for i, c in enumerate(doc.get("commitments") or []):
        if not isinstance(c, dict):
            problems.append(f"commitments[{i}]: must be a mapping")
            continue
        where = f"commitment {c.get('key') or f'#{i + 1}'}"
        if not _text(c.get("key")):
            problems.append(f"{where}: field 'key' is required text")
        elif c["key"] in commitment_keys:
            problems.append(f"{where}: field 'key' is used twice")
        else:
            commitment_keys.add(c["key"])
        if str(c.get("municipality")) not in known_municipalities:
            problems.append(f"{where}: field 'municipality' is not a known municipality code")
        if not _text(c.get("title")):
            problems.append(f"{where}: field 'title' is required text")
        start, end = _date(c.get("valid_from")), _date(c.get("valid_to"))
        if start is None:
            problems.append(f"{where}: field 'valid_from' must be a date (YYYY-MM-DD)")
        if end is None:
            problems.append(f"{where}: field 'valid_to' must be a date (YYYY-MM-DD)")
        if start and end and end < start:
            problems.append(f"{where}: field 'valid_to' is before valid_from")
        if not isinstance(c.get("until_superseded", False), bool):
            problems.append(f"{where}: field 'until_superseded' must be true or false")
        if c.get("signed_on") is not None and _date(c.get("signed_on")) is None:
            problems.append(f"{where}: field 'signed_on' must be a date (YYYY-MM-DD)")
        signatories = c.get("signatories") or []
        if not isinstance(signatories, list) or not all(_text(s) for s in signatories):
            problems.append(f"{where}: field 'signatories' must be a list of names")
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


def _promise_problems(p: dict, where: str, activities: set[str], seen: set[str]) -> list[str]:
    problems = []
    if not _text(p.get("key")):
        problems.append(f"{where}: field 'key' is required text")
    elif p["key"] in seen:
        problems.append(f"{where}: field 'key' is used twice")
    else:
        seen.add(p["key"])
    for name in ("area", "text"):
        if not _text(p.get(name)):
            problems.append(f"{where}: field '{name}' is required text")
    if p.get("owner") not in OWNERS:
        problems.append(f"{where}: field 'owner' must be one of {', '.join(OWNERS)}")
    if p.get("activity") is not None and p.get("activity") not in activities:
        problems.append(f"{where}: field 'activity' is not a known activity code")
    target = p.get("yearly_target")
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, int) or target < 1
    ):
        problems.append(f"{where}: field 'yearly_target' must be a whole number ≥ 1 or null")
    if p.get("time_rule") is not None and p.get("time_rule") not in TIME_RULES:
        problems.append(f"{where}: field 'time_rule' must be obekvam_tid or absent")
    if p.get("place_hint") is not None and not isinstance(p.get("place_hint"), str):
        problems.append(f"{where}: field 'place_hint' must be text")
    return problems


def load_file(path: str | Path) -> Any:
    """Parse a commitments file; a file that is not YAML raises CommitmentFileError naming it."""
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except OSError as exc:
        raise CommitmentFileError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    except yaml.YAMLError as exc:
        raise CommitmentFileError([f"{path}: not valid YAML ({exc})"]) from exc


def _set(obj: Any, values: dict[str, Any], changes: list[str], label: str) -> None:
    for name, value in values.items():
        if getattr(obj, name) != value:
            changes.append(f"{label}: {name}")
            setattr(obj, name, value)


def plan_and_apply(doc: dict, *, apply: bool) -> list[str]:
    """Compare the document with the database; apply it when ``apply``. The list of changes.

    With ``apply`` false the session is rolled back afterwards, so that a
    preview writes nothing.
    """
    problems = validate_document(doc)
    if problems:
        raise CommitmentFileError(problems)
    if apply:
        begin_write()
    changes: list[str] = []
    recount: set[int] = set()
    activities = {a.code: a for a in db.session.scalars(select(ActivityType))}
    for a in doc.get("activity_types") or []:
        obj = activities.get(a["code"])
        if obj is None:
            obj = activities[a["code"]] = ActivityType(code=a["code"])
            db.session.add(obj)
            changes.append(f"added activity type {a['code']}")
        _set(
            obj,
            {
                "label": a["label"],
                "label_en": a["label_en"],
                "metrics": list(a.get("metrics") or []),
            },
            changes,
            f"changed activity type {a['code']}",
        )
    areas = {a.name: a for a in db.session.scalars(select(PoliceArea))}
    munis = {m.code: m for m in db.session.scalars(select(Municipality))}
    for area in doc.get("police_areas") or []:
        pa = areas.get(area["name"])
        if pa is None:
            pa = areas[area["name"]] = PoliceArea(name=area["name"])
            db.session.add(pa)
            changes.append(f"added police area {area['name']}")
        for m in area.get("municipalities") or []:
            obj = munis.get(m["code"])
            if obj is None:
                obj = munis[m["code"]] = Municipality(
                    code=m["code"], name=m["name"], police_area=pa
                )
                db.session.add(obj)
                changes.append(f"added municipality {m['code']} {m['name']}")
            else:
                _set(
                    obj,
                    {"name": m["name"], "police_area": pa},
                    changes,
                    f"changed municipality {m['code']}",
                )
    db.session.flush()
    commitments = {c.key: c for c in db.session.scalars(select(Commitment))}
    promises = {p.key: p for p in db.session.scalars(select(Promise))}
    for c in doc.get("commitments") or []:
        values = {
            "municipality_id": munis[str(c["municipality"])].id,
            "title": c["title"],
            "valid_from": _date(c["valid_from"]),
            "valid_to": _date(c["valid_to"]),
            "until_superseded": bool(c.get("until_superseded", False)),
            "signed_on": _date(c.get("signed_on")),
            "signatories": list(c.get("signatories") or []),
        }
        obj = commitments.get(c["key"])
        if obj is None:
            obj = Commitment(key=c["key"], **values)
            db.session.add(obj)
            db.session.flush()
            changes.append(f"added commitment {c['key']}")
        else:
            _set(obj, values, changes, f"changed commitment {c['key']}")
        for position, p in enumerate(c["promises"]):
            activity = activities.get(p["activity"]) if p.get("activity") else None
            pvalues = {
                "commitment_id": obj.id,
                "position": position,
                "area": p["area"],
                "text": p["text"],
                "owner": p["owner"],
                "activity_type_id": activity.id if activity else None,
                "yearly_target": p.get("yearly_target"),
                "place_hint": p.get("place_hint"),
                "time_rule": p.get("time_rule"),
            }
            pobj = promises.get(p["key"])
            if pobj is None:
                db.session.add(Promise(key=p["key"], **pvalues))
                changes.append(f"added promise {p['key']}")
                continue
            before = (pobj.time_rule, pobj.yearly_target)
            if apply and pobj.commitment_id != obj.id:
                # Never silent: the promise (and its entries) now belongs to another commitment.
                audit.record(
                    "promise.moved",
                    "promise",
                    pobj.id,
                    before={"commitment": pobj.commitment.key},
                    after={"commitment": c["key"]},
                )
            _set(pobj, pvalues, changes, f"changed promise {p['key']}")
            if before != (pobj.time_rule, pobj.yearly_target):
                recount.add(pobj.id)
    db.session.flush()
    if not apply:
        db.session.rollback()
        return changes
    if recount:
        tallies.rebuild(recount)
    if changes:
        audit.record("commitments.imported", "commitments", "", after={"changes": changes[:500]})
    db.session.commit()
    return changes


def import_commitments(path: str | Path) -> list[str]:
    """Import a commitments file whole or not at all; the changes made."""
    doc = load_file(path)
    try:
        return plan_and_apply(doc, apply=True)
    except CommitmentFileError as exc:
        raise CommitmentFileError([f"{path}: {p}" for p in exc.problems]) from None
