"""Whether an entry counts: one rule (rules.counting), its SQL twin, and what entries store."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest
from sqlalchemy import select, text

from fieldlog import rules
from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry, Promise
from fieldlog.services import bulk, tallies

from .apiclient import ApiClient
from .factories import entry_data

OBEKVAM = "arjeplog-trafikinsats-obekvam"


@pytest.fixture
def api(app, client, users):
    return ApiClient(app, client)


def counted_on_api(api, user, promise: str, year: int) -> int:
    rows = api.get(f"/api/v1/tallies?year={year}&municipality=2506", user).get_json()["tallies"]
    return next(r["counted"] for r in rows if r["promise"] == promise)


def test_midsummer_eve_counts_and_the_friday_before_national_day_does_not(api, users):
    """2026: National Day is a Saturday; midsummer eve is 19 June, not 5 June."""
    officer, supervisor = users["officer"], users["supervisor"]
    results = api.sync(
        officer,
        entry_data(OBEKVAM, "2026-06-19T10:00:00"),
        entry_data(OBEKVAM, "2026-06-05T10:00:00"),
    )
    ids = [r["entry_id"] for r in results]
    for entry_id in ids:
        review = api.post(
            f"/api/v1/entries/{entry_id}/review", supervisor, json={"decision": "approve"}
        )
        assert review.status_code == 200
    mine = {
        e["entry_id"]: e["counts"]
        for e in api.get("/api/v1/entries", officer).get_json()["entries"]
    }
    assert mine == {ids[0]: True, ids[1]: False}
    assert counted_on_api(api, users["coordinator"], OBEKVAM, 2026) == 1


def test_tally_rebuild_mends_what_entries_store_and_says_so(api, users, runner):
    officer = users["officer"]
    (result,) = api.sync(officer, entry_data(OBEKVAM, "2026-06-19T10:00:00"))
    api.post(
        f"/api/v1/entries/{result['entry_id']}/review",
        users["supervisor"],
        json={"decision": "approve"},
    )
    assert counted_on_api(api, users["coordinator"], OBEKVAM, 2026) == 1
    # As an entry stored under the old rule would be: midsummer eve judged an ordinary day.
    db.session.execute(
        text("UPDATE entry SET in_window = :no, year = 2025 WHERE id = :id"),
        {"no": False, "id": result["entry_id"]},
    )
    db.session.commit()
    assert runner.invoke(args=["tally", "check"]).exit_code == 1

    rebuilt = runner.invoke(args=["tally", "rebuild"])
    assert rebuilt.exit_code == 0
    assert "1 entry changed by the rules" in rebuilt.output
    db.session.expire_all()
    entry = db.session.get(Entry, result["entry_id"])
    assert (entry.in_window, entry.year) == (True, 2026)
    assert runner.invoke(args=["tally", "check"]).exit_code == 0
    assert counted_on_api(api, users["coordinator"], OBEKVAM, 2026) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tally.rebuilt"))
    assert event.after == {"entries_changed": 1} and event.actor_name == "cli"
    # A second rebuild finds nothing left to mend.
    assert "0 entries changed" in runner.invoke(args=["tally", "rebuild"]).output


def test_the_counting_rule_and_its_sql_twin_agree_on_random_entries(users):
    """Every combination of status and window, in random entries across promises and years."""
    rng = random.Random(2506)
    author = users["officer"]
    promises = db.session.scalars(select(Promise).where(Promise.activity_type_id.is_not(None)))
    home = {p.id: p.commitment.municipality_id for p in promises}
    promise_ids = sorted(home)
    statuses = ("pending", "approved", "rejected", "withdrawn")
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows = []
    for _ in range(400):
        started = start + dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        promise_id = rng.choice(promise_ids)
        rows.append(
            {
                "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "author_id": author.id,
                "promise_id": promise_id,
                "municipality_id": home[promise_id],
                "started_at": started,
                "day": rules.to_local(started).date(),
                "year": rules.to_local(started).year,
                "in_window": rng.random() < 0.5,
                "status": rng.choice(statuses),
                "content_hash": "0" * 64,
            }
        )
    bulk.insert_rows(Entry.__table__, rows)
    db.session.commit()
    stored = db.session.execute(select(Entry.id, Entry.status, Entry.in_window)).all()
    by_rule = {r.id for r in stored if rules.counts(r.status, r.in_window)}
    by_sql = set(db.session.scalars(select(Entry.id).where(tallies.counted_clause())))
    assert by_sql == by_rule and 0 < len(by_rule) < len(stored)
    not_counted = set(db.session.scalars(select(Entry.id).where(tallies.not_counted_clause())))
    assert not_counted == {
        r.id
        for r in stored
        if rules.why_not_counted(r.status, r.in_window) == rules.counting.OUTSIDE_WINDOW
    }
    # The tallies as the rule recounts them agree with the SQL twin's count.
    by_twin = dict.fromkeys(((p, y) for p in promise_ids for y in (2025, 2026)), 0)
    for r in db.session.execute(
        select(Entry.promise_id, Entry.year, db.func.count())
        .where(tallies.counted_clause())
        .group_by(Entry.promise_id, Entry.year)
    ):
        by_twin[(r[0], r[1])] = r[2]
    kept = dict.fromkeys(by_twin, 0)
    for (promise_id, span, day, _m, _place, measure), n in tallies.recount().items():
        if span == "day" and measure == "":
            kept[(promise_id, day.year)] += n["counted"]
    assert kept == by_twin and sum(kept.values()) == len(by_rule)


def test_the_why_of_not_counting():
    assert rules.why_not_counted("approved", True) is None
    assert rules.why_not_counted("approved", False) == "outside_window"
    for status in ("pending", "rejected", "withdrawn"):
        assert rules.why_not_counted(status, True) == "not_approved"
    noon = dt.datetime(2026, 6, 5, 10, 0, tzinfo=dt.UTC)
    assert rules.in_window(None, noon) is True
    assert rules.in_window("obekvam_tid", noon) is False
    with pytest.raises(ValueError):
        rules.in_window("nights", noon)


def test_set_based_inserts_write_every_column_of_the_model(users):
    """A column added to a model reaches the PostgreSQL path too: nothing is listed by hand."""
    table = Entry.__table__
    assert set(bulk.insertable_columns(table)) == {c.name for c in table.columns} - {"id"}
    row = bulk.complete_rows(table, [{"client_id": "x", "status": "pending"}])[0]
    assert set(row) == set(bulk.insertable_columns(table))
    assert row["officers"] == 1 and row["metrics"] == {} and row["version"] == 1
    with pytest.raises(KeyError, match="no_such_column"):
        bulk.complete_rows(table, [{"client_id": "x", "no_such_column": 1}])


def test_an_entry_synced_stores_every_column_it_was_given(api, users):
    (result,) = api.sync(
        users["officer"],
        entry_data(
            "arjeplog-fotpatrull",
            "2026-03-03T10:00:00",
            place="Torget",
            lat=66.05,
            lon=17.89,
            notes="n",
            officers=2,
            metrics={"contacts": 3},
        ),
    )
    entry = db.session.get(Entry, result["entry_id"])
    assert (entry.place, entry.lat, entry.lon, entry.notes, entry.officers, entry.metrics) == (
        "Torget",
        66.05,
        17.89,
        "n",
        2,
        {"contacts": 3},
    )
    assert (entry.year, entry.in_window, entry.status, entry.version) == (2026, True, "pending", 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "entry.created"))
    assert event.actor_id == users["officer"].id and event.address == "127.0.0.1"
