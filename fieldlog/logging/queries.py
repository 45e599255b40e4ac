"""Read-only lookups for the officer's pages, each limited to what the user may see."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Commitment, Entry, Promise, User
from ..services import scope
from .own_filters import OwnFilters
from .sections import SECTIONS, section_clause, section_for


def loggable_promise(user: User, key: str) -> Promise:
    """The countable promise ``key`` of the user's police area, or 404."""
    stmt = (
        select(Promise)
        .join(Promise.commitment)
        .join(Commitment.municipality)
        .options(joinedload(Promise.activity_type), joinedload(Promise.commitment))
        .where(
            Promise.key == key,
            Promise.activity_type_id.is_not(None),
            scope.municipality_clause(user),
        )
    )
    promise = db.session.scalar(stmt)
    if promise is None or not scope.may_log(user, promise):
        abort(404)
    return promise


def own_entry(user: User, entry_id: int) -> Entry:
    """One of the user's own entries (not withdrawn), or 404 for any other."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.author_id != user.id or entry.status == "withdrawn":
        abort(404)
    return entry


def own_counts(user: User, filters: OwnFilters, zone: str) -> dict[str, int]:
    """How many of the user's entries each section holds under the filters (counted in SQL)."""
    stmt = (
        select(Entry.status, Entry.in_window, func.count())
        .where(Entry.author_id == user.id, *filters.clauses(zone))
        .group_by(Entry.status, Entry.in_window)
    )
    counts = dict.fromkeys(SECTIONS, 0)
    for status, inside, n in db.session.execute(stmt):
        counts[section_for(status, inside)] += n
    return counts


def own_entries(
    user: User, filters: OwnFilters, zone: str, section: str, limit: int, offset: int = 0
) -> list[Entry]:
    """One page of the user's entries of ``section`` under the filters, newest start first."""
    stmt = (
        select(Entry)
        .options(
            joinedload(Entry.promise).joinedload(Promise.activity_type),
            joinedload(Entry.municipality),  # where it was done (joint)
            joinedload(Entry.promise)
            .joinedload(Promise.commitment)
            .joinedload(Commitment.municipality),
        )
        .where(Entry.author_id == user.id, section_clause(section), *filters.clauses(zone))
        .order_by(Entry.started_at.desc(), Entry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(stmt).unique())


def own_promises(user: User) -> list[Promise]:
    """The promises the user has logged entries for, to narrow the list to one."""
    logged = select(Entry.promise_id).where(Entry.author_id == user.id).distinct()
    stmt = (
        select(Promise)
        .options(joinedload(Promise.commitment).joinedload(Commitment.municipality))
        .where(Promise.id.in_(logged))
        .order_by(Promise.key)
    )
    return list(db.session.scalars(stmt).unique())


def last_places(user: User, limit: int = 8) -> list[str]:
    """The places the user wrote most recently, for suggestions."""
    stmt = (
        select(Entry.place, func.max(Entry.started_at).label("last"))
        .where(Entry.author_id == user.id, Entry.place.is_not(None))
        .group_by(Entry.place)
        .order_by(func.max(Entry.started_at).desc())
        .limit(limit)
    )
    return [row.place for row in db.session.execute(stmt)]


def last_place_for(user: User, promise: Promise) -> str:
    """The place of the promise's list the user logged it at last, or its only place, or ""."""
    if len(promise.places or []) == 1:
        return promise.places[0]
    if not promise.places:
        return ""
    stmt = (
        select(Entry.place)
        .where(
            Entry.author_id == user.id,
            Entry.promise_id == promise.id,
            Entry.place.in_(promise.places),
        )
        .order_by(Entry.started_at.desc())
        .limit(1)
    )
    return db.session.scalar(stmt) or ""
