"""Finding commitments and promises: those in force (rule 1 per slot), a municipality by code,
and the promise an entry belongs to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..inputs import is_municipality_code
from ..models import Commitment, Municipality, Promise, User
from ..rules.counting import OBEKVAM_TID
from ..rules.in_force import (
    commitment_in_force,
    in_force_in_slots,
    in_force_in_slots_during_year,
    slot_of,
)
from . import catalogue, scope


def municipality_by_code(code: str) -> Municipality | None:
    """The municipality with a four-digit code, or None (also for anything that is no code),
    from the process's catalogue: no statement, a read-only object (compare it by id)."""
    if not is_municipality_code(code):
        return None
    return catalogue.current().municipalities.get(code)


def commitments_naming(municipality_ids: list[int]) -> dict[int, list[Commitment]]:
    """Municipality id → every commitment covering it (joint ones included), oldest first,
    with their promises, targets and municipalities, from the process's catalogue (read-only
    objects: compare them by id)."""
    held = catalogue.current()
    return {mid: list(held.covering(mid)) for mid in municipality_ids}


def agreements_in_force(municipality: Municipality, day: dt.date) -> list[Commitment]:
    """Every commitment in force in a municipality on a day: the whole-area one (its own or
    a joint one) first, then districts by name (rule 1 per slot)."""
    return in_force_in_slots(commitments_naming([municipality.id])[municipality.id], day)


def active_commitment(municipality: Municipality, day: dt.date) -> Commitment | None:
    """The whole-area commitment in force in a municipality on a day, or None."""
    found = agreements_in_force(municipality, day)
    return found[0] if found and slot_of(found[0]) == "" else None


def commitments_during_year_for(municipalities: list[Municipality], year: int) -> dict[int, list]:
    """Municipality id → its commitments in force on some day of ``year`` in any slot."""
    naming = commitments_naming([m.id for m in municipalities])
    return {mid: in_force_in_slots_during_year(cs, year) for mid, cs in naming.items()}


def commitments_during_year(municipality: Municipality, year: int) -> list[Commitment]:
    """The commitments of a municipality in force on some day of ``year``, oldest first."""
    return commitments_during_year_for([municipality], year)[municipality.id]


class InForce:
    """Whether one commitment is in force on a day, in at least one municipality it covers
    (rule 1 per slot; a joint agreement may be superseded in one municipality only).

    ``covering(municipality_id)`` gives every commitment covering a municipality (the
    catalogue's ``covering``): asked for each municipality the commitment covers, so that
    whether a joint agreement is in force never depends on which municipalities a
    request names (CONTRACT.md, Version 2, "Rules, amended" 2)."""

    def __init__(
        self, commitment: Commitment, covering: Callable[[int], Iterable[Commitment]]
    ) -> None:
        slot = slot_of(commitment)
        self.commitment = commitment
        self._days: dict[dt.date, bool] = {}
        self._on: dict[tuple[int, dt.date], bool] = {}
        self.slots = {
            m.id: sorted(
                (c for c in covering(m.id) if slot_of(c) == slot),
                key=lambda c: c.valid_from,
            )
            for m in commitment.municipalities
        }

    def in_municipality(self, municipality_id: int, day: dt.date) -> bool:
        """In force in that municipality's slot on ``day``."""
        slot = self.slots.get(municipality_id)
        found = commitment_in_force(slot, day) if slot is not None else None
        return found is not None and found.id == self.commitment.id

    def on(self, municipality_id: int, day: dt.date) -> bool:
        """:meth:`in_municipality`, remembered (a batch asks about the same days again)."""
        key = (municipality_id, day)
        if key not in self._on:
            self._on[key] = self.in_municipality(municipality_id, day)
        return self._on[key]

    def __call__(self, day: dt.date) -> bool:
        if day not in self._days:
            self._days[day] = any(self.in_municipality(mid, day) for mid in self.slots)
        return self._days[day]


@dataclass
class Resolved:
    """The promise an entry belongs to and the municipality it was done in; or why not, and
    which field of the entry to name."""

    promise: Promise | None = None
    municipality: Municipality | None = None
    reason: str | None = None
    field: str = "promise"


class PromiseResolver:
    """Resolves the promise and municipality of an entry among those ``user`` may log.

    Looks promises up by key, or by municipality and activity, in the process's
    catalogue (services/catalogue.py), taken once when the resolver is made: no
    statement per entry.
    """

    def __init__(self, user: User) -> None:
        self.user = user
        self.catalogue = catalogue.current()
        self._in_forces: dict[int, InForce] = {}
        self._by_key: dict[tuple[str, str | None], tuple[Resolved, InForce | None]] = {}

    def _promise(self, key: str) -> Promise | None:
        return self.catalogue.promises.get(key)

    def _municipality(self, code: str) -> Municipality | None:
        found = self.catalogue.municipalities.get(code)
        if found is not None and not scope.may_see_municipality(self.user, found):
            return None
        return found

    def _commitments_of(self, municipality: Municipality) -> list[Commitment]:
        return self.catalogue.covering(municipality.id)

    def _in_force(self, commitment: Commitment) -> InForce:
        """Whether ``commitment`` is in force, in each municipality it covers: made once per
        commitment (a batch asks about the same few again and again)."""
        if commitment.id not in self._in_forces:
            self._in_forces[commitment.id] = InForce(commitment, self.catalogue.covering)
        return self._in_forces[commitment.id]

    def known_key(self, key: str) -> bool:
        """Whether a promise with ``key`` exists where the user may see it."""
        promise = self._promise(key)
        return promise is not None and any(
            scope.may_see_municipality(self.user, m) for m in promise.commitment.municipalities
        )

    def by_key(self, key: str, day: dt.date, code: str | None = None) -> Resolved:
        """The promise with ``key`` if its commitment is in force on ``day`` in the
        municipality named by ``code`` (needed for a joint agreement; else its own)."""
        if (key, code) not in self._by_key:  # what does not depend on the day, once a batch
            self._by_key[key, code] = self._by_key_any_day(key, code)
        found, in_force = self._by_key[key, code]
        if in_force is None:
            return found
        if not in_force.on(found.municipality.id, day):
            return Resolved(reason="not_in_force")
        return found

    def _by_key_any_day(self, key: str, code: str | None) -> tuple[Resolved, InForce | None]:
        """:meth:`by_key` but for the day: the answer, and what judges the day (None: the
        answer stands whatever the day). The refusals come in the order a user reads them:
        unknown promise, municipality, not in force, not countable, not the user's."""
        promise = self._promise(key)
        if promise is None or not self.known_key(key):
            return Resolved(reason="unknown"), None
        commitment = promise.commitment
        if code is None:
            if commitment.joint:
                return Resolved(reason="municipality_needed", field="municipality"), None
            municipality = commitment.municipality
        else:
            municipality = self._municipality(code)
            if municipality is None:
                return Resolved(reason="unknown_municipality", field="municipality"), None
            if municipality.id not in {m.id for m in commitment.municipalities}:
                return Resolved(reason="other_municipality", field="municipality"), None
        if not scope.may_see_municipality(self.user, municipality):
            return Resolved(reason="unknown"), None
        in_force = self._in_force(commitment)
        if promise.activity_type is None:
            return Resolved(municipality=municipality, reason="not_countable"), in_force
        if not scope.may_log(self.user, promise):
            return Resolved(municipality=municipality, reason="not_yours"), in_force
        return Resolved(promise, municipality), in_force

    def time_rule(self, code: str | None):
        """What a promise's ``time_rule`` is judged by (``rules.in_window``): None,
        ``obekvam_tid``, or the catalogue's window of that code.

        Raises ValueError for an unknown code."""
        if code is None or code == OBEKVAM_TID:
            return code
        if code not in self.catalogue.windows:
            raise ValueError(f"unknown time rule {code!r}")
        return self.catalogue.windows[code]

    def by_activity(self, code: str, activity: str, day: dt.date) -> Resolved:
        """The one promise with that activity the user may log in the municipality on
        ``day``, among every agreement in force there (districts, a joint one)."""
        municipality = self._municipality(code)
        if municipality is None:
            return Resolved(reason="unknown_municipality", field="municipality")
        in_force = in_force_in_slots(self._commitments_of(municipality), day)
        if not in_force:
            return Resolved(reason="not_in_force", field="activity")
        matches = [
            p
            for c in in_force
            for p in c.promises
            if p.activity_type and p.activity_type.code == activity and scope.may_log(self.user, p)
        ]
        if not matches:
            return Resolved(reason="no_match", field="activity")
        if len(matches) > 1:
            return Resolved(reason="ambiguous", field="promise")
        return Resolved(matches[0], municipality)
