"""No input breaks the API: the measured faults, each a 4xx naming the field, good entries kept.

Digit characters that are not 0–9 ("²", "³", "①"), control characters in text,
NUL in paths and query strings, and ids past the id columns' range.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import ActivityType, Entry
from fieldlog.services.users import issue_token

from . import factories
from .review_helpers import log, status_of

START = "2026-03-03T10:00"


def stored(client_ids: list[str]) -> int:
    """How many of these client_ids are stored."""
    db.session.commit()
    return db.session.scalar(
        select(func.count()).select_from(Entry).where(Entry.client_id.in_(client_ids))
    )


@pytest.fixture
def bearer(users):
    """Authorization headers per username."""
    return {name: {"Authorization": f"Bearer {issue_token(u)}"} for name, u in users.items()}


BAD_FIELDS = [
    ({"metrics": {"contacts": "²"}}, "metrics"),
    ({"metrics": {"contacts": "١"}}, "metrics"),  # an Arabic-Indic one: int() reads it, we do not
    ({"officers": "³"}, "officers"),
    ({"officers": "1_000"}, "officers"),
    ({"base_version": "①"}, "base_version"),
    ({"base_version": 2**31}, "base_version"),
    ({"notes": "tab\tand\nnewline are fine, a vertical tab \x0b is not"}, "notes"),
    ({"place": "Torget\x00"}, "place"),
    ({"notes": "\x1b[31m"}, "notes"),
    ({"notes": "not for XML \ufffe"}, "notes"),
    ({"lat": 10**400, "lon": 20}, "lat"),
    ({"lat": "٦٥", "lon": "20"}, "lat"),
    ({"started_at": "9999-12-31T23:59:00+00:00", "ended_at": "9999-12-31T23:59:30+00:00"}, None),
]


def test_each_bad_field_is_invalid_and_the_good_entries_of_the_batch_are_stored(
    client, users, bearer
):
    good = [factories.entry_data(started_at=START) for _ in range(2)]
    bad = [factories.entry_data(**{"started_at": START, **fields}) for fields, _name in BAD_FIELDS]
    batch = [good[0], *bad, good[1]]
    response = client.post("/api/v1/entries", json={"entries": batch}, headers=bearer["officer"])
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert len(results) == len(batch)
    assert [r["status"] for r in (results[0], results[-1])] == ["created", "created"]
    for result, (fields, name) in zip(results[1:-1], BAD_FIELDS, strict=True):
        assert result["status"] == "invalid", fields
        if name is not None:
            assert name in result["errors"], (fields, result["errors"])
        else:
            assert "started_at" in result["errors"] or "ended_at" in result["errors"]
    assert stored([e["client_id"] for e in good]) == 2
    assert stored([e["client_id"] for e in bad]) == 0


def test_a_review_comment_with_nul_or_control_characters_is_422_and_nothing_changes(
    client, users, bearer
):
    (entry_id,) = log(users["officer"])
    for comment in ("nul\x00", "bell\x07", "vertical\x0btab"):
        response = client.post(
            f"/api/v1/entries/{entry_id}/review",
            json={"decision": "reject", "comment": comment},
            headers=bearer["supervisor"],
        )
        assert response.status_code == 422
        assert response.get_json()["error"].startswith("comment:")
    assert status_of(entry_id) == "pending"
    assert db.session.get(Entry, entry_id).review_comment is None
    ok = client.post(
        f"/api/v1/entries/{entry_id}/review",
        json={"decision": "reject", "comment": "Fel plats.\nSe anteckningen."},
        headers=bearer["supervisor"],
    )
    assert (
        ok.status_code == 200 and ok.get_json()["review_comment"] == "Fel plats.\nSe anteckningen."
    )


@pytest.mark.parametrize("entry_id", ["2147483648", "9223372036854775808", "99999999999999999999"])
def test_an_id_past_the_columns_range_is_404(client, users, bearer, entry_id):
    response = client.post(
        f"/api/v1/entries/{entry_id}/review",
        json={"decision": "approve"},
        headers=bearer["supervisor"],
    )
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize("entry_id", ["²", "١", "0", "-1"])
def test_an_id_that_is_no_id_is_404(client, users, bearer, entry_id):
    response = client.post(
        f"/api/v1/entries/{entry_id}/review",
        json={"decision": "approve"},
        headers=bearer["supervisor"],
    )
    assert response.status_code == 404


def test_nul_in_a_path_or_query_is_400_naming_it(client, users, bearer):
    public = client.get("/api/v1/public/%00")
    assert public.status_code == 400 and "path" in public.get_json()["error"]
    listed = client.get("/api/v1/entries?status=pending%00", headers=bearer["officer"])
    assert listed.status_code == 400 and listed.get_json()["error"].startswith("status:")
    page = client.get("/public/%00")
    assert page.status_code == 400 and "text/html" in page.content_type


@pytest.mark.parametrize("year", ["²⁰²⁴", "２０２４", "2024.0", "99999999999999999999", "-2024"])
def test_a_year_that_is_no_year_is_400_naming_it(client, users, bearer, year):
    response = client.get(f"/api/v1/tallies?year={year}", headers=bearer["coordinator"])
    assert response.status_code == 400 and response.get_json()["error"].startswith("year:")
    public = client.get(f"/api/v1/public/2506?year={year}")
    assert public.status_code == 400 and public.get_json()["error"].startswith("year:")


def sync_one(client, headers, **fields) -> dict:
    """The result of one entry sent alone, started at START unless given."""
    entry = factories.entry_data(**{"started_at": START, **fields})
    response = client.post("/api/v1/entries", json={"entries": [entry]}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    (result,) = response.get_json()["results"]
    if result["status"] == "invalid":
        assert stored([entry["client_id"]]) == 0
    return result


@pytest.mark.parametrize(
    ("fields", "name"),
    [({"place": "Tor\rget"}, "place"), ({"notes": "rad ett\rrad två"}, "notes")],
)
def test_a_lone_carriage_return_in_a_text_is_refused_naming_the_field(
    client, users, bearer, fields, name
):
    result = sync_one(client, bearer["officer"], **fields)
    assert result["status"] == "invalid" and list(result["errors"]) == [name]


def test_a_texts_crlf_line_ends_are_stored_as_newlines(client, users, bearer):
    result = sync_one(client, bearer["officer"], notes="rad ett\r\nrad två\ttabb")
    assert result["status"] == "created"
    db.session.commit()
    assert db.session.get(Entry, result["entry_id"]).notes == "rad ett\nrad två\ttabb"


@pytest.mark.parametrize(
    ("url", "name", "status"),
    [
        ("/api/v1/tallies?year=+2026", "year", 400),
        ("/api/v1/tallies?year=%202026", "year", 400),
        ("/api/v1/tallies?year=2026%20", "year", 400),
        ("/api/v1/public/2506?year=+2026", "year", 400),
        ("/api/v1/entries?limit=+5", "limit", 422),
        ("/api/v1/entries?before=+5", "before", 422),
    ],
)
def test_a_whole_number_in_a_query_is_ascii_digits_only(client, users, bearer, url, name, status):
    response = client.get(url, headers=bearer["coordinator"])
    assert response.status_code == status
    assert response.get_json()["error"].startswith(f"{name}:")


@pytest.mark.parametrize("metrics", [0, False, "", [], 1])
def test_metrics_that_are_no_object_are_refused_even_when_falsy(client, users, bearer, metrics):
    result = sync_one(client, bearer["officer"], metrics=metrics)
    assert result["status"] == "invalid" and list(result["errors"]) == ["metrics"]


def test_metrics_null_or_left_out_are_none(client, users, bearer):
    assert sync_one(client, bearer["officer"], metrics=None)["status"] == "created"
    assert sync_one(client, bearer["officer"])["status"] == "created"


def test_a_count_out_of_range_says_the_range_in_words_and_names_the_metric_by_its_label(
    app, client, users, bearer
):
    officers = sync_one(client, bearer["officer"], officers=1001)
    assert officers["status"] == "invalid"
    assert officers["errors"] == {
        "officers": "Antal poliser måste vara ett heltal mellan 1 och 1\xa0000."
    }
    contacts = sync_one(client, bearer["officer"], metrics={"contacts": 2_000_000})
    assert contacts["errors"] == {
        "metrics": "Kontakter måste vara ett heltal mellan 0 och 1\xa0000\xa0000."
    }
    negative = sync_one(client, bearer["officer"], officers=-1)
    assert negative["errors"] == {"officers": "Antal poliser måste vara 1 eller mer."}
    client.set_cookie("lang", "en")
    with app.app_context():  # a fresh context, as each real request has: no cached language
        officers = sync_one(client, bearer["officer"], officers=1001)
        contacts = sync_one(client, bearer["officer"], metrics={"contacts": 2_000_000})
    assert officers["errors"] == {
        "officers": "Number of officers must be a whole number between 1 and 1,000."
    }
    assert contacts["errors"] == {
        "metrics": "Contacts must be a whole number between 0 and 1,000,000."
    }


def test_a_metric_is_named_by_the_label_its_activity_type_gives_it(client, users, bearer):
    activity = db.session.scalar(select(ActivityType).where(ActivityType.code == "fotpatrull"))
    activity.metric_labels = {"contacts": "Samtal med boende"}
    db.session.commit()
    result = sync_one(client, bearer["officer"], metrics={"contacts": -3})
    assert result["errors"] == {"metrics": "Samtal med boende måste vara 0 eller mer."}


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"officers": "2"}, "officers"),
        ({"officers": " 2 "}, "officers"),
        ({"officers": "02"}, "officers"),
        ({"metrics": {"contacts": "2"}}, "metrics"),
        ({"base_version": "1"}, "base_version"),
    ],
)
def test_a_whole_number_sent_as_text_is_refused_as_the_phone_sends_numbers(
    client, users, bearer, fields, name
):
    result = sync_one(client, bearer["officer"], **fields)
    assert result["status"] == "invalid" and list(result["errors"]) == [name]
    assert "måste skickas som ett tal, inte som text." in result["errors"][name]


@pytest.mark.parametrize(
    "fields",
    [
        {"started_at": "0001-01-01T10:00"},
        {"started_at": "9999-12-31T10:00"},
        {"started_at": "0001-01-01T00:00:00+01:00"},
        {"started_at": "9999-12-31T23:59:59-05:00"},
    ],
)
def test_a_start_in_year_1_or_9999_is_out_of_range_not_missing(client, users, bearer, fields):
    result = sync_one(client, bearer["officer"], **fields)
    assert result["status"] == "invalid"
    assert result["errors"]["started_at"] == "Starttiden ligger utanför åren 1900–2199."


def test_an_end_in_year_9999_is_out_of_range(client, users, bearer):
    result = sync_one(client, bearer["officer"], ended_at="9999-12-31T10:00")
    assert result["errors"] == {"ended_at": "Sluttiden ligger utanför åren 1900–2199."}


@pytest.mark.parametrize(
    ("fields", "name", "words"),
    [
        ({"started_at": START + "\x00"}, "started_at", "otillåtna tecken"),
        ({"started_at": START + "\x1f"}, "started_at", "otillåtna tecken"),
        ({"started_at": START + "\x85"}, "started_at", "otillåtna tecken"),
        ({"started_at": START + "\r"}, "started_at", "otillåtna tecken"),
        ({"started_at": START + "\n"}, "started_at", "otillåtna tecken"),
        ({"ended_at": "2026-03-03T11:00\x00"}, "ended_at", "otillåtna tecken"),
        ({"started_at": "2026-03-03"}, "started_at", "klockslag"),
        ({"started_at": "20260303"}, "started_at", "klockslag"),
        ({"ended_at": "2026-03-04"}, "ended_at", "klockslag"),
    ],
)
def test_a_time_with_a_control_character_or_without_a_time_of_day_is_refused(
    client, users, bearer, fields, name, words
):
    result = sync_one(client, bearer["officer"], **fields)
    assert result["status"] == "invalid"
    assert list(result["errors"]) == [name] and words in result["errors"][name]
