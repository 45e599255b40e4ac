"""The public page and API: open to all, counts only, cacheable, embeddable."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from .tallies_data import ZONE, log


@pytest.fixture
def progress(app, users):
    """Three approved patrols in Arjeplog in 2024, one pending, with a place and notes."""
    app.config["FIELDLOG_TODAY"] = "2024-07-01"
    noon = dt.datetime(2024, 3, 4, 12, 0, tzinfo=ZONE)
    log(
        users["officer"],
        users["supervisor"],
        [
            {
                "promise": "arjeplog-fotpatrull",
                "start": noon + dt.timedelta(days=i),
                "decision": "approve" if i < 3 else None,
                "place": "Hemliga gatan 1",
                "notes": "Pratade med Kalle Anka",
            }
            for i in range(4)
        ],
    )


def test_the_public_api_shows_counts_without_names_places_or_notes(client, progress):
    response = client.get("/api/v1/public/2506?year=2024")
    assert response.status_code == 200
    body = response.get_json()
    assert body["year"] == 2024 and body["municipality"] == {"code": "2506", "name": "Arjeplog"}
    row = next(r for r in body["tallies"] if r["promise"] == "arjeplog-fotpatrull")
    assert (row["counted"], row["pending"], row["yearly_target"], row["status"]) == (
        3,
        1,
        5,
        "on_track",
    )
    assert set(row) == {
        "municipality",
        "commitment",
        "promise",
        "text",
        "area",
        "owner",
        "activity",
        "yearly_target",
        "counted",
        "approved",
        "pending",
        "rejected",
        "status",
        # Version 2: counts and the promise's own places, still no names or notes.
        "district",
        "municipalities",
        "joint",
        "target",
        "periods_due",
        "periods_met",
        "current_period",
        "places",
        "outcomes",
        "joint_counted",
    }
    assert {f["promise"] for f in body["follow_ups"]} >= {"arjeplog-felanmalan"}
    text = response.get_data(as_text=True)
    for secret in ("Hemliga gatan", "Kalle Anka", "Officer", "officer"):
        assert secret not in text


def test_the_public_page_reads_plainly_for_anyone(client, progress):
    response = client.get("/public/2506?year=2024")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Medborgarlöften i Arjeplog" in html
    chunk = re.search(r'data-promise="arjeplog-fotpatrull".*?</li>', html, re.S).group(0)
    assert re.search(r'"counted">3</span> gjorda under 2024 .*?"target">5</span>', chunk)
    assert "I fas" in chunk and '<progress class="bar bar-on_track" max="5" value="3">' in chunk
    assert "Ej angivet" in html  # the promises followed up in words, not yet given a state
    for secret in ("Hemliga gatan", "Kalle Anka", "Officer"):
        assert secret not in html
    assert 'style="' not in html
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_public_answers_are_cacheable_with_an_etag(client, progress):
    for path in (
        "/public/2506?year=2024",
        "/api/v1/public/2506?year=2024",
        "/public/2506/embed?year=2024",
    ):
        first = client.get(path)
        assert first.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
        etag = first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert "Set-Cookie" not in first.headers
    other_year = client.get("/api/v1/public/2506?year=2023")
    assert other_year.headers["ETag"] != client.get("/api/v1/public/2506?year=2024").headers["ETag"]


def test_the_etag_changes_when_the_counts_change(client, users, progress):
    before = client.get("/api/v1/public/2506?year=2024").headers["ETag"]
    log(
        users["officer"],
        users["supervisor"],
        [
            {
                "promise": "arjeplog-fotpatrull",
                "start": dt.datetime(2024, 5, 2, 12, tzinfo=ZONE),
                "decision": "approve",
            }
        ],
    )
    changed = client.get("/api/v1/public/2506?year=2024", headers={"If-None-Match": before})
    assert changed.status_code == 200
    row = next(r for r in changed.get_json()["tallies"] if r["promise"] == "arjeplog-fotpatrull")
    assert row["counted"] == 4


def test_the_embed_may_be_framed_and_unknown_codes_are_404(client, progress):
    embed = client.get("/public/2506/embed?year=2024")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert "Medborgarlöften i Arjeplog 2024" in embed.get_data(as_text=True)
    assert client.get("/public/9999").status_code == 404
    assert client.get("/public/9999/embed").status_code == 404
    missing = client.get("/api/v1/public/9999")
    assert missing.status_code == 404 and "error" in missing.get_json()
    assert client.get("/api/v1/public/2506?year=abc").status_code == 400
