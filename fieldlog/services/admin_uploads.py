"""An uploaded commitments file: a preview of what it adds and changes, then the import itself.

The preview is ``imports.plan_and_apply(doc, apply=False)``; the file's text is
kept between the two steps in a signed, time-limited form field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import yaml
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..extensions import db
from ..models import Commitment, Entry, Municipality, Promise, User
from . import scope
from .import_rules import as_date, file_municipalities, file_targets, load_yaml
from .imports import CommitmentFileError, plan_and_apply

SALT = "fieldlog.admin.commitments-upload"
MAX_AGE = 3600
ADMIN_ONLY = (
    "added activity type",
    "changed activity type",
    "added police area",
    "added municipality",
    "changed municipality",
)


@dataclass
class Preview:
    """What a file would do: every commitment and promise with its state, and other changes."""

    commitments: list[dict[str, Any]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def counts(self) -> tuple[int, int]:
        """How many things the file adds, and how many stored things it changes."""
        added = [c for c in self.changes if c.startswith("added ")]
        new = {c.split(" ", 1)[1].split(" ")[-1] for c in added}
        changed = {
            c.split(": ")[0]
            for c in self.changes
            if c.startswith("changed ") and c.split(": ")[0].split(" ")[-1] not in new
        }
        return len(added), len(changed)

    @property
    def fingerprint(self) -> str:
        """A hash of the change list, to notice a database changed between preview and apply."""
        return hashlib.sha256("\n".join(self.changes).encode()).hexdigest()


def parse(text: str) -> Any:
    """The parsed YAML; a file that is not YAML raises CommitmentFileError in plain words."""
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise CommitmentFileError(
            [_("Filen är inte giltig YAML: %(error)s", error=str(exc))]
        ) from exc


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def sign(actor: User, text: str, preview: Preview) -> str:
    """The file's text signed for ``actor``, to carry from the preview to the apply step."""
    return _serializer().dumps({"u": actor.id, "t": text, "f": preview.fingerprint})


def unsign(actor: User, token: str) -> tuple[str, str] | None:
    """The text and fingerprint signed for ``actor`` within the hour, or None."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != actor.id:
        return None
    return data["t"], data["f"]


def preview(actor: User, text: str) -> Preview:
    """Plan the file without writing; raises CommitmentFileError when it cannot be imported."""
    doc = parse(text)
    changes = plan_and_apply(doc, apply=False)
    result = Preview(changes=changes, refused=_refusals(actor, doc, changes))
    added = {c.split(" ", 1)[1] for c in changes if c.startswith("added ")}
    changed: dict[str, list[str]] = {}
    for c in changes:
        if c.startswith("changed ") and ": " in c:
            head, name = c.rsplit(": ", 1)
            changed.setdefault(head.split(" ")[-1], []).append(name)
    homes = _promise_homes(doc)
    names = {m.code: m.name for m in db.session.scalars(select(Municipality))}
    for area in doc.get("police_areas") or []:
        names.update({m["code"]: m["name"] for m in area.get("municipalities") or []})
    for c in doc.get("commitments") or []:
        item = _item(c["key"], f"commitment {c['key']}", added, changed)
        codes = file_municipalities(c)
        item.update(
            title=c["title"],
            municipality=", ".join(f"{code} {names.get(code, '')}" for code in codes),
            joint=len(codes) > 1,
            district=c.get("district"),
            valid_from=str(c["valid_from"]),
            valid_to=str(c["valid_to"]),
            promises=[],
        )
        for p in c["promises"]:
            pitem = _item(p["key"], f"promise {p['key']}", added, changed)
            pitem.update(
                text=p["text"],
                activity=p.get("activity"),
                targets=file_targets_by_year(c, p),
                places=list(p.get("places") or []),
                time_rule=p.get("time_rule"),
            )
            home = homes.get(p["key"])
            if home is not None and home[0] != c["key"]:
                pitem.update(state="moved", moved_from=home[0], entries=home[1])
            item["promises"].append(pitem)
        result.commitments.append(item)
    result.other = _other_changes(changes)
    return result


def file_targets_by_year(c: dict, p: dict) -> list[dict[str, Any]]:
    """A promise's targets as the file states them, each with the year it applies from
    (a single target, or v1's ``yearly_target``, from the commitment's first year)."""
    start = as_date(c.get("valid_from"))
    first = start.year if start else None
    return [
        {"from_year": year or first, **target}
        for year, target in file_targets(p)
        if target["count"] is not None
    ]


def _other_changes(changes: list[str]) -> list[dict[str, Any]]:
    """Changes to activity types, police areas and municipalities, one item per thing."""
    labels = {
        "added activity type": _("Ny aktivitetstyp"),
        "changed activity type": _("Ändrad aktivitetstyp"),
        "added police area": _("Nytt polisområde"),
        "added municipality": _("Ny kommun"),
        "changed municipality": _("Ändrad kommun"),
    }
    items: dict[str, dict[str, Any]] = {}
    added = set()
    for c in changes:
        head, _sep, name = c.partition(": ")
        for prefix, label in labels.items():
            if head.startswith(prefix + " "):
                thing = head[len(prefix) + 1 :]
                kind = prefix.split(" ", 1)[1]
                if prefix.startswith("added"):
                    added.add((kind, thing.split(" ")[0]))
                    items[f"{kind} {thing}"] = {"label": label, "name": thing, "fields": []}
                elif (kind, thing) not in added:
                    item = items.setdefault(
                        f"{kind} {thing}", {"label": label, "name": thing, "fields": []}
                    )
                    item["fields"].append(name)
    return list(items.values())


def _item(key: str, label: str, added: set[str], changed: dict[str, list[str]]) -> dict[str, Any]:
    kind = label.split(" ")[0]
    if f"{kind} {key}" in added:
        return {"key": key, "state": "added", "fields": []}
    fields = [f for f in changed.get(key, []) if f != "commitment_id"]
    return {"key": key, "state": "changed" if fields else "unchanged", "fields": fields}


def _promise_homes(doc: dict) -> dict[str, tuple[str, int]]:
    """For the file's promise keys already stored: their commitment's key and how many entries."""
    keys = [p["key"] for c in doc.get("commitments") or [] for p in c["promises"]]
    rows = db.session.execute(
        select(Promise.key, Commitment.key, func.count(Entry.id))
        .join(Commitment, Commitment.id == Promise.commitment_id)
        .outerjoin(Entry, Entry.promise_id == Promise.id)
        .where(Promise.key.in_(keys))
        .group_by(Promise.key, Commitment.key)
    )
    return {pkey: (ckey, n) for pkey, ckey, n in rows}


def _refusals(actor: User, doc: dict, changes: list[str]) -> list[str]:
    """Why a coordinator may not apply this file: changes outside their police area."""
    if actor.role == "admin":
        return []
    refused = [
        _(
            "%(change)s: bara en administratör ändrar aktivitetstyper, polisområden och kommuner.",
            change=c,
        )
        for c in changes
        if c.startswith(ADMIN_ONLY)
    ]
    own = {m.code for m in scope.visible_municipalities(actor)}
    for c in doc.get("commitments") or []:
        stored = db.session.scalar(select(Commitment).where(Commitment.key == c["key"]))
        codes = set(file_municipalities(c))
        stored_codes = {m.code for m in stored.municipalities} if stored else set()
        if not codes | stored_codes <= own:
            refused.append(
                _("medborgarlöfte %(key)s: kommunen är inte i ditt polisområde.", key=c["key"])
            )
        for p in c["promises"]:
            found = db.session.scalar(select(Promise).where(Promise.key == p["key"]))
            if found is not None and found.commitment.municipality.code not in own:
                refused.append(_("löfte %(key)s: hör till ett annat polisområde.", key=p["key"]))
    return refused


def apply(actor: User, text: str, fingerprint: str) -> tuple[list[str] | None, Preview]:
    """Import the file if it would still do what the preview showed; else the new preview."""
    fresh = preview(actor, text)
    if fresh.refused or fresh.fingerprint != fingerprint:
        return None, fresh
    return plan_and_apply(parse(text), apply=True), fresh
