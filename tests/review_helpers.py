"""Helpers shared by the review and audit tests."""

from __future__ import annotations

from flask import current_app

from fieldlog.extensions import db
from fieldlog.models import Entry
from fieldlog.services import tallies
from fieldlog.services.entries import sync_entries

from .factories import csrf_from, entry_data


def log(user, n: int = 1, **fields) -> list[int]:
    """Entries logged by ``user`` through the sync service; their ids."""
    with current_app.test_request_context():
        results = sync_entries(user, [entry_data(**fields) for _ in range(n)])
    assert all(r.status == "created" for r in results), [r.errors for r in results]
    return [r.entry_id for r in results]


def status_of(entry_id: int) -> str:
    """The stored status of an entry, read afresh."""
    db.session.commit()  # end any read snapshot, see what others committed
    return db.session.get(Entry, entry_id).status


def tally(promise_key: str, year: int) -> dict[str, int]:
    """The kept tally of a promise and year (zeros when none)."""
    from sqlalchemy import select

    from fieldlog.models import Promise

    db.session.commit()  # end any read snapshot, see what others committed
    pid = db.session.scalar(select(Promise.id).where(Promise.key == promise_key))
    return tallies.tally_for([pid], year)[pid]


def post_review(client, data: dict, query: str = ""):
    """Submit the review form with the page's CSRF token."""
    token = csrf_from(client.get("/review"))
    return client.post("/review" + query, data={"csrf_token": token, **data})
