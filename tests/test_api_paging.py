"""GET /api/v1/entries page by page: limit, the absolute next link, nothing skipped or repeated
while entries are added meanwhile, and bad paging values named (CONTRACT, "API additions")."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from . import factories
from .apiclient import ApiClient

START = dt.datetime(2026, 3, 3, 10, 0)  # local time; Arjeplog's agreement is in force


@pytest.fixture
def api(app, client):
    return ApiClient(app, client)


def entries_from(first: dt.datetime, n: int, **fields) -> list[dict]:
    """``n`` ENTRY objects a minute apart from ``first`` (local time)."""
    return [
        factories.entry_data(started_at=(first + dt.timedelta(minutes=i)).isoformat(), **fields)
        for i in range(n)
    ]


def log(api, user, entries: list[dict]) -> list[int]:
    """Send entries through the sync API in batches of 500; their ids."""
    ids = []
    for at in range(0, len(entries), 500):
        results = api.sync(user, *entries[at : at + 500])
        assert {r["status"] for r in results} == {"created"}
        ids += [r["entry_id"] for r in results]
    return ids


def test_6000_entries_come_whole_through_next_while_another_phone_adds_entries(app, api, users):
    officer = users["officer"]
    stored = set(log(api, officer, entries_from(START, 6000)))
    other_phone = ApiClient(app, app.test_client())  # the officer's second phone, its own token
    url, pages, listed = "/api/v1/entries", [], []
    while url:
        body = api.get(url, officer).get_json()
        ids = [e["entry_id"] for e in body["entries"]]
        assert ids == sorted(ids, reverse=True)  # newest first by entry_id
        pages.append(len(ids))
        listed += ids
        url = body.get("next")
        if url:
            assert url.startswith("http://localhost/api/v1/entries?")
            # Between pages, newer entries arrive from the other phone.
            later = START + dt.timedelta(days=1, minutes=len(pages))
            log(other_phone, officer, entries_from(later, 3))
    assert pages == [500] * 12  # the default limit, and no page after the last
    assert len(listed) == len(set(listed)) == 6000  # none twice
    assert set(listed) == stored  # none skipped; those added meanwhile are newer than page one

    # The largest page: 5,000, then the rest, the new ones now at the front.
    first = api.get("/api/v1/entries?limit=5000", officer).get_json()
    assert len(first["entries"]) == 5000
    rest = api.get(first["next"], officer).get_json()
    assert "next" not in rest
    assert len(first["entries"]) + len(rest["entries"]) == 6000 + 3 * 11


def test_next_carries_the_filters_and_the_last_page_has_none(api, users):
    officer = users["officer"]
    ids = sorted(log(api, officer, entries_from(START, 5)))
    review = {"decision": "reject", "comment": "Fel plats"}
    api.post(f"/api/v1/entries/{ids[1]}/review", users["supervisor"], json=review)
    since = "2026-01-01T00:00:00Z"
    body = api.get(f"/api/v1/entries?status=pending&since={since}&limit=2", officer).get_json()
    assert [e["entry_id"] for e in body["entries"]] == [ids[4], ids[3]]
    query = parse_qs(urlsplit(body["next"]).query)
    assert query == {
        "status": ["pending"],
        "since": [since],
        "limit": ["2"],
        "before": [str(ids[3])],
    }
    last = api.get(body["next"], officer).get_json()
    assert [e["entry_id"] for e in last["entries"]] == [ids[2], ids[0]]
    assert "next" not in last
    # Exactly a page full: no next link pointing to an empty page.
    whole = api.get("/api/v1/entries?limit=5", officer).get_json()
    assert len(whole["entries"]) == 5 and "next" not in whole


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=0", "limit"),
        ("limit=5001", "limit"),
        ("limit=-1", "limit"),
        ("limit=", "limit"),
        ("limit=ten", "limit"),
        ("limit=1.5", "limit"),
        ("limit=%D9%A1%D9%A0", "limit"),  # Arabic-Indic digits: not 0–9
        ("limit=" + "9" * 30, "limit"),
        ("before=0", "before"),
        ("before=x", "before"),
        ("before=" + "9" * 30, "before"),
        ("before=%EF%BC%91", "before"),  # a full-width digit one
    ],
)
def test_a_bad_limit_or_cursor_is_422_naming_it(api, users, query, field):
    log(api, users["officer"], entries_from(START, 1))
    response = api.get(f"/api/v1/entries?{query}", users["officer"])
    assert response.status_code == 422
    assert response.get_json()["error"].startswith(f"{field}:")


def test_a_cursor_beyond_every_id_lists_from_the_newest(api, users):
    ids = sorted(log(api, users["officer"], entries_from(START, 3)), reverse=True)
    body = api.get(f"/api/v1/entries?before={10**17}", users["officer"]).get_json()
    assert [e["entry_id"] for e in body["entries"]] == ids
