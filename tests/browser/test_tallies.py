"""The coordinator's follow-up and the public page in Chromium, on a phone; the screenshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldlog.demo import PASSWORD, load_demo
from fieldlog.extensions import db
from fieldlog.models import User

from ..tallies_data import ZONE, log
from .conftest import login

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def demo(app):
    """The demo: the bundled commitments, accounts and a year of reviewed entries."""
    load_demo()
    coordinator = db.session.scalar(select(User).where(User.username == "samordnare"))
    return coordinator


def test_a_coordinator_follows_a_number_to_its_entries_and_records_a_state(phone, demo):
    page = phone.new_page()
    login(page, "samordnare", PASSWORD)
    page.goto("/tallies")
    expect(page.get_by_role("heading", name="Arjeplog", exact=True)).to_be_visible()
    first = page.locator("article.promise").first
    expect(first.locator(".status")).to_have_text("Efter plan")
    card = page.locator('article[data-promise="arjeplog-fotpatrull"]')
    counted = card.locator(".counted a")
    number = counted.inner_text()
    counted.tap()
    expect(page.locator("h1 .total")).to_have_text(number)
    expect(page.locator("tbody tr")).to_have_count(int(number))
    page.go_back()
    words = page.locator('article[data-promise="arjeplog-felanmalan"]')
    words.locator("summary").tap()
    words.get_by_label("Genomfört").tap()
    words.get_by_label("Kort kommentar").fill("Rutinen för felanmälan är klar.")
    words.get_by_role("button", name="Spara").tap()
    expect(page.get_by_role("status")).to_have_text("Uppföljningen sparades.")
    saved = page.locator('article[data-promise="arjeplog-felanmalan"]')
    expect(saved.locator(".state")).to_have_text("Genomfört")
    expect(saved.locator(".note")).to_have_text("Rutinen för felanmälan är klar.")


def test_the_public_page_on_a_phone_needs_no_login(phone, users):
    noon = dt.datetime(2025, 3, 4, 12, 0, tzinfo=ZONE)
    log(
        users["officer"],
        users["supervisor"],
        [
            {
                "promise": "arjeplog-fotpatrull",
                "start": noon + dt.timedelta(days=i),
                "decision": "approve",
                "place": "Hemliga gatan",
            }
            for i in range(6)
        ],
    )
    page = phone.new_page()
    page.goto("/public/2506?year=2025")
    expect(page.get_by_role("heading", level=1)).to_have_text("Medborgarlöften i Arjeplog")
    patrols = page.locator('li[data-promise="arjeplog-fotpatrull"]')
    expect(patrols.locator(".counted")).to_have_text("6")
    expect(patrols.locator(".status")).to_have_text("Uppnått")
    expect(page.get_by_text("Hemliga gatan")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="2024").tap()
    expect(patrols.locator(".counted")).to_have_text("0")
