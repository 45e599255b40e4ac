"""POST and GET /api/v1/entries: every result status, every error code, scope."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import Entry, Tally

from . import factories
from .apiclient import ApiClient


@pytest.fixture
def api(app, client):
    return ApiClient(app, client)


def stored_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(Entry))


def pending_of(promise_key: str) -> int:
    from fieldlog.models import Promise

    return db.session.scalar(
        select(func.coalesce(func.sum(Tally.pending), 0))
        .join(Promise, Promise.id == Tally.promise_id)
        .where(Promise.key == promise_key, Tally.span == "day", Tally.measure == "")
    )


def test_a_new_entry_is_created_and_a_replay_is_a_duplicate(api, users):
    entry = factories.entry_data(place="Torget", officers=2, metrics={})
    first = api.sync(users["officer"], entry)[0]
    assert first["status"] == "created" and first["version"] == 1 and first["errors"] == {}
    assert first["client_id"] == entry["client_id"]
    # The answer was lost; the phone sends it again, whatever base_version it carries.
    again = api.sync(users["officer"], entry, {**entry, "base_version": 7})
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert {r["entry_id"] for r in again} == {first["entry_id"]}
    assert stored_entries() == 1 and pending_of("arjeplog-fotpatrull") == 1


def test_the_same_entry_twice_in_one_batch_is_stored_once(api, users):
    entry = factories.entry_data()
    results = api.sync(users["officer"], entry, entry)
    assert [r["status"] for r in results] == ["created", "duplicate"]
    assert stored_entries() == 1


def test_an_edit_and_its_replay_in_one_batch(api, users):
    entry = factories.entry_data()
    api.sync(users["officer"], entry)
    edit = {**entry, "notes": "rättad", "base_version": 1}
    results = api.sync(users["officer"], edit, edit, {**entry, "notes": "igen", "base_version": 1})
    assert [r["status"] for r in results] == ["updated", "duplicate", "conflict"]
    assert [r["version"] for r in results] == [2, 2, 2]
    assert pending_of("arjeplog-fotpatrull") == 1


def test_a_client_id_is_one_identity_whatever_its_spelling(api, users):
    entry = factories.entry_data()
    shouted = {**entry, "client_id": entry["client_id"].upper()}
    first = api.sync(users["officer"], shouted)[0]
    assert first["status"] == "created" and first["client_id"] == shouted["client_id"]
    assert api.sync(users["officer"], entry)[0]["status"] == "duplicate"


def test_an_edit_with_the_seen_version_is_updated(api, users, runner):
    entry = factories.entry_data(notes="först")
    api.sync(users["officer"], entry)
    result = api.sync(users["officer"], {**entry, "notes": "rättad", "base_version": 1})[0]
    assert result["status"] == "updated" and result["version"] == 2
    listed = api.get("/api/v1/entries", users["officer"]).get_json()["entries"]
    assert listed[0]["notes"] == "rättad" and listed[0]["version"] == 2
    assert pending_of("arjeplog-fotpatrull") == 1


def test_a_rejected_entry_corrected_is_pending_again(api, users):
    entry = factories.entry_data()
    entry_id = api.sync(users["officer"], entry)[0]["entry_id"]
    review = {"decision": "reject", "comment": "Ange platsen"}
    assert (
        api.post(f"/api/v1/entries/{entry_id}/review", users["supervisor"], json=review).status_code
        == 200
    )
    result = api.sync(users["officer"], {**entry, "place": "Skolan", "base_version": 1})[0]
    assert result["status"] == "updated"
    assert (
        api.get("/api/v1/entries", users["officer"]).get_json()["entries"][0]["status"] == "pending"
    )
    assert pending_of("arjeplog-fotpatrull") == 1


def test_conflicts_change_nothing_and_say_why(api, users):
    officer = users["officer"]
    stale, missing, approved = (factories.entry_data() for _ in range(3))
    ids = [r["entry_id"] for r in api.sync(officer, stale, missing, approved)]
    api.sync(officer, {**stale, "notes": "ändrad", "base_version": 1})
    api.post(f"/api/v1/entries/{ids[2]}/review", users["supervisor"], json={"decision": "approve"})
    results = api.sync(
        officer,
        {**stale, "notes": "från en annan telefon", "base_version": 1},
        {**missing, "notes": "ändrad utan version"},
        {**approved, "notes": "för sent", "base_version": 1},
    )
    assert [r["status"] for r in results] == ["conflict"] * 3
    assert "base_version" in results[0]["errors"] and results[0]["version"] == 2
    assert "base_version" in results[1]["errors"]
    assert "status" in results[2]["errors"]
    notes = {
        e["client_id"]: e["notes"]
        for e in api.get("/api/v1/entries", officer).get_json()["entries"]
    }
    assert notes == {
        stale["client_id"]: "ändrad",
        missing["client_id"]: None,
        approved["client_id"]: None,
    }


def test_another_users_client_id_never_changes_their_entry(api, users):
    entry = factories.entry_data(notes="mitt")
    api.sync(users["officer"], entry)
    result = api.sync(users["officer2"], {**entry, "notes": "kapat", "base_version": 1})[0]
    assert result["status"] == "conflict" and "client_id" in result["errors"]
    assert result["entry_id"] is None  # nothing about the other's entry is told
    assert db.session.scalar(select(Entry.notes)) == "mitt"
    assert api.get("/api/v1/entries", users["officer2"]).get_json()["entries"] == []


def future(minutes: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


START = "2024-05-02T10:00:00"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"client_id": None}, "client_id"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"started_at": None}, "started_at"),
        ({"started_at": "igår"}, "started_at"),
        ({"started_at": "0001-01-01T00:00:00+01:00"}, "started_at"),
        ({"started_at": future(30)}, "started_at"),
        ({"started_at": START, "ended_at": "2024-05-02T09:00:00"}, "ended_at"),
        ({"started_at": START, "ended_at": "2024-05-03T10:01:00"}, "ended_at"),
        ({"started_at": START, "ended_at": "sen"}, "ended_at"),
        ({"place": "x" * 201}, "place"),
        ({"notes": "x" * 2001}, "notes"),
        ({"notes": 17}, "notes"),
        ({"notes": "nul\x00tecken"}, "notes"),  # PostgreSQL text cannot hold it
        ({"place": "halv \ud800 surrogat"}, "place"),  # valid JSON, not valid Unicode
        ({"lat": 65.8}, "lon"),
        ({"lat": 91, "lon": 17.9}, "lat"),
        ({"lat": 65.8, "lon": 181}, "lon"),
        ({"lat": "north", "lon": 17.9}, "lat"),
        ({"officers": 0}, "officers"),
        ({"officers": "två"}, "officers"),
        ({"officers": 10**12}, "officers"),
        ({"metrics": {"gripna": 1}}, "metrics"),
        ({"metrics": {"vehicles_checked": -1}, "promise": "arjeplog-trafikkontroll"}, "metrics"),
        ({"metrics": [1]}, "metrics"),
        ({"promise": "no-such-promise"}, "promise"),
        ({"promise": "arboga-trafiksakerhet"}, "promise"),  # another police area's
        ({"promise": "arjeplog-vald-nara-relation"}, "promise"),  # followed up in words
        ({"promise": "alvsbyn21-hundsok"}, "promise"),  # not in force on the start day
        ({"promise": None}, "promise"),
        ({"promise": None, "municipality": "2506", "activity": "hundsok"}, "activity"),
        ({"promise": None, "municipality": "1984", "activity": "fotpatrull"}, "municipality"),
        ({"base_version": 0}, "base_version"),
    ],
)
def test_an_invalid_entry_names_each_bad_field_and_stores_nothing(api, users, changes, field):
    entry = {**factories.entry_data(), **changes}
    result = api.sync(users["officer"], entry)[0]
    assert result["status"] == "invalid", result
    assert field in result["errors"] and isinstance(result["errors"][field], str)
    assert result["entry_id"] is None and stored_entries() == 0


def test_every_bad_field_is_named_at_once(api, users):
    entry = factories.entry_data(place="x" * 201, officers=0, lat=100, lon=0, notes=["x"])
    result = api.sync(users["officer"], entry)[0]
    assert set(result["errors"]) == {"place", "officers", "lat", "notes"}


def test_one_bad_entry_never_fails_the_others_and_results_keep_their_order(api, users):
    good1, good2 = factories.entry_data(), factories.entry_data()
    results = api.sync(users["officer"], good1, "not an entry", {"client_id": "x"}, good2)
    assert [r["status"] for r in results] == ["created", "invalid", "invalid", "created"]
    assert (
        results[0]["client_id"] == good1["client_id"]
        and results[3]["client_id"] == good2["client_id"]
    )
    assert "entry" in results[1]["errors"] and results[2]["client_id"] == "x"
    assert stored_entries() == 2


def test_the_promise_can_be_found_by_municipality_and_activity(api, users):
    entry = factories.entry_data(promise=None, municipality="2506", activity="trafikkontroll")
    result = api.sync(users["officer"], entry)[0]
    assert result["status"] == "created"
    listed = api.get("/api/v1/entries", users["officer"]).get_json()["entries"][0]
    assert listed["promise"] == "arjeplog-trafikkontroll"


@pytest.mark.parametrize(
    "kwargs, status",
    [
        ({"data": "entries", "content_type": "text/plain"}, 400),
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"json": [factories.entry_data()]}, 400),
        ({"json": {"entries": "many"}}, 400),
        ({"json": {"entries": []}}, 422),
        ({"data": "[" * 100_000, "content_type": "application/json"}, 400),
        ({"json": {"entries": [factories.entry_data() for _ in range(501)]}}, 413),
    ],
)
def test_a_malformed_empty_or_oversized_batch_is_refused_whole(api, users, kwargs, status):
    response = api.post("/api/v1/entries", users["officer"], **kwargs)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]
    assert stored_entries() == 0


def test_a_body_larger_than_allowed_is_413_in_json(app, api, users):
    huge = {"entries": [factories.entry_data(notes="x" * 1900) for _ in range(500)]}
    app.config["MAX_CONTENT_LENGTH"] = 512 * 1024
    response = api.post("/api/v1/entries", users["officer"], json=huge)
    assert response.status_code == 413 and response.get_json()["error"]
    assert stored_entries() == 0


def test_a_full_batch_of_500_is_accepted(api, users):
    results = api.sync(users["officer"], *(factories.entry_data() for _ in range(500)))
    assert [r["status"] for r in results] == ["created"] * 500
    assert stored_entries() == 500 and pending_of("arjeplog-fotpatrull") == 500


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_only_officers_and_supervisors_log_entries(api, users, who):
    response = api.post("/api/v1/entries", users[who], json={"entries": [factories.entry_data()]})
    assert response.status_code == 403 and response.get_json()["error"]


def test_each_sees_only_the_entries_of_their_scope(api, users):
    mine = api.sync(users["officer"], factories.entry_data())[0]
    colleague = api.sync(users["officer2"], factories.entry_data())[0]
    elsewhere = api.sync(
        users["other_officer"],
        factories.entry_data(promise="arboga-trafiksakerhet", started_at="2024-03-01T10:00"),
    )[0]
    assert elsewhere["status"] == "created", elsewhere

    def ids(who):
        return {e["entry_id"] for e in api.get("/api/v1/entries", users[who]).get_json()["entries"]}

    assert ids("officer") == {mine["entry_id"]}
    assert ids("supervisor") == ids("coordinator") == {mine["entry_id"], colleague["entry_id"]}
    assert ids("other_supervisor") == {elsewhere["entry_id"]}
    assert ids("admin") == {mine["entry_id"], colleague["entry_id"], elsewhere["entry_id"]}


def test_a_listed_entry_carries_the_fields_of_the_contract(api, users):
    sent = factories.entry_data(
        started_at="2024-05-02T10:00",
        ended_at="2024-05-02T11:30",
        place="Torget",
        lat=66.05,
        lon=17.89,
        officers=2,
        metrics={"contacts": 12},
        notes="Lugnt 'citat' \"och\" \\ snedstreck",
    )
    api.sync(users["officer"], sent)
    listed = api.get("/api/v1/entries", users["officer"]).get_json()["entries"][0]
    assert listed["client_id"] == sent["client_id"] and listed["promise"] == "arjeplog-fotpatrull"
    assert (
        listed["status"] == "pending"
        and listed["version"] == 1
        and listed["review_comment"] is None
    )
    assert dt.datetime.fromisoformat(listed["started_at"]) == dt.datetime.fromisoformat(
        "2024-05-02T10:00+02:00"
    )
    assert dt.datetime.fromisoformat(listed["ended_at"]) == dt.datetime.fromisoformat(
        "2024-05-02T11:30+02:00"
    )
    assert listed["metrics"] == {"contacts": 12} and listed["notes"] == sent["notes"]
    assert (listed["place"], listed["lat"], listed["lon"], listed["officers"]) == (
        "Torget",
        66.05,
        17.89,
        2,
    )


def test_entries_by_status_and_since(api, users):
    officer, supervisor = users["officer"], users["supervisor"]
    first, second = api.sync(officer, factories.entry_data(), factories.entry_data())
    before_review = dt.datetime.now(dt.UTC).isoformat()
    review = {"decision": "reject", "comment": "Fel löfte"}
    api.post(f"/api/v1/entries/{second['entry_id']}/review", supervisor, json=review)

    def listed(query):
        return api.get(f"/api/v1/entries{query}", officer).get_json()["entries"]

    assert [e["entry_id"] for e in listed("?status=pending")] == [first["entry_id"]]
    rejected = listed("?status=rejected")
    assert [e["entry_id"] for e in rejected] == [second["entry_id"]]
    assert rejected[0]["review_comment"] == "Fel löfte"
    assert listed("?status=approved") == []
    # A phone asking what changed since it last looked learns of the review.
    since = before_review.replace("+00:00", "Z")
    assert [e["entry_id"] for e in listed(f"?since={since}")] == [second["entry_id"]]
    # The same moment with an offset, its "+" left unencoded in the URL as phones do.
    local = dt.datetime.fromisoformat(before_review).astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert [e["entry_id"] for e in listed(f"?since={local.isoformat()}")] == [second["entry_id"]]


@pytest.mark.parametrize("query", ["?status=withdrawn", "?status=", "?since=igår"])
def test_entries_with_a_bad_filter_are_400(api, users, query):
    response = api.get(f"/api/v1/entries{query}", users["officer"])
    assert response.status_code == 400 and response.get_json()["error"]
