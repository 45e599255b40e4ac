"""The log page on a phone (issues 12 and 16): the officer's main task on the first screen, and
an entry for a promise with places, or of a joint agreement, sends what was chosen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import Entry

from ..factories import PASSWORD
from ..log_page_data import import_joint_and_district
from .conftest import PHONE, form_ready, login

pytestmark = pytest.mark.browser
FOTPATRULL = 'a[data-promise="arjeplog-fotpatrull"]'


def test_the_officer_of_arjeplog_sees_the_foot_patrol_without_scrolling(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    page.goto("/?municipality=2506")
    card = page.locator(FOTPATRULL)
    expect(card).to_be_visible()
    expect(card.locator(".promise-what")).to_have_text("Fotpatrull · centrala Arjeplog")
    assert page.evaluate("window.scrollY") == 0
    box = card.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    expect(page.locator(".agreement-validity")).to_have_text(
        "2023–2024, gäller tills ett nytt löfte tecknas"
    )
    titles = page.locator("#promises .promise-what").all_inner_texts()
    assert len(titles) == len(set(titles))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def sent_entry(page, save) -> dict:
    """The entry the page's outbox posts when ``save`` is tapped."""
    with page.expect_request(
        lambda r: r.url.endswith("/api/v1/entries") and r.method == "POST"
    ) as sent:
        save.tap()
    (entry,) = sent.value.post_data_json["entries"]
    return entry


def test_an_entry_sends_the_chosen_place_and_municipality(phone, users, tmp_path):
    import_joint_and_district(tmp_path)
    db.session.commit()
    page = phone.new_page()
    login(page, "kust_officer", PASSWORD)
    page.goto("/?municipality=9001")
    page.get_by_role("link", name="Centrum").tap()
    page.locator('a[data-promise="norrby-fotpatrull"]').tap()
    form_ready(page)
    place = page.get_by_role("radio", name="Hamnen")
    page.locator("label.place-choice", has_text="Hamnen").tap()
    expect(place).to_be_checked()
    entry = sent_entry(page, page.get_by_role("button", name="Spara"))
    assert (entry["place"], entry["municipality"]) == ("Hamnen", "9001")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#outbox-status")).to_contain_text("Sparad och skickad")

    # The joint agreement's promise, logged in the other municipality it covers.
    page.goto("/?municipality=9002")
    page.locator('a[data-promise="kust-trafik"]').tap()
    form_ready(page)
    expect(page.get_by_label("Kommun")).to_have_value("9002")
    page.get_by_label("Plats").fill("E6 vid Kärra")
    entry = sent_entry(page, page.get_by_role("button", name="Spara"))
    assert (entry["place"], entry["municipality"]) == ("E6 vid Kärra", "9002")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#outbox-status")).to_contain_text("Sparad och skickad")
    db.session.rollback()
    stored = {
        (e.promise.key, e.place, e.municipality.code) for e in db.session.scalars(select(Entry))
    }
    assert stored == {
        ("norrby-fotpatrull", "Hamnen", "9001"),
        ("kust-trafik", "E6 vid Kärra", "9002"),
    }
