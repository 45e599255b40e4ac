"""The audit log's hash chain: how an event is hashed onto the one before it, and the check.

Each event stores ``prev_hash``, the hash of the event before it in id order
(``GENESIS`` for the first), and ``hash``, the SHA-256 of its own columns and
``prev_hash`` in a canonical JSON form. Changing an event breaks its own hash;
removing one breaks the link of the next. Events are hashed when they are
written (services/audit.py: in Python, or in SQL from :func:`hash_parts` for an
event written alone) and by migration 0003 for those made before it.

A chain alone cannot tell a removed last event, nor a chain rewritten from some
event onward by someone able to write the table; comparing with a head kept
elsewhere (``verify(anchor=…)``, printed by ``audit verify`` and ``backup``) can.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..canonical import canonical_json
from ..extensions import db
from ..inputs import record_id
from ..models import AuditEvent

GENESIS = "0" * 64
HASHED = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "police_area_id",
    "before",
    "after",
    "address",
    "prev_hash",
)
# The columns that place an event in the chain, known only when it is written: an integer
# and a 64-hex string, both top-level, in this order among the sorted keys.
CHAINED = ("id", "prev_hash")
_UNCHAINED = tuple(name for name in HASHED if name not in CHAINED)


def _utc_text(moment: dt.datetime) -> str:
    """A stored time as hashed: naive UTC to the microsecond (naive input is taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def _hashed_values(row: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The columns ``names`` of an event as they are hashed (``at`` as :func:`_utc_text`)."""
    values = {name: row[name] for name in names}
    values["at"] = _utc_text(row["at"])
    return values


def hash_parts(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """The canonical text of an event but for its place in the chain: ``(head, middle, tail)``.

    The text hashed is ``head + str(id) + middle + prev_hash + tail``: the columns of
    ``HASHED`` as one JSON object, keys sorted, as ``json.dumps`` writes it. The keys on
    either side of ``id`` and ``prev_hash`` are written as objects of their own and joined
    (so nothing in ``before`` or ``after`` can be taken for a place to cut). ``id`` and
    ``prev_hash`` are not read from ``row``: a writer that learns them only in SQL
    (services/audit.py) joins the parts there.
    """
    values = _hashed_values(row, _UNCHAINED)
    before, between, after = (_members(values, names) for names in _AROUND_CHAINED)
    return (
        "{" + before + ("," if before else "") + '"id":',
        ("," + between if between else "") + ',"prev_hash":"',
        '"' + ("," + after if after else "") + "}",
    )


def _members(values: Mapping[str, Any], names: list[str]) -> str:
    """The members of a JSON object of ``names`` from ``values``, without its braces."""
    if not names:
        return ""
    return canonical_json({name: values[name] for name in names})[1:-1]


# The sorted keys before "id", between "id" and "prev_hash", and after "prev_hash".
_KEYS = sorted(HASHED)
_AROUND_CHAINED = (
    _KEYS[: _KEYS.index("id")],
    _KEYS[_KEYS.index("id") + 1 : _KEYS.index("prev_hash")],
    _KEYS[_KEYS.index("prev_hash") + 1 :],
)


def event_hash(row: Mapping[str, Any]) -> str:
    """The hash of one event: its columns (``HASHED``) in canonical JSON, SHA-256 in hex.

    Where the id and prev_hash are known, the whole text is written at once; it equals
    the text :func:`hash_parts` joins around them (tests/test_audit_append.py holds both
    to the original definition).
    """
    values = _hashed_values(row, HASHED)
    return hashlib.sha256(canonical_json(values).encode()).hexdigest()


@dataclass
class ChainReport:
    """What a walk along the chain found: how far it got, and the first break if any."""

    events: int = 0
    last_id: int | None = None
    last_hash: str | None = None
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        """Whether no break was found."""
        return self.broken_at is None


def parse_anchor(text: str) -> tuple[int, str] | None:
    """``ID:HASH`` as printed by ``audit verify``; None when it is not of that form."""
    ident, _, digest = text.partition(":")
    digest = digest.strip().lower()
    number = record_id(ident.strip())
    if number is None or len(digest) != 64:
        return None
    if any(c not in "0123456789abcdef" for c in digest):
        return None
    return number, digest


def verify(anchor: tuple[int, str] | None = None, batch: int = 2000) -> ChainReport:
    """Walk every event in id order and recompute the chain; stop at the first break.

    With ``anchor`` (an event id and the hash it had when someone wrote it
    down), that event must still be there with that hash.
    """
    table = AuditEvent.__table__
    stmt = select(table).order_by(table.c.id).execution_options(yield_per=batch)
    result = db.session.execute(stmt)
    try:
        return _walk(result.mappings(), anchor)
    finally:
        result.close()  # a walk that stops at a break leaves the rest of the cursor unread


def _walk(rows, anchor: tuple[int, str] | None) -> ChainReport:
    report = ChainReport()
    previous, previous_id, anchor_seen = GENESIS, None, False
    for row in rows:
        event = row["id"]
        if row["prev_hash"] != previous:
            after = f"event {previous_id}" if previous_id is not None else "the start of the log"
            return _broken(
                report, event, f"audit event {event} does not follow {after}: an event between "
                f"them was removed, or {after} was rewritten",
            )  # fmt: skip
        if row["hash"] != event_hash(row):
            problem = f"audit event {event} was changed: it no longer matches its hash"
            return _broken(report, event, problem)
        if anchor and event == anchor[0]:
            anchor_seen = True
            if row["hash"] != anchor[1]:
                return _broken(
                    report, event, f"audit event {event} is not the one anchored: the log was "
                    "rewritten from it onward",
                )  # fmt: skip
        previous, previous_id = row["hash"], event
        report.events += 1
        report.last_id, report.last_hash = event, previous
    if anchor and not anchor_seen:
        return _broken(
            report, anchor[0], f"audit event {anchor[0]} (anchored) is missing: it was removed "
            "or the log was cut short",
        )  # fmt: skip
    return report


def _broken(report: ChainReport, event_id: int, problem: str) -> ChainReport:
    report.broken_at, report.problem = event_id, problem
    return report
