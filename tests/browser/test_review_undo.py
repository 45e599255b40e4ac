"""On a phone: one entry decided from its own buttons, a bulk approval undone, and the history
of a resent entry told in words."""

from __future__ import annotations

import re

import pytest
from flask import current_app
from playwright.sync_api import expect

from fieldlog.extensions import db
from fieldlog.models import Entry
from fieldlog.services.entries import sync_entries

from ..factories import PASSWORD, entry_data
from ..review_helpers import log
from .conftest import login

pytestmark = pytest.mark.browser


def _patrol_tally(page) -> dict:
    rows = page.request.get("/api/v1/tallies?year=2026&municipality=2506").json()["tallies"]
    (row,) = [r for r in rows if r["promise"] == "arjeplog-fotpatrull"]
    return {k: row[k] for k in ("approved", "pending", "counted")}


def test_one_entry_approved_from_its_button_then_a_bulk_approval_undone(phone, users):
    ids = log(users["officer"], 3, place="Torget")
    page = phone.new_page()
    login(page, "supervisor", PASSWORD)
    expect(page).to_have_url(re.compile(r"/review$"))  # a supervisor lands on the queue
    start = _patrol_tally(page)
    assert start["pending"] >= 3

    page.get_by_role("button", name=f"Godkänn post {ids[0]}").tap()
    expect(page.get_by_role("status").first).to_have_text("1 post godkänd.")
    expect(page.locator('input[name="entry_id"]')).to_have_count(2)
    after_one = _patrol_tally(page)
    assert after_one["approved"] == start["approved"] + 1
    assert after_one["pending"] == start["pending"] - 1

    page.get_by_label(re.compile("Markera alla")).tap()
    page.get_by_role("button", name=re.compile("Godkänn markerade")).tap()
    expect(page.get_by_role("status").first).to_have_text("2 poster godkända.")
    expect(page.get_by_text("Inga poster väntar på granskning.")).to_be_visible()
    assert _patrol_tally(page)["approved"] == start["approved"] + 3

    undo = page.locator(".undo-bar")
    expect(undo).to_contain_text("Du godkände 2 poster.")
    undo.get_by_role("button", name="Ångra").tap()
    expect(page.get_by_role("status").first).to_have_text(
        "Ångrat: 2 poster väntar på granskning igen."
    )
    expect(page.locator('input[name="entry_id"]')).to_have_count(2)
    assert _patrol_tally(page) == after_one  # as before the bulk approval
    expect(page.locator(".undo-bar")).to_have_count(0)

    page.goto(f"/entries/{ids[1]}/history")
    expect(page.locator(".history-action")).to_have_text(
        ["Post skapad", "Post godkänd", "Granskning ångrad"]
    )


def test_a_resent_entrys_history_shows_created_rejected_and_resent(phone, users, app):
    item = entry_data(place="Torget")
    with current_app.test_request_context():
        (created,) = sync_entries(users["officer"], [item])
    entry_id = created.entry_id
    page = phone.new_page()
    login(page, "supervisor", PASSWORD)
    page.goto("/review")
    page.get_by_role("button", name=f"Avslå… post {entry_id}").tap()
    panel = page.locator(".reject-panel")
    expect(panel).to_have_attribute("open", "")
    # The panel leaves the entry being rejected in view above it.
    box = panel.bounding_box()
    assert box["height"] < 844 / 2, box
    expect(page.locator(f"#entry-{entry_id} .pick-title")).to_be_in_viewport()
    page.get_by_label("Skäl (krävs)").select_option(label="Fel plats eller utanför kommunen")
    page.get_by_label("Eget skäl eller tillägg").fill("Torget hör inte till löftet")
    page.get_by_role("button", name="Avslå markerade", exact=True).tap()
    expect(page.get_by_role("status").first).to_have_text("1 post avslagen.")

    db.session.commit()
    version = db.session.get(Entry, entry_id).version
    with current_app.test_request_context():
        resent = {**item, "place": "Skolgården", "base_version": version}
        assert sync_entries(users["officer"], [resent])[0].status == "updated"

    page.get_by_role("button", name="Logga ut").tap()
    page.wait_for_url(re.compile(r"/login$"))
    login(page, "officer", PASSWORD)
    page.goto(f"/entries/{entry_id}/history")
    events = page.locator(".history-event")
    expect(page.locator(".history-action")).to_have_text(
        ["Post skapad", "Post avslagen", "Post skickad igen efter avslag"]
    )
    expect(events.nth(0).locator(".history-actor")).to_have_text("Officer")
    expect(events.nth(1).locator(".history-actor")).to_have_text("Supervisor")
    expect(events.nth(1)).to_contain_text(
        "Skäl till avslaget: Fel plats eller utanför kommunen: Torget hör inte till löftet"
    )
    expect(events.nth(2).locator(".history-actor")).to_have_text("Officer")
    expect(events.nth(2)).to_contain_text("Plats: Torget → Skolgården")
