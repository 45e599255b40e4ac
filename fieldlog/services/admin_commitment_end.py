"""Ending a commitment early, or marking it superseded by a later one of the same municipality."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..inputs import is_reasonable_day
from ..models import Commitment, User
from . import audit
from .admin_commitments import entries_outside, scoped_commitment, snapshot
from .admin_problems import Problem, ProblemsError


def successors(commitment: Commitment) -> list[Commitment]:
    """The later commitments of the same municipality, which may supersede this one."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.municipality_id == commitment.municipality_id)
            .where(Commitment.valid_from > commitment.valid_from)
            .order_by(Commitment.valid_from)
        )
    )


def end(
    actor: User, commitment_id: int, last_day: dt.date | None, successor_id: int | None
) -> tuple[Commitment, int]:
    """End a commitment on ``last_day``, or the day before a successor starts; audited.

    The entries already logged against its promises keep their promise; how
    many now lie after the end is returned and recorded.
    """
    begin_write()
    commitment = scoped_commitment(actor, commitment_id)
    if commitment is None:
        db.session.rollback()
        raise LookupError(commitment_id)
    successor = None
    if successor_id:
        successor = next((c for c in successors(commitment) if c.id == successor_id), None)
        if successor is None:
            db.session.rollback()
            raise ProblemsError(
                [Problem("successor", _("är inget senare medborgarlöfte i kommunen."))]
            )
        last_day = successor.valid_from - dt.timedelta(days=1)
    problems = []
    if last_day is None:
        problems.append(Problem("last_day", _("ange ett slutdatum eller det löfte som ersätter.")))
    elif not is_reasonable_day(last_day):
        problems.append(Problem("last_day", _("måste vara ett datum mellan 1900 och 2199.")))
    elif last_day < commitment.valid_from:
        problems.append(Problem("last_day", _("får inte vara före startdatumet.")))
    elif last_day > commitment.valid_to and not commitment.until_superseded:
        problems.append(Problem("last_day", _("får inte vara efter nuvarande slutdatum.")))
    if problems:
        db.session.rollback()
        raise ProblemsError(problems)
    before = snapshot(commitment)
    commitment.valid_to = last_day
    commitment.until_superseded = False
    db.session.flush()
    outside = entries_outside(commitment)
    after = {**snapshot(commitment), "entries_outside_period": outside}
    if successor is not None:
        after["superseded_by"] = successor.key
    audit.record(
        "commitment.superseded" if successor else "commitment.ended",
        "commitment",
        commitment.id,
        before=before,
        after=after,
        police_area_id=commitment.municipality.police_area_id,
    )
    db.session.commit()
    return commitment, outside
