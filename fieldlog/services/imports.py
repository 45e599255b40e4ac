"""Importing commitments from the YAML format of CONTRACT (versions 1 and 2): validate, then
write, whole or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..inputs import whole_number
from ..models import (
    ActivityType,
    Commitment,
    Municipality,
    PoliceArea,
    Promise,
    PromiseTarget,
    TimeWindow,
)
from . import audit, tallies
from .import_rules import (
    FileProblem,
    as_date,
    file_municipalities,
    file_targets,
    load_yaml,
    validate_document,
)
from .time_rules import promises_using


class CommitmentFileError(Exception):
    """A commitments file that cannot be imported; ``problems`` name where and what."""

    def __init__(self, problems: list[FileProblem | str]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def load_file(path: str | Path) -> Any:
    """Parse a commitments file; a file that is not YAML raises CommitmentFileError naming it."""
    try:
        with open(path, encoding="utf-8") as f:
            return load_yaml(f)
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
    changed_windows = _import_time_windows(doc.get("time_windows") or [], changes)
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
                "metric_labels": dict(a.get("metric_labels") or {}),
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
        covered = [munis[code] for code in file_municipalities(c)]
        values = {
            "municipality_id": covered[0].id,
            "district": c.get("district"),
            "title": c["title"],
            "valid_from": as_date(c["valid_from"]),
            "valid_to": as_date(c["valid_to"]),
            "until_superseded": bool(c.get("until_superseded", False)),
            "signed_on": as_date(c.get("signed_on")),
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
        if sorted(m.code for m in obj.municipalities) != sorted(m.code for m in covered):
            if obj.municipalities:
                changes.append(f"changed commitment {c['key']}: municipalities")
            obj.municipalities = covered
        for position, p in enumerate(c["promises"]):
            activity = activities.get(p["activity"]) if p.get("activity") else None
            pvalues = {
                "commitment_id": obj.id,
                "position": position,
                "area": p["area"],
                "text": p["text"],
                "owner": p["owner"],
                "activity_type_id": activity.id if activity else None,
                "place_hint": p.get("place_hint"),
                "places": list(p.get("places") or []),
                "time_rule": p.get("time_rule"),
            }
            targets = [
                PromiseTarget(from_year=year or values["valid_from"].year, **t)
                for year, t in file_targets(p)
            ]
            pobj = promises.get(p["key"])
            if pobj is None:
                db.session.add(Promise(key=p["key"], targets=targets, **pvalues))
                changes.append(f"added promise {p['key']}")
                continue
            _set_targets(pobj, targets, changes, f"changed promise {p['key']}: target")
            before = (pobj.time_rule, list(pobj.places or []))
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
            if before != (pobj.time_rule, list(pobj.places or [])):
                recount.add(pobj.id)
    db.session.flush()
    if not apply:
        db.session.rollback()
        return changes
    recount.update(p.id for p in promises_using(changed_windows))
    if recount:
        tallies.rebuild(recount)
    if changes:
        audit.record("commitments.imported", "commitments", "", after={"changes": changes[:500]})
    db.session.commit()
    return changes


def _import_time_windows(items: list[dict], changes: list[str]) -> set[str]:
    """Add or update the file's time windows; the codes of those that changed."""
    stored = {w.code: w for w in db.session.scalars(select(TimeWindow))}
    changed = set()
    for w in items:
        values = {
            "label": w["label"],
            "label_en": w["label_en"],
            "days": list(w["days"]),
            "starts": w["from"],
            "ends": w["to"],
            "holidays": bool(w.get("holidays", False)),
        }
        obj = stored.get(w["code"])
        if obj is None:
            db.session.add(TimeWindow(code=w["code"], **values))
            changes.append(f"added time window {w['code']}")
            continue
        before = len(changes)
        _set(obj, values, changes, f"changed time window {w['code']}")
        if len(changes) != before:
            changed.add(w["code"])
    if changed:
        db.session.flush()
        changes.extend(f"recounted promise {p.key}" for p in promises_using(changed))
    return changed


def _set_targets(promise: Promise, targets: list[PromiseTarget], changes: list[str], label: str):
    """Replace a promise's targets by those the file states, when they differ."""

    def shape(items):
        return [(t.from_year, whole_number(t.count), t.per, bool(t.each_place)) for t in items]

    if shape(promise.targets) != shape(targets):
        changes.append(label)
        promise.targets = targets
        db.session.flush()


def import_commitments(path: str | Path) -> list[str]:
    """Import a commitments file whole or not at all; the changes made."""
    doc = load_file(path)
    try:
        return plan_and_apply(doc, apply=True)
    except CommitmentFileError as exc:
        raise CommitmentFileError([f"{path}: {p}" for p in exc.problems]) from None
