"""The review queue: pending entries of a supervisor's police area, their filters and warnings."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..labels import promise_excerpt, promise_title, window_reason_of
from ..models import Commitment, Entry, Municipality, Promise, User
from ..services import scope

QUEUE_LIMIT = 200
LATE_AFTER = dt.timedelta(hours=48)

REJECT_REASONS = {
    "wrong_promise": _l("Fel löfte eller aktivitet"),
    "time": _l("Inte på obekväm tid som löftet kräver"),
    "place": _l("Fel plats eller utanför kommunen"),
    "duplicate": _l("Dubblett av en annan post"),
    "missing": _l("Uppgifter saknas eller är oklara"),
}


@dataclass
class QueueFilters:
    """What the supervisor narrowed the queue to (all empty: everything)."""

    municipality: str = ""
    promise: str = ""
    officer: str = ""

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        """Read the filters from a query string."""
        return cls(
            *(str(args.get(k, "")).strip()[:80] for k in ("municipality", "promise", "officer"))
        )

    def args(self) -> dict[str, str]:
        """The non-empty filters, for building URLs."""
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class QueuePage:
    """The entries shown, how many wait in all, and the choices of the filters."""

    entries: list[Entry]
    total: int
    municipalities: list[tuple[str, str, int]] = field(default_factory=list)
    promises: list[tuple[str, str, int]] = field(default_factory=list)
    officers: list[tuple[str, str, int]] = field(default_factory=list)


def _queue_base(user: User):
    return (
        select(Entry)
        .join(Promise, Promise.id == Entry.promise_id)
        .join(Commitment, Commitment.id == Promise.commitment_id)
        .join(Municipality, Municipality.id == Entry.municipality_id)
        # Outer: an entry whose author retention removed still waits for its review.
        .join(User, User.id == Entry.author_id, isouter=True)
        .where(
            Entry.status == "pending",
            # Four eyes: a supervisor's own entries never reach their queue.
            scope.review_queue_clause(user),
        )
    )


def _promise_labels(keys: list[str]) -> dict[str, str]:
    """Filter labels that tell promises apart: municipality, activity and place; the text's
    start where two would still read the same."""
    promises = db.session.scalars(
        select(Promise)
        .where(Promise.key.in_(keys))
        .options(
            joinedload(Promise.activity_type),
            joinedload(Promise.commitment).joinedload(Commitment.municipality),
        )
    ).all()
    titles = {p.key: f"{p.commitment.municipality.name}: {promise_title(p)}" for p in promises}
    alike = Counter(titles.values())
    for p in promises:
        if alike[titles[p.key]] > 1:
            titles[p.key] += f" – {promise_excerpt(p)}"
    return titles


def _choices(user: User) -> tuple[list, list, list]:
    stmt = (
        _queue_base(user)
        .with_only_columns(
            Municipality.code,
            Municipality.name,
            Promise.key,
            User.username,
            User.display_name,
            func.count(),
        )
        .group_by(
            Municipality.code,
            Municipality.name,
            Promise.key,
            User.username,
            User.display_name,
        )
    )
    municipalities: dict[str, list] = {}
    promises: dict[str, list] = {}
    officers: dict[str, list] = {}
    for code, name, key, username, display, n in db.session.execute(stmt):
        municipalities.setdefault(code, [code, name, 0])[2] += n
        promises.setdefault(key, [key, key, 0])[2] += n
        if username is not None:  # no officer to filter by once retention removed the author
            officers.setdefault(username, [username, display or username, 0])[2] += n
    labels = _promise_labels(list(promises))
    for key, found in promises.items():
        found[1] = labels.get(key, key)

    def ordered(found: dict) -> list[tuple[str, str, int]]:
        return sorted((tuple(v) for v in found.values()), key=lambda v: v[1].lower())

    return ordered(municipalities), ordered(promises), ordered(officers)


def queue_page(user: User, filters: QueueFilters) -> QueuePage:
    """The pending entries of the supervisor's area, oldest start first, narrowed by the filters."""
    stmt = _queue_base(user)
    if filters.municipality:
        stmt = stmt.where(Municipality.code == filters.municipality)
    if filters.promise:
        stmt = stmt.where(Promise.key == filters.promise)
    if filters.officer:
        stmt = stmt.where(User.username == filters.officer)
    total = db.session.scalar(stmt.with_only_columns(func.count()).order_by(None))
    entries = list(
        db.session.scalars(
            stmt.options(
                joinedload(Entry.author),
                joinedload(Entry.promise).joinedload(Promise.activity_type),
                joinedload(Entry.municipality),  # where it was done (joint)
                joinedload(Entry.promise)
                .joinedload(Promise.commitment)
                .joinedload(Commitment.municipality),
            )
            .order_by(Entry.started_at, Entry.id)
            .limit(QUEUE_LIMIT)
        )
    )
    return QueuePage(entries, total, *_choices(user))


def warnings_for(entry: Entry) -> list[str]:
    """What a supervisor should look at twice before approving ``entry``."""
    found = []
    reason = window_reason_of(entry)
    if reason:
        found.append(reason)
    late = entry.created_at - entry.started_at
    if late > LATE_AFTER:
        found.append(_("Skickad %(days)d dygn efter starten.", days=late // dt.timedelta(days=1)))
    if entry.version > 1 and entry.review_comment:
        found.append(_("Tidigare avslagen: %(reason)s", reason=entry.review_comment))
    return found
