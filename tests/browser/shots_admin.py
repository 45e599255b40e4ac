"""Screenshots of the commitment form with Version 2's fields (a joint agreement, a weekly
target changed from next year, places for each place, a time window) at 390×844 and
1280×800, into docs/screenshots/.

Not collected by the suite (its name is not test_*); `make screenshots` runs it by path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fieldlog.extensions import db
from fieldlog.models import Commitment, TimeWindow
from fieldlog.services.imports import plan_and_apply

from ..factories import PASSWORD
from .conftest import login

OUT = Path(
    os.environ.get("FIELDLOG_SCREENSHOTS_DIR")
    or Path(__file__).resolve().parents[2] / "docs" / "screenshots"
)
pytestmark = [pytest.mark.browser]

JOINT = {
    "version": 2,
    "time_windows": [
        {
            "code": "fre_lor_kvall",
            "label": "Fredags- och lördagskvällar",
            "label_en": "Friday and Saturday evenings",
            "days": ["fri", "sat"],
            "from": "18:00",
            "to": "03:00",
        }
    ],
    "commitments": [
        {
            "key": "pitea-alvdal-2026-2027",
            "municipalities": ["2506", "2560"],
            "title": "Gemensamma medborgarlöften Arjeplog och Älvsbyn",
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
            "promises": [
                {
                    "key": "pitea-kvallspatrull",
                    "area": "Trygghet i centrum",
                    "text": "Fotpatrull i centrum minst två gånger i veckan under "
                    "fredags- och lördagskvällar.",
                    "owner": "polisen",
                    "activity": "fotpatrull",
                    "time_rule": "fre_lor_kvall",
                    "target": [
                        {"from_year": 2026, "count": 2, "per": "week"},
                        {"from_year": 2027, "count": 3, "per": "week"},
                    ],
                },
                {
                    "key": "pitea-trygghetsvandring",
                    "area": "Trygghet",
                    "text": "Minst en trygghetsvandring per tertial i kommunernas tätorter.",
                    "owner": "gemensamt",
                    "activity": "medborgardialog",
                    "places": ["Arjeplog", "Slagnäs", "Älvsbyn", "Vidsel"],
                    "target": {"count": 1, "per": "tertial", "each_place": True},
                },
            ],
        }
    ],
}


@pytest.fixture
def joint(users):
    plan_and_apply(JOINT, apply=True)
    assert db.session.get(TimeWindow, 1) is not None
    return db.session.query(Commitment).filter_by(key="pitea-alvdal-2026-2027").one()


@pytest.mark.parametrize(
    ("name", "viewport", "mobile"),
    [
        ("phone", {"width": 390, "height": 844}, True),
        ("desktop", {"width": 1280, "height": 800}, False),
    ],
)
def test_shots_of_the_commitment_form(browser, live_server, joint, name, viewport, mobile):
    context = browser.new_context(
        viewport=viewport,
        is_mobile=mobile,
        has_touch=True,  # login taps
        base_url=live_server,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
    )
    try:
        page = context.new_page()
        login(page, "coordinator", PASSWORD)
        page.goto(f"/admin/commitments/{joint.id}")
        expect(page.get_by_label("Älvsbyn (2560)")).to_be_checked()
        OUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT / f"admin-commitment-v2-{name}.png"))
        promise = page.locator("#promises-0")
        promise.scroll_into_view_if_needed()
        page.locator("#promises-0-target_count").fill("0")
        page.get_by_role("button", name="Spara").click()
        expect(page.locator(".error-summary")).to_contain_text("Löfte 1 – Mål, antal")
        page.screenshot(path=str(OUT / f"admin-commitment-v2-error-{name}.png"))
        page.locator("#promises-0").scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / f"admin-commitment-v2-promise-{name}.png"))
        page.locator("#promises-1-places").scroll_into_view_if_needed()
        expect(page.locator("#promises-1-each_place")).to_be_checked()
        page.screenshot(path=str(OUT / f"admin-commitment-v2-places-{name}.png"))
    finally:
        context.close()
