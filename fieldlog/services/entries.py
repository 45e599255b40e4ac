"""Entries: the idempotent set-based sync and withdrawal (the shapes shown: entry_shapes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..database import begin_write
from ..extensions import db
from ..models import Entry, User, utcnow
from . import audit, bulk
from .commitments import PromiseResolver
from .entry_shapes import entry_snapshot
from .tallies import TallyDelta
from .validation import (  # noqa: F401  (re-exported: callers import them from here)
    EDITABLE,
    CleanEntry,
    EntryError,
    content_hash,
    parse_time,
    validate_entry,
)


@dataclass
class SyncResult:
    """The answer for one entry of a batch (CONTRACT, POST /api/v1/entries)."""

    client_id: Any
    status: str
    entry_id: int | None = None
    version: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The result as the API answers it."""
        return {
            "client_id": self.client_id,
            "status": self.status,
            "entry_id": self.entry_id,
            "version": self.version,
            "errors": self.errors,
        }


def _insert_new(user: User, cleans: list[CleanEntry]) -> dict[str, int]:
    """Insert the entries with a new client_id in one statement; client_id → id of those stored."""
    if not cleans:
        return {}
    now = utcnow()
    # Rows in client_id order: two batches sharing client_ids then lock them in the same
    # order on PostgreSQL and cannot deadlock.
    rows = [
        {
            **c.columns(),
            "client_id": c.client_id,
            "author_id": user.id,
            "status": "pending",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for c in sorted(cleans, key=lambda c: c.client_id)
    ]
    result = bulk.insert_rows(
        Entry.__table__, rows, skip_conflicts_on="client_id", returning=("client_id", "id")
    )
    return {row.client_id: row.id for row in result}


def _audit_created(user: User, cleans: list[CleanEntry], created: dict[str, int]) -> None:
    """One audit event per new entry, in one multi-row insert."""
    now = utcnow()
    audit.record_rows(
        [
            audit.event_row(
                "entry.created",
                "entry",
                created[c.client_id],
                after={
                    "client_id": c.client_id,
                    "promise": c.promise.key,
                    "started_at": c.started_at.isoformat(),
                },
                actor=user,
                police_area_id=c.municipality.police_area_id,
                at=now,
            )
            for c in cleans
            if c.client_id in created
        ]
    )


def _conflict(clean: CleanEntry, entry: Any, field_name: str, reason: str) -> SyncResult:
    if entry is None:
        return SyncResult(clean.sent_id, "conflict", errors={field_name: reason})
    return SyncResult(clean.sent_id, "conflict", entry.id, entry.version, {field_name: reason})


@dataclass
class StoredState:
    """What a replay or an edit is judged by: the stored entry's owner, content and state."""

    id: int
    author_id: int
    content_hash: str
    status: str
    version: int


def _stored_states(client_ids: set[str]) -> dict[str, StoredState]:
    """The states of the stored entries with these client_ids, in one light query."""
    rows = db.session.execute(
        select(
            Entry.client_id, Entry.id, Entry.author_id, Entry.content_hash, Entry.status,
            Entry.version,
        ).where(Entry.client_id.in_(client_ids))
    )  # fmt: skip
    return {r.client_id: StoredState(*r[1:]) for r in rows}


def _apply_change(
    user: User, clean: CleanEntry, state: StoredState, delta: TallyDelta
) -> SyncResult:
    """A replay or an edit of a stored entry: duplicate, updated or conflict."""
    if state.author_id != user.id:
        # Say nothing of the other user's entry, not even its id.
        return _conflict(clean, None, "client_id", _("Posten tillhör en annan användare."))
    if state.content_hash == clean.content_hash:
        return SyncResult(clean.sent_id, "duplicate", state.id, state.version)
    if state.status not in EDITABLE:
        if state.status == "approved":
            reason = _("Posten är redan godkänd och kan inte ändras.")
            return _conflict(clean, state, "status", reason)
        return _conflict(clean, state, "status", _("Posten är återkallad."))
    if clean.base_version is None:
        return _conflict(clean, state, "base_version", _("En ändring måste ange base_version."))
    if clean.base_version != state.version:
        reason = _("Posten har ändrats sedan (version %(v)d).", v=state.version)
        return _conflict(clean, state, "base_version", reason)
    return _edit(user, clean, state, delta)


def _edit(user: User, clean: CleanEntry, state: StoredState, delta: TallyDelta) -> SyncResult:
    """Store the new content of an editable entry, in a savepoint; its tallies move with it."""
    # Locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already excludes other writers), so that
    # the counts taken off below are those of the row the UPDATE changes, even when a review
    # or another edit committed since the state was read.
    entry = db.session.get(Entry, state.id, with_for_update=True, populate_existing=True)
    if entry.content_hash == clean.content_hash:
        # Stored meanwhile by the same edit: the request whose answer the phone lost,
        # still running when its retry read the state. A replay, not a conflict.
        state.content_hash, state.status, state.version = (
            entry.content_hash,
            entry.status,
            entry.version,
        )
        return SyncResult(clean.sent_id, "duplicate", entry.id, entry.version)
    if entry.status not in EDITABLE or entry.version != clean.base_version:
        state.content_hash, state.status = entry.content_hash, entry.status
        state.version = entry.version
        return _conflict(clean, state, "base_version", _("Posten har ändrats sedan."))
    before = entry_snapshot(entry)
    with db.session.begin_nested():
        result = db.session.execute(
            update(Entry)
            .where(
                Entry.id == entry.id,
                Entry.version == clean.base_version,
                Entry.status.in_(EDITABLE),
            )
            .values(
                **clean.columns(),
                status="pending",
                version=Entry.version + 1,
                updated_at=utcnow(),
                reviewer_id=None,
                reviewed_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return _conflict(clean, state, "base_version", _("Posten har ändrats sedan."))
        delta.entry(entry, sign=-1)
        db.session.refresh(entry)
        delta.entry(entry)
        audit.record(
            # A rejected entry corrected and sent again is a resend, logged as what it is.
            "entry.resent" if before["status"] == "rejected" else "entry.edited",
            "entry",
            entry.id,
            before=before,
            after=entry_snapshot(entry),
            actor=user,
            police_area_id=clean.municipality.police_area_id,
        )
    # The same client_id later in this batch is judged against what is stored now.
    state.content_hash, state.status = entry.content_hash, entry.status
    state.version = entry.version
    return SyncResult(clean.sent_id, "updated", entry.id, entry.version)


def sync_entries(user: User, items: list[Any], now: dt.datetime | None = None) -> list[SyncResult]:
    """Store a batch of entries from a phone idempotently; one result per entry, in order.

    Validates every entry first, inserts the new ones in one statement that
    leaves existing client_ids alone, then handles replays and edits one by one.
    Tallies and the audit log change in the same transaction.
    """
    begin_write()
    resolver = PromiseResolver(user)
    results: list[SyncResult | None] = [None] * len(items)
    cleans: dict[int, CleanEntry] = {}
    first_of: dict[str, int] = {}  # client_id → index of its first valid occurrence
    for i, raw in enumerate(items):
        clean, errors = validate_entry(raw, resolver, now)
        if errors:
            sent_id = raw.get("client_id") if isinstance(raw, dict) else None
            results[i] = SyncResult(sent_id, "invalid", errors=errors)
        else:
            cleans[i] = clean
            first_of.setdefault(clean.client_id, i)

    firsts = [cleans[i] for i in sorted(first_of.values())]
    created = _insert_new(user, firsts)
    delta = TallyDelta()
    for clean in firsts:
        if clean.client_id in created:
            delta.entry(
                SimpleNamespace(**clean.columns(), status="pending"), places=clean.promise.places
            )
    _audit_created(user, firsts, created)

    def is_new(i: int) -> bool:
        return first_of[cleans[i].client_id] == i and cleans[i].client_id in created

    # Replays, edits and repeats within the batch: read the stored rows, then one by one.
    others = {cleans[i].client_id for i in cleans if not is_new(i)}
    stored = _stored_states(others) if others else {}
    # In client_id order (and in batch order within one client_id), so that two batches
    # lock the entries they edit in the same order and cannot deadlock.
    for i in sorted(cleans, key=lambda i: (cleans[i].client_id, i)):
        clean = cleans[i]
        if is_new(i):
            results[i] = SyncResult(clean.sent_id, "created", created[clean.client_id], 1)
        else:
            results[i] = _apply_change(user, clean, stored[clean.client_id], delta)
    delta.apply()
    db.session.commit()
    return results


def withdraw_entry(user: User, entry_id: int) -> Entry:
    """An officer takes back a pending entry of their own; it no longer counts anywhere."""
    begin_write()
    entry = db.session.get(Entry, entry_id, with_for_update=True, populate_existing=True)
    if entry is None or entry.author_id != user.id:
        raise EntryError(_("Okänd post."), 404)
    if entry.status != "pending":
        raise EntryError(_("Bara en post som väntar på granskning kan återkallas."), 409)
    before = entry_snapshot(entry)
    result = db.session.execute(
        update(Entry)
        .where(Entry.id == entry.id, Entry.status == "pending")
        .values(status="withdrawn", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise EntryError(_("Posten har granskats under tiden."), 409)
    delta = TallyDelta()
    delta.entry(entry, sign=-1)  # as it stood: the UPDATE left the loaded entry pending
    delta.apply()
    db.session.refresh(entry)
    after = entry_snapshot(entry)
    audit.record("entry.withdrawn", "entry", entry.id, before=before, after=after, actor=user)
    db.session.commit()
    return entry
