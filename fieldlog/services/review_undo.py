"""Undoing a review decision a supervisor just made: back to pending, tallies follow, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..models import AuditEvent, User, utcnow
from .entries import EntryError
from .review import DECISIONS, lock_and_load, set_review_status
from .scope import may_review_entry, may_see_entry

# How long after a decision its maker may take it back.
UNDO_WINDOW = dt.timedelta(minutes=10)
UNDONE = "entry.review_undone"


@dataclass
class UndoOutcome:
    """What an undo did: entries back in the queue, and those that had moved on meanwhile."""

    done: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def undo_deadline(decided_at: dt.datetime) -> dt.datetime:
    """Until when a decision made at ``decided_at`` may be undone."""
    return decided_at + UNDO_WINDOW


def _comments_before(entry_ids: list[int]) -> dict[int, str | None]:
    """Each entry's review comment before its latest decision (kept on a resent entry)."""
    stmt = (
        select(AuditEvent.object_id, AuditEvent.before)
        .where(
            AuditEvent.object_type == "entry",
            AuditEvent.object_id.in_([str(i) for i in entry_ids]),
            AuditEvent.action.in_([f"entry.{s}" for s in DECISIONS.values()]),
        )
        .order_by(AuditEvent.id)
    )
    found: dict[int, str | None] = {}
    for object_id, before in db.session.execute(stmt):
        found[int(object_id)] = (before or {}).get("review_comment")
    return found


def undo_review(
    user: User, entry_ids: list[int], decision: str, decided_at: dt.datetime
) -> UndoOutcome:
    """Put the entries ``user`` decided at ``decided_at`` back to pending, within UNDO_WINDOW.

    Entries changed since (corrected, decided again, out of scope) stay as they are and land
    in ``skipped``. Raises EntryError 409 when the window has passed, 422 for a bad decision.
    """
    if decision not in DECISIONS:
        raise EntryError(_("decision: ska vara approve eller reject."), 422)
    now = utcnow()
    if now > undo_deadline(decided_at):
        raise EntryError(_("Det är för sent att ångra beslutet."), 409)
    begin_write()
    found = lock_and_load(entry_ids)
    status = DECISIONS[decision]
    eligible = [
        e
        for e in found.values()
        if may_see_entry(user, e)
        and may_review_entry(user, e)
        and e.status == status
        and e.reviewer_id == user.id
        and e.reviewed_at is not None
        and e.reviewed_at >= decided_at - dt.timedelta(seconds=1)
    ]
    comments = _comments_before([e.id for e in eligible])
    groups: dict[str | None, list] = {}
    for entry in eligible:
        groups.setdefault(comments.get(entry.id), []).append(entry)
    outcome = UndoOutcome()
    for comment, entries in groups.items():
        values = {"status": "pending", "reviewer_id": None, "reviewed_at": None}
        values["review_comment"] = comment
        outcome.done += set_review_status(
            user, entries, from_status=(status,), values=values, action=UNDONE, at=now
        )
    outcome.done.sort()
    outcome.skipped = sorted(set(entry_ids) - set(outcome.done))
    db.session.commit()
    return outcome
