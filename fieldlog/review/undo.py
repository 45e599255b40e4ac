"""The supervisor's last decision in the queue, kept in the session for a few minutes to undo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import session
from flask_babel import gettext as _

from ..models import User, utcnow
from ..services.entries import EntryError
from ..services.review import ReviewOutcome
from ..services.review_undo import UndoOutcome, undo_deadline, undo_review

KEY = "review_undo"


@dataclass
class LastDecision:
    """A decision that may still be undone: which entries, which way, when."""

    user_id: int
    ids: list[int]
    decision: str
    at: dt.datetime

    @property
    def until(self) -> dt.datetime:
        """When the undo closes."""
        return undo_deadline(self.at)


def remember_decision(user: User, outcome: ReviewOutcome, decided_at: dt.datetime) -> None:
    """Keep the entries ``user`` just decided, so that the queue can offer to undo it."""
    if outcome.done:
        session[KEY] = {
            "user": user.id,
            "ids": outcome.done,
            "decision": outcome.decision,
            "at": decided_at.isoformat(),
        }
    else:
        session.pop(KEY, None)


def _last(user: User) -> LastDecision | None:
    """The decision kept in the session, if ``user`` made it (a shared browser keeps the
    session across logins)."""
    kept = session.get(KEY)
    try:
        found = LastDecision(
            int(kept["user"]),
            [int(i) for i in kept["ids"]],
            str(kept["decision"]),
            dt.datetime.fromisoformat(kept["at"]),
        )
    except (TypeError, KeyError, ValueError):
        return None
    return found if found.at.tzinfo is not None and found.user_id == user.id else None


def undoable_decision(user: User) -> LastDecision | None:
    """The user's last decision, while it may still be undone."""
    last = _last(user)
    if last is None or utcnow() > last.until:
        return None
    return last


def undo_last_decision(user: User) -> UndoOutcome:
    """Undo the last decision kept in the session; EntryError 409 when none or too late."""
    last = _last(user)
    if last is None:
        raise EntryError(_("Det finns inget beslut att ångra."), 409)
    outcome = undo_review(user, last.ids, last.decision, last.at)
    session.pop(KEY, None)
    return outcome
