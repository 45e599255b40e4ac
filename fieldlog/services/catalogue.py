"""The agreements a process keeps in memory: every commitment with its promises, targets,
activity types and municipalities, and the time windows; read again only when one changed.

Nearly every request asks which promises are in force where (a phone's entry, the log
page, the tallies), and the answer changes a few times a year. So each process keeps a
``Catalogue``, a snapshot loaded in one go, and labels it with the database's catalogue
stamp: a random text that triggers (migration 0007) set anew whenever a row of an
agreement's tables changes, whoever changes it (a page, an import, SQL by hand). A
request learns the stamp for free with its user (auth/loaders.py reads it in the same
statement) or, without a user, with one small query; when it differs from the snapshot's,
the snapshot is loaded again. A snapshot therefore never outlives the data it was read
from by more than the request that notices the change.

The snapshot's objects are detached ORM instances with everything they are asked for
loaded: read them, never change them or attach them to a session, and compare them by
id with objects loaded elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import current_app, g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from ..extensions import db
from ..models import (
    Commitment,
    Municipality,
    Promise,
    TimeWindow,
    catalogue_stamp,
)
from ..rules.windows import TimeWindow as WindowRule

# The stamp, as a column another query can carry: NULL until the first change.
STAMP = select(catalogue_stamp.c.stamp).where(catalogue_stamp.c.id == 1).scalar_subquery()
_NOTED = "fieldlog_catalogue_stamp"  # g: the stamp read in this request's transaction
_WROTE = "fieldlog.catalogue.wrote"  # session.info: the transaction wrote something
_EXTENSION = "fieldlog.catalogue"
T = TypeVar("T")


@dataclass
class Catalogue:
    """Every agreement and what belongs to it, as one process holds it (read-only).

    ``naming``: municipality id → the commitments covering it (joint ones included),
    by start date then id; ``promises``: key → promise; ``municipalities``: code →
    municipality; ``windows``: time window code → its rule; ``derived``: what
    :meth:`remembered` made from them.
    """

    stamp: str | None
    naming: dict[int, list[Commitment]] = field(default_factory=dict)
    promises: dict[str, Promise] = field(default_factory=dict)
    municipalities: dict[str, Municipality] = field(default_factory=dict)
    windows: dict[str, WindowRule] = field(default_factory=dict)
    derived: dict[Hashable, object] = field(default_factory=dict)

    def covering(self, municipality_id: int) -> list[Commitment]:
        """The commitments covering a municipality (an empty list for none)."""
        return self.naming.get(municipality_id, [])

    def remembered(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, made once per snapshot for ``key``: for what follows from the
        agreements alone (not the day, the user or the counts), asked for on every request.
        Goes with the snapshot when the agreements change. Read the result, never change it.
        """
        if key not in self.derived:
            self.derived[key] = make()
        return self.derived[key]  # type: ignore[return-value]


def note_stamp(stamp: str | None) -> None:
    """Remember the stamp a request read with its user (auth/loaders.py)."""
    if has_request_context():
        g.setdefault(_NOTED, stamp)


def current() -> Catalogue:
    """This process's snapshot, loaded again first if the agreements changed since.

    In a request the stamp read with the user is trusted until the request's
    session writes; elsewhere (the command line) it is read each time.
    """
    stamp = g.get(_NOTED, ...) if has_request_context() else ...
    if stamp is ...:
        stamp = db.session.scalar(select(STAMP))
        if has_request_context():
            g.setdefault(_NOTED, stamp)
    if _writing(db.session()):
        # This transaction changes agreements (or may): only it sees what it changed, so
        # it reads them itself, and its snapshot is not kept.
        return _read(db.session(), stamp, populate_existing=True)
    held = current_app.extensions.get(_EXTENSION)
    if held is not None and held.stamp == stamp:
        return held
    with Session(db.engine, expire_on_commit=False) as session, session.begin():
        loaded = _read(session, session.scalar(select(STAMP)))
        session.expunge_all()
    current_app.extensions[_EXTENSION] = loaded
    return loaded


def _writing(session: Session) -> bool:
    """Whether the session's transaction wrote, or holds changes it has not flushed yet."""
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def _read(session: Session, stamp: str | None, populate_existing: bool = False) -> Catalogue:
    """Every agreement as ``session`` sees it, labelled with ``stamp`` (``populate_existing``:
    what the session has loaded already is read again too)."""
    commitments = session.scalars(
        select(Commitment)
        .options(
            selectinload(Commitment.promises).selectinload(Promise.activity_type),
            selectinload(Commitment.promises).selectinload(Promise.targets),
            selectinload(Commitment.municipalities).selectinload(Municipality.police_area),
            selectinload(Commitment.municipality),
        )
        .order_by(Commitment.valid_from, Commitment.id)
    ).all()
    catalogue = Catalogue(stamp)
    for commitment in commitments:
        for m in commitment.municipalities:
            catalogue.naming.setdefault(m.id, []).append(commitment)
            catalogue.municipalities[m.code] = m
        for promise in commitment.promises:
            promise.commitment  # noqa: B018  (the back reference, set while attached)
            catalogue.promises[promise.key] = promise
    every = select(Municipality).options(selectinload(Municipality.police_area))
    for m in session.scalars(every):
        catalogue.municipalities.setdefault(m.code, m)
    catalogue.windows = {w.code: w.rule() for w in session.scalars(select(TimeWindow))}
    return catalogue


@event.listens_for(db.session, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(db.session, "do_orm_execute")
def _executed(state) -> None:
    if not state.is_select:  # a change, or SQL text that may be one
        state.session.info[_WROTE] = True


@event.listens_for(db.session, "after_commit")
def _committed(session: Session) -> None:
    # What this request wrote may have changed the agreements: the stamp read with its
    # user no longer tells, so the next look reads it again.
    if session.info.pop(_WROTE, False) and has_request_context():
        g.pop(_NOTED, None)


@event.listens_for(db.session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WROTE, None)
