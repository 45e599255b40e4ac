"""The entries behind a number of the tallies page, read within the user's police area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Entry, Municipality, Promise, User
from ..rules.periods import Period
from ..services import scope
from ..services.tallies import counted_clause, not_counted_clause

PAGE_SIZE = 200
LAST_PAGE = 100_000  # far past any promise's entries of one year; keeps the offset small
ENTRY_FILTERS = {
    "counted": _l("Räknade"),
    "approved": _l("Godkända"),
    "not_counted": _l("Godkända men inte räknade"),
    "pending": _l("Väntar på granskning"),
    "rejected": _l("Avslagna"),
}
ENTRY_WORDS = {
    "pending": _l("Väntar"),
    "approved": _l("Godkänd"),
    "rejected": _l("Avslagen"),
}


def _condition(status: str):
    if status == "counted":
        return counted_clause()
    if status == "not_counted":
        return not_counted_clause()
    return Entry.status == status


def entries_behind(
    user: User, key: str, year: int, status: str, page: int = 1, span: Period | None = None
) -> tuple[Promise | None, list[Entry], int]:
    """The promise with ``key`` if the user may see it, one page of its entries, and their count;
    with ``span`` (a tertial, quarter or month of the year) only the entries started in it."""
    stmt = select(Promise).where(
        Promise.key == key,
        Promise.activity_type_id.is_not(None),
        scope.promises_clause(user),
    )
    promise = db.session.scalar(stmt)
    if promise is None:
        return None, [], 0
    # A joint promise: only the entries done in the municipalities the user may see.
    visible = select(Municipality.id).where(scope.municipality_clause(user))
    where = and_(
        Entry.promise_id == promise.id,
        Entry.municipality_id.in_(visible),
        Entry.year == year,
        _condition(status),
    )
    if span is not None:
        where = and_(where, Entry.day >= span.start, Entry.day <= span.end)
    total = db.session.scalar(select(func.count()).select_from(Entry).where(where)) or 0
    rows = list(
        db.session.scalars(
            select(Entry)
            .options(joinedload(Entry.author))
            .where(where)
            .order_by(Entry.started_at, Entry.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return promise, rows, total
