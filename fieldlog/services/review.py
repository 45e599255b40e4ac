"""Review of entries: approve or reject, four eyes, guarded in the database."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from ..database import begin_write
from ..extensions import db
from ..models import Entry, User, utcnow
from . import audit
from .entries import EntryError, entry_snapshot
from .tallies import TallyDelta

DECISIONS = {"approve": "approved", "reject": "rejected"}


def may_review(user: User, entry: Entry) -> bool:
    """A supervisor of the police area of the entry's municipality, never its author."""
    return (
        user.role == "supervisor"
        and entry.author_id != user.id
        and entry.promise.commitment.municipality.police_area_id == user.police_area_id
    )


def record_review(user: User, entry_id: int, decision: str, comment: str | None) -> Entry:
    """Approve or reject a pending entry; exactly one of two simultaneous reviews wins.

    Raises EntryError with 404 (unknown or out of scope), 403 (not a supervisor
    of the area, or the author), 422 (bad decision, reject without comment) or
    409 (no longer pending).
    """
    begin_write()
    # Locked: the counts moved below are those of the row as the UPDATE finds it.
    entry = db.session.get(Entry, entry_id, with_for_update=True, populate_existing=True)
    if entry is None or (
        user.role != "admin"
        and entry.promise.commitment.municipality.police_area_id != user.police_area_id
    ):
        raise EntryError(_("Okänd post."), 404)
    if not may_review(user, entry):
        raise EntryError(_("Du får inte granska den här posten."), 403)
    if decision not in DECISIONS:
        raise EntryError(_("decision: ska vara approve eller reject."), 422)
    comment = (comment or "").strip() or None
    if decision == "reject" and not comment:
        raise EntryError(_("comment: ett avslag behöver en motivering."), 422)
    before = entry_snapshot(entry)
    status = DECISIONS[decision]
    result = db.session.execute(
        update(Entry)
        .where(Entry.id == entry.id, Entry.status == "pending")
        .values(status=status, reviewer_id=user.id, reviewed_at=utcnow(), review_comment=comment)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise EntryError(_("Posten väntar inte längre på granskning."), 409)
    delta = TallyDelta()
    time_rule = entry.promise.time_rule
    delta.entry(entry, time_rule, sign=-1)
    db.session.refresh(entry)
    delta.entry(entry, time_rule)
    delta.apply()
    audit.record(
        f"entry.{status}", "entry", entry.id, before=before, after=entry_snapshot(entry), actor=user,
        police_area_id=entry.promise.commitment.municipality.police_area_id,
    )
    db.session.commit()
    return entry
