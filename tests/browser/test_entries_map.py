"""The map of the entries behind a number, in Chromium with the tile server unreachable."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review

from ..factories import PASSWORD
from ..tallies_data import ZONE
from .conftest import login

pytestmark = pytest.mark.browser
# Three foot patrols in Arjeplog with a position, one without.
POSITIONS = [(66.0517, 17.8868), (66.0535, 17.8951), (66.0489, 17.8712), None]


@pytest.fixture
def patrols(app, users):
    start = dt.datetime(2026, 5, 4, 12, 0, tzinfo=ZONE)
    items = []
    for i, position in enumerate(POSITIONS):
        item = {
            "client_id": str(uuid.uuid4()),
            "promise": "arjeplog-fotpatrull",
            "started_at": (start + dt.timedelta(days=i)).isoformat(),
            "place": f"Storgatan {i + 1}",
        }
        if position:
            item["lat"], item["lon"] = position
        items.append(item)
    results = sync_entries(users["officer"], items)
    assert [r.status for r in results] == ["created"] * len(items)
    for r in results:
        record_review(users["supervisor"], r.entry_id, "approve", None)


@pytest.fixture
def laptop(browser, live_server):
    """A desktop-sized context with touch (the login helper taps)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        has_touch=True,
        base_url=live_server,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_the_map_has_one_marker_per_entry_with_a_position_when_tiles_cannot_load(
    laptop, patrols, live_server
):
    own = urlsplit(live_server).netloc
    tiles_asked = []

    def outside(route):
        # Nothing leaves this machine: the tile server is unreachable, as it may be for real.
        tiles_asked.append(route.request.url)
        route.abort()

    page = laptop.new_page()
    page.route(lambda url: urlsplit(url).netloc != own, outside)
    login(page, "coordinator", PASSWORD)
    tallies = page.goto("/tallies?year=2026")
    # Leaflet only where the map is, and the tile host allowed only there.
    assert "leaflet" not in page.content()
    assert "tile.openstreetmap.org" not in tallies.headers["content-security-policy"]
    response = page.goto("/tallies/entries?promise=arjeplog-fotpatrull&year=2026&status=counted")
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org;"
        in (response.headers["content-security-policy"])
    )
    expect(page.locator("h1 .total")).to_have_text("4")
    expect(page.locator("#entries-map[data-ready]")).to_have_attribute("data-ready", "3")
    markers = page.locator("#entries-map path.entry-marker")
    expect(markers).to_have_count(3)
    for i in range(3):
        expect(markers.nth(i)).to_be_visible()
    # The view is fitted to the points: each marker lies inside the map.
    box = page.locator("#entries-map").bounding_box()
    for i in range(3):
        m = markers.nth(i).bounding_box()
        assert box["x"] <= m["x"] and m["x"] + m["width"] <= box["x"] + box["width"]
        assert box["y"] <= m["y"] and m["y"] + m["height"] <= box["y"] + box["height"]
    expect(page.locator(".map-note")).to_contain_text("3 poster har en position.")
    expect(page.locator(".map-note")).to_contain_text("Poster utan position syns inte")
    assert tiles_asked and all("tile.openstreetmap.org" in u for u in tiles_asked)
    # A marker's popup says when and where, as text.
    markers.first.click()
    expect(page.locator(".leaflet-popup-content")).to_have_text("2026-05-04 12:00 · Storgatan 1")
    # An entry list without positions has no map and no Leaflet.
    page.goto("/tallies/entries?promise=arjeplog-fotpatrull&year=2026&status=pending")
    expect(page.locator("#entries-map")).to_have_count(0)
    assert "leaflet" not in page.content()
