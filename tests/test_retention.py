"""Retention: old entries lose their personal data; counts, tallies and the audit chain stay."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from fieldlog.config import env_overrides
from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry, Tally
from fieldlog.services.review import record_review

from .apiclient import ApiClient
from .factories import entry_data
from .review_helpers import log

PERSONAL = ("author_id", "reviewer_id", "place", "lat", "lon", "notes", "review_comment")


def personal(entry_id: int) -> dict:
    db.session.commit()
    entry = db.session.get(Entry, entry_id, populate_existing=True)
    return {name: getattr(entry, name) for name in PERSONAL}


def tallies() -> dict:
    db.session.commit()
    return {
        (t.promise_id, t.span, t.day, t.municipality_id, t.place, t.measure): (
            t.counted,
            t.approved,
            t.pending,
            t.rejected,
        )
        for t in db.session.scalars(select(Tally))
    }


def runs() -> list[dict]:
    db.session.commit()
    stmt = select(AuditEvent.after).where(AuditEvent.action == "retention.applied")
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


@pytest.fixture
def entries(app, users):
    """Three entries of 2024 (approved, rejected with a reason, pending) and one of 2025."""
    app.config["FIELDLOG_TODAY"] = "2026-03-03"
    where = {"place": "Silvervägen 3", "lat": 66.05, "lon": 17.89, "notes": "Pratade med Kalle"}
    approved, rejected, pending = (
        log(users["officer"], started_at=f"2024-0{m}-05T10:00", **where)[0] for m in (3, 4, 6)
    )
    (recent,) = log(users["officer"], started_at="2025-03-04T10:00", **where)
    record_review(users["supervisor"], approved, "approve", None)
    record_review(users["supervisor"], rejected, "reject", "Fel plats, Kalle Svensson syns")
    record_review(users["supervisor"], recent, "approve", None)
    return {"approved": approved, "rejected": rejected, "pending": pending, "recent": recent}


def test_old_entries_lose_their_personal_data_and_nothing_counted_moves(runner, entries, users):
    before = tallies()
    result = runner.invoke(args=["retention", "--before", "2025-01-01"])
    assert result.exit_code == 0, result.output
    assert "removed the personal data of 3 entries that started before 2025-01-01" in result.output
    for name in ("approved", "rejected", "pending"):
        assert personal(entries[name]) == dict.fromkeys(PERSONAL), name
    kept = personal(entries["recent"])
    assert kept["author_id"] == users["officer"].id and kept["place"] == "Silvervägen 3"
    assert kept["notes"] == "Pratade med Kalle" and kept["lat"] == 66.05
    assert db.session.get(Entry, entries["approved"]).status == "approved"
    assert tallies() == before
    assert runner.invoke(args=["tally", "check"]).exit_code == 0
    assert runs() == [{"before": "2025-01-01", "timezone": "Europe/Stockholm", "entries": 3}]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    again = runner.invoke(args=["retention", "--before", "2025-01-01"])
    assert again.exit_code == 0 and "of 0 entries" in again.output
    assert len(runs()) == 2  # every run is recorded, also one that found nothing


def test_the_pages_and_exports_still_show_the_counted_entries_without_names(
    app, client, runner, entries, users
):
    assert runner.invoke(args=["retention", "--before", "2025-01-01"]).exit_code == 0
    api = ApiClient(app, client)
    rows = api.get("/api/v1/tallies?year=2024", users["coordinator"]).get_json()["tallies"]
    patrol = next(r for r in rows if r["promise"] == "arjeplog-fotpatrull")
    assert (patrol["approved"], patrol["rejected"], patrol["pending"]) == (1, 1, 1)
    export = api.get("/exports/entries.csv?year=2024", users["coordinator"])
    lines = list(
        csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert len(lines) == 3
    assert {(r["author"], r["place"], r["notes"], r["review_comment"]) for r in lines} == {
        ("", "", "", "")
    }
    own = api.get("/api/v1/entries", users["officer"]).get_json()["entries"]
    assert [e["entry_id"] for e in own] == [entries["recent"]]
    api.login("supervisor")
    queue = api.get("/review").get_data(as_text=True)
    assert "borttagen (gallring)" in queue  # the old pending entry still waits, nameless


def test_a_replay_of_a_removed_entry_is_a_conflict_and_stores_nothing(app, client, runner, users):
    app.config["FIELDLOG_TODAY"] = "2026-03-03"
    item = entry_data(started_at="2024-03-05T10:00", place="Torget", notes="x")
    api = ApiClient(app, client)
    (created,) = api.sync(users["officer"], item)
    assert runner.invoke(args=["retention", "--before", "2025-01-01"]).exit_code == 0
    before = tallies()
    (replayed,) = api.sync(users["officer"], item)
    assert replayed["status"] == "conflict" and "client_id" in replayed["errors"]
    assert personal(created["entry_id"])["place"] is None
    assert db.session.scalar(select(db.func.count()).select_from(Entry)) == 1
    assert tallies() == before


@pytest.mark.parametrize(
    ("before", "named"),
    [("2025-13-01", "--before"), ("5 januari", "--before"), ("2026-03-04", "after today")],
)
def test_a_bad_day_is_refused_and_nothing_changes(runner, entries, before, named):
    result = runner.invoke(args=["retention", "--before", before])
    assert result.exit_code == 1 and named in result.output
    assert personal(entries["approved"])["place"] == "Silvervägen 3"
    assert runs() == []


def test_without_a_day_the_configured_years_decide(app, runner, entries):
    # The default keeps three whole years before this one: 2023 onward on 3 March 2026.
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0 and "of 0 entries that started before 2023-01-01" in result.output
    app.config.update(env_overrides({"FIELDLOG_RETENTION_YEARS": "1"}))
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0 and "of 3 entries that started before 2025-01-01" in result.output
    app.config.update(env_overrides({"FIELDLOG_RETENTION_YEARS": "ett"}))
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 1 and "FIELDLOG_RETENTION_YEARS" in result.output
    assert len(runs()) == 2
