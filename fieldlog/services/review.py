"""Review of entries: approve or reject, four eyes, guarded in the database; corrections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..database import begin_write
from ..extensions import db
from ..inputs import stored_text
from ..models import Commitment, Entry, Promise, User, utcnow
from . import audit
from .commitments import PromiseResolver
from .entries import EntryError, validate_entry
from .entry_shapes import entry_snapshot
from .scope import entry_area_id, may_review_entry, may_see_entry
from .tallies import TallyDelta

DECISIONS = {"approve": "approved", "reject": "rejected"}
COMMENT_LIMIT = 2000


def clean_decision(decision: Any, comment: Any) -> tuple[str, str | None]:
    """The checked decision and comment; EntryError 422 naming the bad field."""
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise EntryError(_("decision: ska vara approve eller reject."), 422)
    if comment is not None and not isinstance(comment, str):
        raise EntryError(_("comment: måste vara text."), 422)
    comment = stored_text((comment or "").strip())
    if comment is None:
        raise EntryError(_("comment: innehåller otillåtna tecken (styrtecken)."), 422)
    comment = comment or None
    if decision == "reject" and not comment:
        raise EntryError(_("comment: ett avslag behöver en motivering."), 422)
    if comment and len(comment) > COMMENT_LIMIT:
        raise EntryError(_("comment: högst %(n)d tecken.", n=COMMENT_LIMIT), 422)
    return decision, comment


def lock_and_load(entry_ids: list[int]) -> dict[int, Entry]:
    """Lock the entries' rows in id order (PostgreSQL; SQLite holds the write lock), then read them.

    Reading after the lock means a concurrent edit or review that committed
    first is seen, so snapshots and tally changes start from the stored row.
    """
    if not entry_ids:
        return {}
    ids = sorted(set(entry_ids))
    db.session.execute(
        select(Entry.id).where(Entry.id.in_(ids)).order_by(Entry.id).with_for_update()
    )
    stmt = (
        select(Entry)
        .where(Entry.id.in_(ids))
        .options(
            joinedload(Entry.promise)
            .joinedload(Promise.commitment)
            .joinedload(Commitment.municipality)
        )
        .execution_options(populate_existing=True)
    )
    return {e.id: e for e in db.session.scalars(stmt)}


@dataclass
class ReviewOutcome:
    """What one review action did, entry by entry."""

    decision: str
    done: list[int] = field(default_factory=list)
    already_reviewed: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)


def set_review_status(
    user: User,
    entries: list[Entry],
    *,
    from_status: tuple[str, ...],
    values: dict[str, Any],
    action: str,
    at: dt.datetime,
) -> list[int]:
    """The one way a review moves entries between statuses: a guarded UPDATE, tallies, audit.

    Only those of ``entries`` still in one of ``from_status`` change (to ``values``); each
    changed one moves its tally contribution and gets its own audit event ``action``.
    Returns the ids changed.
    """
    if not entries:
        return []
    befores = {e.id: entry_snapshot(e) for e in entries}
    changed = set(
        db.session.scalars(
            update(Entry)
            .where(Entry.id.in_([e.id for e in entries]), Entry.status.in_(from_status))
            .values(**values)
            .returning(Entry.id)
            .execution_options(synchronize_session=False)
        )
    )
    delta = TallyDelta()
    events = []
    for entry in entries:
        if entry.id not in changed:
            continue
        delta.entry(entry, sign=-1)
        # The row now holds these values; mirror them without another read or write.
        for name, value in values.items():
            set_committed_value(entry, name, value)
        delta.entry(entry)
        events.append(
            audit.event_row(
                action,
                "entry",
                entry.id,
                before=befores[entry.id],
                after=entry_snapshot(entry),
                actor=user,
                police_area_id=entry_area_id(entry),
                at=at,
            )
        )
    delta.apply()
    audit.record_rows(events)
    return [e.id for e in entries if e.id in changed]


def _decide(user: User, entries: list[Entry], decision: str, comment: str | None) -> list[int]:
    """Move the pending ones of ``entries`` to the decision; ids changed."""
    status = DECISIONS[decision]
    now = utcnow()
    values = {"status": status, "reviewer_id": user.id, "reviewed_at": now}
    values["review_comment"] = comment
    return set_review_status(
        user, entries, from_status=("pending",), values=values, action=f"entry.{status}", at=now
    )


def record_review(user: User, entry_id: int, decision: Any, comment: Any) -> Entry:
    """Approve or reject a pending entry; exactly one of two simultaneous reviews wins.

    Raises EntryError with 404 (unknown or out of scope), 403 (not a supervisor
    of the area, or the author), 422 (bad decision, reject without comment) or
    409 (no longer pending).
    """
    begin_write()
    entry = lock_and_load([entry_id]).get(entry_id)
    if entry is None or not may_see_entry(user, entry):
        raise EntryError(_("Okänd post."), 404)
    if not may_review_entry(user, entry):
        raise EntryError(_("Du får inte granska den här posten."), 403)
    decision, comment = clean_decision(decision, comment)
    if not _decide(user, [entry], decision, comment):
        db.session.rollback()
        raise EntryError(_("Posten väntar inte längre på granskning."), 409)
    db.session.commit()
    return entry


def review_many(
    user: User,
    entry_ids: list[int],
    decision: Any,
    comment: Any,
    seen_versions: dict[int, int] | None = None,
) -> ReviewOutcome:
    """Approve or reject many entries in one transaction; reports those that could not be.

    Entries reviewed by someone else meanwhile land in ``already_reviewed``,
    the caller's own or other areas' in ``refused`` / ``unknown``, and those
    edited since the version in ``seen_versions`` in ``changed``; nothing of
    those changes. Raises EntryError 422 for a bad decision or a reject
    without a comment, before anything is written.
    """
    decision, comment = clean_decision(decision, comment)
    begin_write()
    outcome = ReviewOutcome(decision)
    found = lock_and_load(entry_ids)
    seen_versions = seen_versions or {}
    eligible = []
    for entry_id in sorted(set(entry_ids)):
        entry = found.get(entry_id)
        if entry is None or not may_see_entry(user, entry):
            outcome.unknown.append(entry_id)
        elif not may_review_entry(user, entry):
            outcome.refused.append(entry_id)
        elif (
            entry.status == "pending"
            and seen_versions.get(entry_id, entry.version) != entry.version
        ):
            outcome.changed.append(entry_id)
        else:
            eligible.append(entry)
    outcome.done = _decide(user, eligible, decision, comment)
    outcome.already_reviewed = [e.id for e in eligible if e.id not in outcome.done]
    db.session.commit()
    return outcome


def correct_entry(
    user: User, entry_id: int, data: dict[str, Any], base_version: int, reason: Any
) -> Entry:
    """A supervisor of the area corrects an approved entry, with a reason; tallies follow.

    ``data`` holds the ENTRY fields that may change (promise, started_at,
    ended_at, place, officers, metrics, notes); it is validated as any entry
    is. Raises EntryError 404/403/409/422 (422 with ``fields`` naming them).
    """
    begin_write()
    entry = lock_and_load([entry_id]).get(entry_id)
    if entry is None or not may_see_entry(user, entry):
        raise EntryError(_("Okänd post."), 404)
    if not may_review_entry(user, entry):
        raise EntryError(_("Du får inte rätta den här posten."), 403)
    if entry.status != "approved":
        raise EntryError(_("Bara en godkänd post kan rättas."), 409)
    if entry.version != base_version:
        raise EntryError(_("Posten har ändrats sedan du öppnade den. Ladda om sidan."), 409)
    reason = stored_text(reason.strip()) if isinstance(reason, str) else ""
    errors: dict[str, str] = {}
    if reason is None:
        errors["reason"] = _("Innehåller tecken som inte kan sparas.")
    elif not reason:
        errors["reason"] = _("Ange varför posten rättas.")
    elif len(reason) > COMMENT_LIMIT:
        errors["reason"] = _("Högst %(n)d tecken.", n=COMMENT_LIMIT)
    payload = {**data, "client_id": entry.client_id, "lat": entry.lat, "lon": entry.lon}
    payload.pop("base_version", None)
    clean, field_errors = validate_entry(payload, PromiseResolver(user))
    errors.update(field_errors)
    if errors:
        exc = EntryError(_("Rättelsen sparades inte: kontrollera fälten."), 422)
        exc.fields = errors
        raise exc
    if clean.content_hash == entry.content_hash:
        exc = EntryError(_("Inget ändrades."), 422)
        exc.fields = {"entry": _("Inget ändrades.")}
        raise exc
    before = entry_snapshot(entry)
    result = db.session.execute(
        update(Entry)
        .where(Entry.id == entry.id, Entry.status == "approved", Entry.version == base_version)
        .values(**clean.columns(), version=Entry.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise EntryError(_("Posten har ändrats sedan du öppnade den. Ladda om sidan."), 409)
    delta = TallyDelta()
    delta.entry(entry, sign=-1)
    db.session.refresh(entry)
    delta.entry(entry)
    delta.apply()
    after = entry_snapshot(entry)
    after["reason"] = reason
    audit.record(
        "entry.corrected",
        "entry",
        entry.id,
        before=before,
        after=after,
        actor=user,
        police_area_id=entry_area_id(entry),
    )
    db.session.commit()
    return entry
