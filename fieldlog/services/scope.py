"""Who may see and do what: the one scope rule, as Python checks and SQL filters.

DESIGN.md rule 6 and CONTRACT.md "Roles". Every view, service, export and
query that takes an id or a code from a client asks here. A user sees the
municipalities of their police area (an admin: all; municipal staff: their
own municipalities); officers and municipal staff see their own entries;
supervisors and coordinators the entries of their area's municipalities.
Supervisors review entries, coordinators too when municipal staff wrote them;
nobody reviews their own. Officers and supervisors log the promises owned by
``polisen`` or ``gemensamt``, municipal staff those of ``kommunen`` or
``gemensamt``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select, true

from ..extensions import db
from ..inputs import is_municipality_code
from ..models import (
    AuditEvent,
    Entry,
    Municipality,
    Promise,
    User,
    commitment_municipality,
    user_municipality,
)
from . import catalogue

STAFF = ("supervisor", "coordinator")
REVIEWERS = ("supervisor", "coordinator")
# Who manages commitments: coordinators of their area, admins everywhere.
MANAGERS = ("coordinator", "admin")
# Who follows the tallies and exports them.
VIEWERS = ("supervisor", "coordinator", "admin", "municipal")
# Which owners' promises each role logs.
LOGGED_OWNERS = {
    "officer": ("polisen", "gemensamt"),
    "supervisor": ("polisen", "gemensamt"),
    "municipal": ("kommunen", "gemensamt"),
}
LOGGERS = tuple(LOGGED_OWNERS)


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
    if user.role == "municipal":
        own = select(user_municipality.c.municipality_id).where(
            user_municipality.c.user_id == user.id
        )
        return Municipality.id.in_(own)
    return Municipality.police_area_id == user.police_area_id


def may_see_municipality(user: User, municipality: Municipality) -> bool:
    """Python twin of :func:`municipality_clause`."""
    if user.role == "admin":
        return True
    if user.role == "municipal":
        # By id: the municipality may come from the process's catalogue, not this session.
        return any(m.id == municipality.id for m in user.municipalities)
    return municipality.police_area_id == user.police_area_id


def visible_municipalities(user: User, *, read_only: bool = False) -> list[Municipality]:
    """The municipalities ``user`` may work with, by name.

    ``read_only``: the process's copies (services/catalogue.py), found with no statement,
    for pages and answers that only show them; else loaded in the session, to change.
    """
    if read_only:
        held = catalogue.current().municipalities.values()
        return sorted((m for m in held if may_see_municipality(user, m)), key=alphabetical)
    stmt = select(Municipality).where(municipality_clause(user))
    return sorted(db.session.scalars(stmt), key=alphabetical)


def alphabetical(municipality: Municipality) -> str:
    """A municipality's place in Swedish alphabetical order (Å, Ä and Ö after Z)."""
    return municipality.name.casefold().translate(_AFTER_Z)


_AFTER_Z = str.maketrans({"å": "{", "ä": "|", "ö": "}"})


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
        if user.role == "municipal":
            raise OutOfScope(403, _("municipality: inte en av dina kommuner."))
        raise OutOfScope(403, _("municipality: inte i ditt polisområde."))
    return municipality


def promises_clause(user: User) -> ColumnElement[bool]:
    """SQL: the rows of ``promise`` belonging to municipalities ``user`` may see."""
    if user.role == "admin":
        return true()
    visible = (
        select(commitment_municipality.c.commitment_id)
        .join(Municipality, Municipality.id == commitment_municipality.c.municipality_id)
        .where(municipality_clause(user))
    )
    return Promise.commitment_id.in_(visible)


def entry_municipality(entry: Entry) -> Municipality:
    """The municipality an entry was logged in."""
    return entry.municipality


def entry_area_id(entry: Entry) -> int:
    """The police area of the entry's municipality."""
    return entry_municipality(entry).police_area_id


def may_see_entry(user: User, entry: Entry) -> bool:
    """Its author, an admin, or the staff of its municipality's police area."""
    if user.role == "admin" or entry.author_id == user.id:
        return True
    return user.role in STAFF and may_see_municipality(user, entry_municipality(entry))


def may_review_entry(user: User, entry: Entry) -> bool:
    """A supervisor of the entry's area, or a coordinator when municipal staff wrote it;
    never its author (four eyes)."""
    if entry.author_id == user.id or not may_see_municipality(user, entry_municipality(entry)):
        return False
    if user.role == "supervisor":
        return True
    author = entry.author  # None once retention removed it
    return user.role == "coordinator" and author is not None and author.role == "municipal"


def may_see_author(viewer: User | None, author_role: str) -> bool:
    """Whether ``viewer`` sees who wrote an entry: entry exports name no police author to
    municipal staff (``None``, the command line, sees all)."""
    return viewer is None or viewer.role != "municipal" or author_role == "municipal"


def may_log(user: User, promise: Promise) -> bool:
    """Whether ``user`` logs entries for ``promise`` (by the promise's owner)."""
    return promise.owner in LOGGED_OWNERS.get(user.role, ())


def entries_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of :func:`may_see_entry` for listing entries."""
    if user.role == "admin":
        return true()
    if user.role not in STAFF:
        return Entry.author_id == user.id
    visible = select(Municipality.id).where(municipality_clause(user))
    return Entry.municipality_id.in_(visible) | (Entry.author_id == user.id)


def review_queue_clause(user: User) -> ColumnElement[bool]:
    """SQL twin of :func:`may_review_entry`, on a query joined to ``municipality``."""
    if user.role not in REVIEWERS:
        return Entry.id.is_(None)
    # IS DISTINCT FROM: an entry whose author retention removed (null) is still reviewed.
    clause = municipality_clause(user) & Entry.author_id.is_distinct_from(user.id)
    if user.role == "coordinator":
        municipal = select(User.id).where(User.role == "municipal")
        clause = clause & Entry.author_id.in_(municipal)
    return clause


def audit_clause(user: User) -> ColumnElement[bool]:
    """SQL: the audit events ``user`` may read (their police area's; an admin: all)."""
    if user.role == "admin":
        return true()
    if user.role not in STAFF:
        return AuditEvent.id.is_(None)
    return AuditEvent.police_area_id == user.police_area_id
