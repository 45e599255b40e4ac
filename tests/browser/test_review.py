"""A supervisor clears a day's queue on a phone; the officer then sees both outcomes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD
from ..review_helpers import log
from .conftest import login

pytestmark = pytest.mark.browser


def test_a_supervisor_clears_a_queue_of_20_on_a_phone(phone, users):
    ids = log(users["officer"], 20, place="Centrum")
    to_reject = ids[3], ids[11]
    page = phone.new_page()
    login(page, "supervisor", PASSWORD)
    page.goto("/review")
    expect(page.locator("#queue-count")).to_contain_text("20 poster väntar på granskning.")
    expect(page.locator('input[name="entry_id"]')).to_have_count(20)

    page.get_by_label(re.compile("Markera alla")).tap()
    expect(page.locator('input[name="entry_id"]:checked')).to_have_count(20)
    for entry_id in to_reject:
        page.locator(f'input[name="entry_id"][value="{entry_id}"]').tap()
    expect(page.locator('input[name="entry_id"]:checked')).to_have_count(18)
    page.get_by_role("button", name="Godkänn markerade").tap()
    expect(page.get_by_role("status").first).to_have_text("18 poster godkända.")
    expect(page.locator('input[name="entry_id"]')).to_have_count(2)

    # The first with a quick-pick reason, the second with the supervisor's own words.
    page.locator(f'input[name="entry_id"][value="{to_reject[0]}"]').tap()
    page.get_by_text("Avslå markerade…").tap()
    page.get_by_role("button", name="Avslå markerade", exact=True).tap()  # no reason yet
    expect(page.get_by_role("alert")).to_contain_text("Ange ett skäl till avslaget")
    expect(page.locator('input[name="entry_id"]:checked')).to_have_count(1)
    page.get_by_label("Skäl (krävs)").select_option(label="Dubblett av en annan post")
    page.get_by_role("button", name="Avslå markerade", exact=True).tap()
    expect(page.get_by_role("status").first).to_have_text("1 post avslagen.")

    page.locator(f'input[name="entry_id"][value="{to_reject[1]}"]').tap()
    page.get_by_text("Avslå markerade…").tap()
    page.get_by_label("Eget skäl eller tillägg").fill("Fel kommun, gäller Älvsbyn")
    page.get_by_role("button", name="Avslå markerade", exact=True).tap()
    expect(page.get_by_role("status").first).to_have_text("1 post avslagen.")
    expect(page.get_by_text("Inga poster väntar på granskning.")).to_be_visible()

    page.get_by_role("button", name="Logga ut").tap()
    page.wait_for_url(re.compile(r"/login$"))
    login(page, "officer", PASSWORD)
    entries = page.request.get("/api/v1/entries").json()["entries"]
    outcome = {e["entry_id"]: (e["status"], e["review_comment"]) for e in entries}
    assert sorted(outcome) == sorted(ids)
    approved = {i for i, (status, comment) in outcome.items() if status == "approved"}
    assert approved == set(ids) - set(to_reject)
    assert outcome[to_reject[0]] == ("rejected", "Dubblett av en annan post")
    assert outcome[to_reject[1]] == ("rejected", "Fel kommun, gäller Älvsbyn")
    page.goto(f"/entries/{to_reject[1]}/history")
    expect(page.locator(".review-comment")).to_have_text("Fel kommun, gäller Älvsbyn")
