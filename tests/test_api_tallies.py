"""GET /api/v1/tallies, the review endpoint, and tallies kept with every change."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from fieldlog.extensions import db
from fieldlog.models import Entry, Promise, Tally
from fieldlog.services import tallies
from fieldlog.services.entries import withdraw_entry

from . import factories
from .apiclient import ApiClient


@pytest.fixture
def api(app, client):
    return ApiClient(app, client)


def row(api, user, promise: str, year: int, municipality: str = "2506") -> dict:
    """The tallies API's row of one promise."""
    response = api.get(f"/api/v1/tallies?year={year}&municipality={municipality}", user)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["year"] == year
    return next(r for r in body["tallies"] if r["promise"] == promise)


def counts(api, user, promise: str, year: int) -> tuple[int, int, int, int]:
    r = row(api, user, promise, year)
    return r["counted"], r["approved"], r["pending"], r["rejected"]


def review(api, supervisor, entry_id: int, decision: str, comment: str | None = None):
    body = {"decision": decision, "comment": comment}
    return api.post(f"/api/v1/entries/{entry_id}/review", supervisor, json=body)


def test_the_local_year_rule_through_the_api(api, users):
    coordinator = users["coordinator"]
    results = api.sync(
        users["officer"],
        # Local time, no offset: 00:30 on New Year's Day is still 2023 in UTC; it counts in 2024.
        factories.entry_data(started_at="2024-01-01T00:30:00"),
        # 23:30 UTC on New Year's Eve is already 00:30 in Sweden: 2024 too.
        factories.entry_data(started_at="2023-12-31T23:30:00Z"),
        # 22:30 UTC is still 23:30 local on New Year's Eve: 2023.
        factories.entry_data(started_at="2023-12-31T22:30:00Z"),
    )
    assert [r["status"] for r in results] == ["created"] * 3
    assert counts(api, coordinator, "arjeplog-fotpatrull", 2024) == (0, 0, 2, 0)
    assert counts(api, coordinator, "arjeplog-fotpatrull", 2023) == (0, 0, 1, 0)


def test_one_row_per_countable_promise_with_status(api, users):
    body = api.get("/api/v1/tallies?year=2024", users["coordinator"]).get_json()
    promises = {r["promise"] for r in body["tallies"]}
    assert "arjeplog-fotpatrull" in promises and "alvsbyn23-hundsok" in promises
    assert "arjeplog-vald-nara-relation" not in promises  # followed up in words
    assert not any(p.startswith("arboga") for p in promises)  # another police area
    patrol = next(r for r in body["tallies"] if r["promise"] == "arjeplog-fotpatrull")
    assert patrol["status"] == "missed" and patrol["yearly_target"] == 5
    assert patrol["municipality"] == "2506" and patrol["commitment"] == "arjeplog-2023-2024"
    everyone = api.get("/api/v1/tallies?year=2024", users["admin"]).get_json()["tallies"]
    assert any(r["promise"].startswith("arboga") for r in everyone)


@pytest.mark.parametrize(
    "query, who, status",
    [
        ("?year=2024", "officer", 403),
        ("?year=last", "coordinator", 400),
        ("?year=1066", "coordinator", 400),
        ("?year=2024&municipality=1984", "coordinator", 403),
        ("?year=2024&municipality=0000", "coordinator", 404),
    ],
)
def test_tallies_errors(api, users, query, who, status):
    response = api.get(f"/api/v1/tallies{query}", users[who])
    assert response.status_code == status and response.get_json()["error"]


def test_review_moves_the_counts_and_respects_the_time_rule(api, users):
    officer, supervisor, coordinator = users["officer"], users["supervisor"], users["coordinator"]
    weekday, saturday, rejected = api.sync(
        officer,
        factories.entry_data(
            "arjeplog-trafikinsats-obekvam", "2024-05-08T12:00"
        ),  # a Wednesday noon
        factories.entry_data("arjeplog-trafikinsats-obekvam", "2024-05-11T12:00"),  # a Saturday
        factories.entry_data("arjeplog-trafikinsats-obekvam", "2024-05-11T13:00"),
    )
    assert counts(api, coordinator, "arjeplog-trafikinsats-obekvam", 2024) == (0, 0, 3, 0)
    assert review(api, supervisor, weekday["entry_id"], "approve").status_code == 200
    assert review(api, supervisor, saturday["entry_id"], "approve").status_code == 200
    assert review(api, supervisor, rejected["entry_id"], "reject", "Dubblett").status_code == 200
    # Approved at noon on a Wednesday does not count for a promise of inconvenient hours.
    assert counts(api, coordinator, "arjeplog-trafikinsats-obekvam", 2024) == (1, 2, 0, 1)
    assert tallies.check() == []


def test_review_errors(api, users):
    officer, supervisor = users["officer"], users["supervisor"]
    own = api.sync(supervisor, factories.entry_data())[0]["entry_id"]
    theirs = api.sync(officer, factories.entry_data())[0]["entry_id"]
    assert review(api, supervisor, own, "approve").status_code == 403  # never one's own
    assert review(api, officer, theirs, "approve").status_code == 403
    assert review(api, users["other_supervisor"], theirs, "approve").status_code == 404
    assert review(api, supervisor, 999_999, "approve").status_code == 404
    assert review(api, supervisor, theirs, "reject").status_code == 422  # needs a comment
    assert review(api, supervisor, theirs, "maybe").status_code == 422
    bad = api.post(
        f"/api/v1/entries/{theirs}/review", supervisor, data="x", content_type="text/plain"
    )
    assert bad.status_code == 400
    assert review(api, supervisor, theirs, "approve").status_code == 200
    again = review(api, supervisor, theirs, "reject", "Ångrar mig")
    assert again.status_code == 409 and again.get_json()["error"]


def test_an_edit_moving_an_entry_to_another_year_or_promise_moves_the_counts(api, users):
    officer, coordinator = users["officer"], users["coordinator"]
    entry = factories.entry_data(started_at="2024-12-31T23:30:00")
    api.sync(officer, entry)
    assert counts(api, coordinator, "arjeplog-fotpatrull", 2024) == (0, 0, 1, 0)
    moved = {**entry, "started_at": "2023-12-31T23:30:00", "base_version": 1}
    assert api.sync(officer, moved)[0]["status"] == "updated"
    assert counts(api, coordinator, "arjeplog-fotpatrull", 2024) == (0, 0, 0, 0)
    assert counts(api, coordinator, "arjeplog-fotpatrull", 2023) == (0, 0, 1, 0)
    other = {**moved, "promise": "arjeplog-trafikkontroll", "base_version": 2}
    assert api.sync(officer, other)[0]["status"] == "updated"
    assert counts(api, coordinator, "arjeplog-fotpatrull", 2023) == (0, 0, 0, 0)
    assert counts(api, coordinator, "arjeplog-trafikkontroll", 2023) == (0, 0, 1, 0)
    assert tallies.check() == []


def test_a_withdrawn_entry_leaves_the_counts(api, users):
    officer = users["officer"]
    entry_id = api.sync(officer, factories.entry_data(started_at="2024-04-04T10:00"))[0]["entry_id"]
    withdraw_entry(officer, entry_id)
    assert counts(api, users["coordinator"], "arjeplog-fotpatrull", 2024) == (0, 0, 0, 0)
    assert api.get("/api/v1/entries", officer).get_json()["entries"] == []
    assert tallies.check() == []


def test_tally_check_finds_a_broken_count_and_rebuild_repairs_it(api, users, runner):
    officer, supervisor = users["officer"], users["supervisor"]
    results = api.sync(
        officer, *(factories.entry_data(started_at=f"2024-06-0{d}T10:00") for d in (3, 4, 5))
    )
    review(api, supervisor, results[0]["entry_id"], "approve")
    check = runner.invoke(args=["tally", "check"])
    assert check.exit_code == 0, check.output
    patrol = db.session.scalar(select(Promise.id).where(Promise.key == "arjeplog-fotpatrull"))
    june_4 = (Tally.promise_id == patrol) & (Tally.day == dt.date(2024, 6, 4))
    db.session.execute(update(Tally).where(june_4, Tally.measure == "").values(pending=40))
    db.session.commit()
    broken = runner.invoke(args=["tally", "check"])
    assert broken.exit_code == 1 and f"promise {patrol} year 2024 (2024-06-04" in broken.output
    assert "'pending': 40" in broken.output and "'pending': 1" in broken.output
    assert "1 tally(ies) differ" in broken.output
    assert runner.invoke(args=["tally", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["tally", "check"]).exit_code == 0
    assert counts(api, users["coordinator"], "arjeplog-fotpatrull", 2024) == (1, 1, 2, 0)
    assert (
        db.session.scalar(select(Entry.status).where(Entry.id == results[0]["entry_id"]))
        == "approved"
    )
