"""What the server refused is put right on the phone: corrected in the log form and sent again
under its own client_id; a bad request is shown, not retried; a batch too large is halved."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import Entry
from fieldlog.services.entries import sync_entries

from ..factories import PASSWORD, entry_data
from .conftest import form_ready, login

pytestmark = pytest.mark.browser
ZONE = ZoneInfo("Europe/Stockholm")
FOTPATRULL = 'a[data-promise="arjeplog-fotpatrull"]'
API = "**/api/v1/entries"

OUTBOX = """() => new Promise(done => {
    const q = indexedDB.open("fieldlog");
    q.onsuccess = () => {
        const g = q.result.transaction("outbox").objectStore("outbox").getAll();
        g.onsuccess = () => done(g.result);
    };
})"""
QUEUE = """(entries, depth) => new Promise(done => {
    let deep = 0;  // nested ``depth`` deep, built here: too deep to hand over as an argument
    for (let k = 0; k < (depth || 0); k++) deep = [deep];
    if (depth) entries[0].metrics = {contacts: deep};
    const q = indexedDB.open("fieldlog");
    q.onsuccess = () => {
        const t = q.result.transaction("outbox", "readwrite");
        entries.forEach(e => t.objectStore("outbox").put({client_id: e.client_id, user: "officer",
            entry: e, state: "new", errors: {}, label: "Fotpatrull · Arjeplog", saved_at: "x"}));
        t.oncomplete = done;
    };
})"""


def queue(page, entries: list[dict], depth: int = 0) -> None:
    """Put entries in the officer's outbox from a page without the outbox script (so that none
    is sent meanwhile), then open the log, which sends what waits."""
    # The first page has filled the offline cache: its fetches no longer compete with the sends.
    ready = page.locator("#fieldlog-app[data-offline-ready]")
    expect(ready).to_have_count(1, timeout=20_000)  # a dozen pages from a server under load
    page.goto("/static/manifest.webmanifest")
    page.evaluate(f"([entries, depth]) => ({QUEUE})(entries, depth)", [entries, depth])
    page.goto("/")


def stored_entries() -> list[Entry]:
    db.session.rollback()
    return list(db.session.scalars(select(Entry).order_by(Entry.id)))


def posts(page) -> list[list[str]]:
    """The client_ids of every POST to the sync endpoint from now on, one list per request."""
    sent: list[list[str]] = []
    page.on(
        "request",
        lambda r: (
            r.method == "POST"
            and r.url.endswith("/api/v1/entries")
            # Read, not parsed: one body here is nested too deep for Python's json.
            and sent.append(re.findall(r'"client_id":"([^"]+)"', r.post_data))
        ),
    )
    return sent


def queued(n: int) -> list[dict]:
    """``n`` valid entries on fixed past days, as the phone stores them."""
    return [
        entry_data(started_at=f"2026-03-03T10:{k:02d}", officers=1, metrics={}) for k in range(n)
    ]


def test_an_entry_refused_for_its_date_is_corrected_in_the_form_and_stored_once(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    status = page.locator("#outbox-status")
    page.locator(FOTPATRULL).tap()
    form_ready(page)
    next_year = page.evaluate("() => new Date().getFullYear() + 1")
    page.get_by_label("Datum").fill(f"{next_year}-03-03")
    page.get_by_label("Klockan").fill("10:00")
    page.get_by_role("button", name="Spara").tap()
    page.wait_for_url(re.compile(r"/$"))

    refused = page.locator("#outbox-list li")
    expect(refused).to_contain_text("Ogiltig")
    expect(refused).to_contain_text("Starttiden ligger mer än 10 minuter fram i tiden.")
    expect(refused).not_to_contain_text("Starttid: Starttiden")  # the field named once
    expect(status).to_contain_text("servern tog inte emot den")
    expect(status).to_contain_text("1 ej skickad")
    expect(status).not_to_contain_text("Alla poster är skickade")
    expect(refused.get_by_role("button", name="Ta bort")).to_be_visible()
    (waiting,) = page.evaluate(OUTBOX)
    assert stored_entries() == []

    refused.get_by_role("link", name="Rätta").tap()
    page.wait_for_url(re.compile(r"/log/arjeplog-fotpatrull\?outbox="))
    form_ready(page)
    expect(page.locator("h1")).to_have_text("Fotpatrull")
    expect(page.get_by_label("Datum")).to_have_value(f"{next_year}-03-03")
    expect(page.locator("fieldset.when .error")).to_have_text(
        "Starttiden ligger mer än 10 minuter fram i tiden."
    )
    expect(page.get_by_role("alert")).to_contain_text("Servern tog inte emot posten")
    expect(page.locator("#outbox-list li")).to_have_count(0)  # the one being corrected is the form
    page.get_by_label("Datum").fill("2026-03-03")
    page.get_by_role("button", name="Spara och skicka igen").tap()
    page.wait_for_url(re.compile(r"/$"))

    expect(status).to_contain_text("Sparad och skickad")
    expect(status).to_contain_text("Alla poster är skickade")
    expect(page.locator("#outbox-list li")).to_have_count(0)
    (entry,) = stored_entries()
    assert entry.client_id == waiting["client_id"]
    assert entry.started_at.astimezone(ZONE) == dt.datetime(2026, 3, 3, 10, 0, tzinfo=ZONE)
    assert page.evaluate(OUTBOX) == []


def test_a_conflicting_edit_is_corrected_and_sent_as_an_edit_of_the_current_version(phone, users):
    officer = users["officer"]
    first = entry_data(started_at="2026-03-03T10:00", place="Torget")
    sync_entries(officer, [first])
    sync_entries(officer, [{**first, "place": "Storgatan", "base_version": 1}])
    db.session.commit()
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    # An edit the phone made before it saw version 2.
    queue(page, [{**first, "place": "Kyrkan", "base_version": 1}])
    conflict = page.locator("#outbox-list li")
    expect(conflict).to_contain_text("Konflikt")
    expect(conflict).to_contain_text("Posten har ändrats sedan (version 2).")

    conflict.get_by_role("link", name="Rätta").tap()
    form_ready(page)
    expect(page.get_by_label("Plats")).to_have_value("Kyrkan")
    expect(page.get_by_role("alert")).to_contain_text("Version: Posten har ändrats sedan")
    page.get_by_role("button", name="Spara och skicka igen").tap()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#outbox-status")).to_contain_text("Sparad och skickad")
    (entry,) = stored_entries()
    assert (entry.client_id, entry.place, entry.version) == (first["client_id"], "Kyrkan", 3)
    assert page.evaluate(OUTBOX) == []


def test_a_bad_request_is_shown_and_not_sent_again(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    page.clock.install()  # retries wait for timers that only this test moves on
    sent = posts(page)
    # JSON nested deeper than the server reads: a 400 that no fresh CSRF token mends.
    bad = entry_data(started_at="2026-03-03T10:00", officers=1)
    queue(page, [bad], depth=1500)
    refused = page.locator("#outbox-list li")
    expect(refused).to_contain_text("Inte mottagen")
    expect(refused).to_contain_text("Post: JSON-innehållet är för djupt nästlat.")
    expect(page.locator("#outbox-status")).to_contain_text("1 ej skickad")
    page.clock.run_for(10 * 60 * 1000)  # longer than the longest backoff

    # The next save sends the new entry only.
    page.locator(FOTPATRULL).tap()
    form_ready(page)
    page.get_by_label("Datum").fill("2026-03-03")
    page.get_by_role("button", name="Spara").tap()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#outbox-status")).to_contain_text("Sparad och skickad")
    assert sent == [
        [bad["client_id"]],
        [stored_entries()[0].client_id],
    ]
    expect(refused).to_contain_text("Inte mottagen")


def test_a_stale_csrf_token_is_refreshed_and_the_entry_sent_once(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    sent = posts(page)
    page.locator(FOTPATRULL).tap()
    form_ready(page)
    page.evaluate("""() => document.querySelector('meta[name="csrf-token"]').content = "stale" """)
    page.get_by_label("Datum").fill("2026-03-03")
    page.get_by_role("button", name="Spara").tap()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#outbox-status")).to_contain_text("Sparad och skickad")
    assert len(sent) == 2 and sent[0] == sent[1]
    assert len(stored_entries()) == 1


def test_a_batch_too_large_is_halved_from_what_was_sent_and_grows_again(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    sizes = []

    # A proxy in front of the server that takes at most two entries a request.
    def two_at_most(route):
        size = len(json.loads(route.request.post_data)["entries"])
        sizes.append(size)
        if size > 2:
            route.fulfill(status=413, json={"error": "För stor begäran."})
        else:
            route.continue_()

    page.route(API, two_at_most)

    entries = queued(5)
    queue(page, entries)
    # Five requests, two of them stored by a server that shares the machine with the browser.
    expect(page.locator("#outbox-status")).to_contain_text(
        "Alla poster är skickade", timeout=20_000
    )
    # 5 refused → half of 5 → after a success twice that, refused → 1 → 2.
    assert sizes == [5, 2, 3, 1, 2]
    assert sorted(e.client_id for e in stored_entries()) == sorted(e["client_id"] for e in entries)
