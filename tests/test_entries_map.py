"""The map of the entries behind a number, server side: the points, the tile server's setting
and the page's CSP (the browser test draws them)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest

from fieldlog.config import env_overrides
from fieldlog.security import tile_source
from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review

from .tallies_data import ZONE

PAGE = "/tallies/entries?promise=arjeplog-fotpatrull&year=2026&status=counted"


@pytest.fixture
def placed(app, users):
    """Two approved foot patrols in Arjeplog with a position and one without."""
    start = dt.datetime(2026, 5, 4, 12, 0, tzinfo=ZONE)
    items = [
        {
            "client_id": str(uuid.uuid4()),
            "promise": "arjeplog-fotpatrull",
            "started_at": (start + dt.timedelta(days=i)).isoformat(),
            "place": "<b>Torget</b>" if i == 0 else "",
            **({"lat": 66.05 + i / 100, "lon": 17.88} if i < 2 else {}),
        }
        for i in range(3)
    ]
    for r in sync_entries(users["officer"], items):
        record_review(users["supervisor"], r.entry_id, "approve", None)


def _points(html: str) -> list[dict]:
    found = re.search(
        r'<script type="application/json" id="entries-map-points">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1)) if found else []


def test_the_page_gives_the_points_as_json_and_allows_the_tile_host(client, auth, placed):
    auth.login("coordinator")
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    points = _points(html)
    assert [(p["lat"], p["lon"]) for p in points] == [(66.05, 17.88), (66.06, 17.88)]
    assert points[0]["start"] == "2026-05-04 12:00" and points[0]["place"] == "<b>Torget</b>"
    assert "<b>Torget</b>" not in html.split('id="entries-map-points">')[1].split("</script>")[0]
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "vendor/leaflet/leaflet.js" in html and "js/map.js" in html
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp
    assert "script-src 'self';" in csp  # no inline script: the points are data
    # Other pages keep the strict policy and load no Leaflet.
    tallies = client.get("/tallies?year=2026")
    assert "tile.openstreetmap.org" not in tallies.headers["Content-Security-Policy"]
    assert "leaflet" not in tallies.get_data(as_text=True)


def test_a_list_without_positions_has_no_map(client, auth, placed):
    auth.login("coordinator")
    response = client.get(PAGE.replace("counted", "pending"))
    assert "entries-map" not in response.get_data(as_text=True)
    assert "tile.openstreetmap.org" not in response.headers["Content-Security-Policy"]


def test_the_tile_server_is_a_setting(app, client, auth, placed):
    app.config["MAP_TILES"] = "https://{s}.tiles.example.se/{z}/{x}/{y}.png"
    auth.login("coordinator")
    response = client.get(PAGE)
    assert (
        "img-src 'self' data: https://*.tiles.example.se;"
        in (response.headers["Content-Security-Policy"])
    )
    app.config["MAP_TILES"] = ""
    response = client.get(PAGE)
    assert len(_points(response.get_data(as_text=True))) == 2  # the points without a map
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]


def test_the_setting_from_the_environment_and_odd_values():
    assert env_overrides({"FIELDLOG_MAP_TILES": "https://t.example/{z}/{x}/{y}.png"}) == {
        "MAP_TILES": "https://t.example/{z}/{x}/{y}.png"
    }
    assert env_overrides({"FIELDLOG_MAP_TILES": ""}) == {"MAP_TILES": ""}
    assert tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    for odd in ("javascript:alert(1)", "https://a;b.example/{z}", "/tiles/{z}/{x}/{y}.png", ""):
        assert tile_source(odd) is None
