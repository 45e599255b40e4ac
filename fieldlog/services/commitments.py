"""Finding commitments and promises: the one in force, a police area's municipalities."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..inputs import is_municipality_code
from ..models import Commitment, Municipality, Promise, User
from ..rules import commitment_in_force, in_force_during_year
from . import scope


def municipality_by_code(code: str) -> Municipality | None:
    """The municipality with a four-digit code, or None (also for anything that is no code)."""
    if not is_municipality_code(code):
        return None
    return db.session.scalar(select(Municipality).where(Municipality.code == code))


def active_commitment(municipality: Municipality, day: dt.date) -> Commitment | None:
    """The commitment in force in a municipality on a day (rule 1), with its promises loaded."""
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.municipality_id == municipality.id)
        .options(selectinload(Commitment.promises).selectinload(Promise.activity_type))
    ).all()
    return commitment_in_force(commitments, day)


def commitments_during_year_for(municipalities: list[Municipality], year: int) -> dict[int, list]:
    """Municipality id → its commitments in force on some day of ``year``, in one query."""
    ids = [m.id for m in municipalities]
    loaded = db.session.scalars(
        select(Commitment)
        .where(Commitment.municipality_id.in_(ids))
        .options(selectinload(Commitment.promises).selectinload(Promise.activity_type))
    ).all()
    return {
        mid: in_force_during_year([c for c in loaded if c.municipality_id == mid], year)
        for mid in ids
    }


def commitments_during_year(municipality: Municipality, year: int) -> list[Commitment]:
    """The commitments of a municipality in force on some day of ``year``, oldest first."""
    return commitments_during_year_for([municipality], year)[municipality.id]


class PromiseResolver:
    """Resolves a promise for an entry in the municipalities a user may see, loaded once."""

    def __init__(self, user: User) -> None:
        self.user = user
        stmt = (
            select(Municipality)
            .where(scope.municipality_clause(user))
            .options(
                selectinload(Municipality.commitments)
                .selectinload(Commitment.promises)
                .selectinload(Promise.activity_type)
            )
        )
        self.municipalities = {m.code: m for m in db.session.scalars(stmt)}
        self.promises_by_key = {
            p.key: (m, c, p)
            for m in self.municipalities.values()
            for c in m.commitments
            for p in c.promises
        }

    def by_key(self, key: str, day: dt.date) -> tuple[Promise | None, str | None]:
        """The promise with ``key`` if its commitment is in force on ``day``; else a reason."""
        found = self.promises_by_key.get(key)
        if found is None:
            return None, "unknown"
        municipality, commitment, promise = found
        if commitment_in_force(municipality.commitments, day) is not commitment:
            return None, "not_in_force"
        if promise.activity_type is None:
            return None, "not_countable"
        if not scope.may_log(self.user, promise):
            return None, "not_yours"
        return promise, None

    def by_activity(
        self, code: str, activity: str, day: dt.date
    ) -> tuple[Promise | None, str | None]:
        """The one promise with that activity in force on ``day``; else a reason."""
        municipality = self.municipalities.get(code)
        if municipality is None:
            return None, "unknown_municipality"
        commitment = commitment_in_force(municipality.commitments, day)
        if commitment is None:
            return None, "not_in_force"
        matches = [
            p
            for p in commitment.promises
            if p.activity_type and p.activity_type.code == activity and scope.may_log(self.user, p)
        ]
        if len(matches) != 1:
            return None, "no_match" if not matches else "ambiguous"
        return matches[0], None
