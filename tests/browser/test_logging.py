"""Logging on a phone in Chromium at 390×844 with touch."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import Entry
from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review

from ..factories import PASSWORD, entry_data, recent_weekday
from .conftest import form_ready, login

pytestmark = pytest.mark.browser
ZONE = ZoneInfo("Europe/Stockholm")
FOTPATRULL = 'a[data-promise="arjeplog-fotpatrull"]'


def stored_entries() -> list[Entry]:
    db.session.rollback()
    return list(db.session.scalars(select(Entry).order_by(Entry.id)))


def test_an_officer_logs_a_foot_patrol_in_two_taps(phone, users):
    page = phone.new_page()
    errors = []
    # The browser asks for /favicon.ico on the login page by itself; anything else is ours.
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.location["url"].endswith("/favicon.ico")
            and errors.append(f"{m.text} {m.location['url']}")
        ),
    )
    login(page, "officer", PASSWORD)
    count = page.locator(FOTPATRULL).locator(".promise-count")
    expect(count).to_have_text(re.compile(r"^\s*0 av 5 i år"))
    page.locator(FOTPATRULL).tap()  # tap 1
    expect(page.locator("h1")).to_have_text("Fotpatrull")
    form_ready(page)
    page.get_by_role("button", name="Spara").tap()  # tap 2
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#outbox-status")).to_contain_text("Sparad och skickad")
    expect(count).to_contain_text("1 väntar")
    (entry,) = stored_entries()
    assert (entry.status, entry.officers, entry.metrics) == ("pending", 1, {"contacts": 0})
    page.get_by_role("link", name="Mina poster").tap()
    pending = page.locator("#section-pending .entry")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("Fotpatrull")
    expect(pending).to_contain_text("väntar")
    assert errors == []  # no script refused by the Content-Security-Policy, no script error


def test_an_emptied_count_of_officers_is_sent_as_the_default_one(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    page.locator(FOTPATRULL).tap()
    form_ready(page)
    page.get_by_role("spinbutton", name="Antal poliser").fill("")  # cleared with a cold thumb
    page.get_by_role("button", name="Spara").tap()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#outbox-status")).to_contain_text("Sparad och skickad")
    (entry,) = stored_entries()
    assert (entry.status, entry.officers) == ("pending", 1)


def test_a_back_dated_daytime_entry_is_warned_about_and_stored_as_not_counted(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    page.locator('a[data-promise="arjeplog-trafikinsats-obekvam"]').tap()
    form_ready(page)
    warning = page.locator("#not-counted")
    day = recent_weekday()
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Klockan").fill("21:00")
    expect(warning).to_be_hidden()
    page.get_by_label("Klockan").fill("10:15")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Räknas inte")
    page.get_by_role("button", name="Öka Kontrollerade fordon").tap()
    page.get_by_role("button", name="Öka Kontrollerade fordon").tap()
    page.get_by_role("button", name="Öka Antal poliser").tap()
    page.get_by_label("Plats").fill("E45")
    page.get_by_role("button", name="Spara").tap()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#outbox-status")).to_contain_text("Sparad och skickad")
    page.goto("/entries")
    entry = page.locator("#section-pending .entry")
    expect(entry).to_contain_text(f"{day.isoformat()} 10:15")
    expect(entry).to_contain_text("räknas inte")
    expect(entry).to_contain_text("obekväm tid")
    (stored,) = stored_entries()
    assert stored.started_at.astimezone(ZONE) == dt.datetime.combine(day, dt.time(10, 15), ZONE)
    assert (stored.status, stored.officers, stored.place) == ("pending", 2, "E45")
    assert stored.metrics["vehicles_checked"] == 2


def test_an_entry_the_server_refuses_stays_on_the_phone_with_the_reason(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    page.locator(FOTPATRULL).tap()
    form_ready(page)
    tomorrow = dt.datetime.now(ZONE).date() + dt.timedelta(days=1)
    page.get_by_label("Datum").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Spara").tap()
    page.wait_for_url(re.compile(r"/$"))
    refused = page.locator("#outbox-list li")
    expect(refused).to_contain_text("Ogiltig")
    expect(refused).to_contain_text("Starttiden ligger mer än 10 minuter fram i tiden.")
    expect(refused).not_to_contain_text("Starttid: Starttiden")  # the field named once
    expect(page.locator("#outbox-status")).to_contain_text("1 ej skickad")
    assert stored_entries() == []
    page.once("dialog", lambda dialog: dialog.accept())
    refused.get_by_role("button", name="Ta bort").tap()
    expect(refused).to_have_count(0)
    expect(page.locator("#outbox-status")).to_contain_text("Alla poster är skickade")

    # A shared phone: what another officer left in the outbox is never sent under this login.
    page.evaluate(
        """entry => new Promise(done => {
            const q = indexedDB.open("fieldlog");
            q.onsuccess = () => {
                const t = q.result.transaction("outbox", "readwrite");
                t.objectStore("outbox").put({client_id: entry.client_id, user: "officer2",
                    entry: entry, state: "new", errors: {}, label: "Fotpatrull"});
                t.oncomplete = done;
            };
        })""",
        entry_data(),
    )
    page.reload()
    expect(page.locator("#outbox-status")).to_contain_text("Alla poster är skickade")
    page.get_by_role("link", name="Mina poster").tap()
    expect(page.locator("#outbox-status")).to_contain_text("Alla poster är skickade")
    assert stored_entries() == []


def test_a_rejected_entry_is_corrected_and_sent_again(phone, users):
    entry_id = sync_entries(users["officer"], [entry_data(place="Okänd")])[0].entry_id
    record_review(users["supervisor"], entry_id, "reject", "Ange rätt plats.")
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    page.get_by_role("link", name="Mina poster").tap()
    rejected = page.locator("#section-rejected .entry")
    expect(rejected).to_contain_text("avslagen")
    expect(rejected).to_contain_text("Ange rätt plats.")
    rejected.get_by_role("link", name="Rätta och skicka igen").tap()
    form_ready(page)
    page.get_by_label("Plats").fill("Storgatan")
    page.get_by_role("button", name="Rätta och skicka igen").tap()
    page.wait_for_url(re.compile(r"/entries$"))
    expect(page.locator("#section-rejected .entry")).to_have_count(0)
    expect(page.locator("#section-pending .entry")).to_contain_text("Storgatan")
    (entry,) = stored_entries()
    assert (entry.status, entry.place, entry.version) == ("pending", "Storgatan", 2)


def test_the_pages_fit_at_200_percent_zoom_and_work_by_keyboard(browser, live_server, users):
    # A 390 px wide phone at 200 % zoom lays pages out in 195 CSS pixels.
    context = browser.new_context(
        viewport={"width": 195, "height": 422},
        base_url=live_server,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
    )
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Användarnamn").fill("officer")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    widths = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    page.wait_for_load_state("load")
    assert page.evaluate(widths) == [195, 195]
    page.locator(FOTPATRULL).focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Fotpatrull")
    form_ready(page)
    page.wait_for_load_state("load")  # measure with the stylesheets applied
    assert page.evaluate(widths) == [195, 195]
    page.get_by_role("button", name="Öka Antal poliser").focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("spinbutton", name="Antal poliser")).to_have_value("2")
    page.get_by_label("Plats").focus()
    page.keyboard.type("Torget")
    page.keyboard.press("Enter")  # submits the form, as a keyboard user expects
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/entries")
    expect(page.locator("#section-pending .entry")).to_contain_text("Torget")
    page.wait_for_load_state("load")
    assert page.evaluate(widths) == [195, 195]
    (entry,) = stored_entries()
    assert (entry.officers, entry.place) == (2, "Torget")
    context.close()


def test_a_rejected_entry_sent_again_unchanged_says_nothing_changed(phone, users):
    entry = entry_data(started_at="2026-03-03T10:00", place="Okänd")
    entry_id = sync_entries(users["officer"], [entry])[0].entry_id
    record_review(users["supervisor"], entry_id, "reject", "Ange rätt plats.")
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    page.goto("/entries")
    page.locator("#section-rejected .entry").get_by_role("link", name="Rätta och skicka igen").tap()
    form_ready(page)
    page.get_by_role("button", name="Rätta och skicka igen").tap()
    expect(page.locator(".flash-warning").first).to_have_text(
        "Ingenting ändrades, så posten skickades inte igen och är fortfarande avslagen."
    )
    expect(page.locator(".flash-error")).to_have_text("Avslagen: Ange rätt plats.")
    assert page.url.endswith(f"/entries/{entry_id}/edit")
    (stored,) = stored_entries()
    assert (stored.status, stored.version) == ("rejected", 1)
