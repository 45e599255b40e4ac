"""Who may see what: the one scope rule (DESIGN.md, rule 6), as Python checks and SQL filters.

Every view, service, export and query that takes an id or a code from a
client asks here. A user sees the municipalities of their police area (an
admin: all); an officer sees their own entries; supervisors and coordinators
see the entries of their area's municipalities; supervisors review them,
never their own.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select, true

from ..extensions import db
from ..inputs import is_municipality_code
from ..models import AuditEvent, Commitment, Entry, Municipality, Promise, User

STAFF = ("supervisor", "coordinator")
REVIEWERS = ("supervisor",)
# Who manages commitments: coordinators of their area, admins everywhere.
MANAGERS = ("coordinator", "admin")


class OutOfScope(Exception):
    """A code or id the user may not reach: ``status`` 400 (malformed), 403 or 404."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def municipality_clause(user: User) -> ColumnElement[bool]:
    """SQL: the rows of ``municipality`` that ``user`` may see."""
    if user.role == "admin":
        return true()
    return Municipality.police_area_id == user.police_area_id


def may_see_municipality(user: User, municipality: Municipality) -> bool:
    """Python twin of :func:`municipality_clause`."""
    return user.role == "admin" or municipality.police_area_id == user.police_area_id


def visible_municipalities(user: User) -> list[Municipality]:
    """The municipalities ``user`` may work with, by name."""
    stmt = select(Municipality).where(municipality_clause(user)).order_by(Municipality.name)
    return list(db.session.scalars(stmt))


def municipality_in_scope(user: User, code: str | None) -> Municipality:
    """The municipality with the four-digit ``code`` if ``user`` may see it.

    Raises OutOfScope: 400 when no code is given, 404 for a malformed or
    unknown code, 403 for another police area's municipality.
    """
    if not code:
        raise OutOfScope(400, _("municipality: ange en kommunkod."))
    if not is_municipality_code(code):
        raise OutOfScope(404, _("municipality: okänd kommunkod."))
    municipality = db.session.scalar(select(Municipality).where(Municipality.code == code))
    if municipality is None:
        raise OutOfScope(404, _("municipality: okänd kommunkod."))
    if not may_see_municipality(user, municipality):
        raise OutOfScope(403, _("municipality: inte i ditt polisområde."))
    return municipality


def promises_clause(user: User) -> ColumnElement[bool]:
    """SQL: the rows of ``promise`` belonging to municipalities ``user`` may see."""
    if user.role == "admin":
        return true()
    visible = (
        select(Commitment.id)
        .join(Municipality, Municipality.id == Commitment.municipality_id)
        .where(municipality_clause(user))
    )
    return Promise.commitment_id.in_(visible)


def entry_municipality(entry: Entry) -> Municipality:
    """The municipality an entry was logged in."""
    return entry.promise.commitment.municipality


def entry_area_id(entry: Entry) -> int:
    """The police area of the entry's municipality."""
    return entry_municipality(entry).police_area_id


def may_see_entry(user: User, entry: Entry) -> bool:
    """Its author, an admin, or the staff of its municipality's police area."""
    if user.role == "admin" or entry.author_id == user.id:
        return True
    return user.role in STAFF and may_see_municipality(user, entry_municipality(entry))


def may_review_entry(user: User, entry: Entry) -> bool:
    """A supervisor who may see the entry's municipality, never its author (four eyes)."""
    return (
        user.role in REVIEWERS
        and entry.author_id != user.id
        and may_see_municipality(user, entry_municipality(entry))
    )


def entries_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of :func:`may_see_entry` for listing entries."""
    if user.role == "admin":
        return true()
    if user.role not in STAFF:
        return Entry.author_id == user.id
    visible = select(Promise.id).where(promises_clause(user))
    return Entry.promise_id.in_(visible) | (Entry.author_id == user.id)


def review_queue_clause(user: User) -> ColumnElement[bool]:
    """SQL, on a query joined to ``municipality``: entries ``user`` may review."""
    if user.role not in REVIEWERS:
        return Entry.id.is_(None)
    return municipality_clause(user) & (Entry.author_id != user.id)


def audit_clause(user: User) -> ColumnElement[bool]:
    """SQL: the audit events ``user`` may read (their police area's; an admin: all)."""
    if user.role == "admin":
        return true()
    if user.role not in STAFF:
        return AuditEvent.id.is_(None)
    return AuditEvent.police_area_id == user.police_area_id
