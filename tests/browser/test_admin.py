"""Administration in Chromium: a commitment entered on a phone is loggable at once, an upload
preview lists the whole bundled file, and a deactivated user's open session stops."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from fieldlog.extensions import db
from fieldlog.models import PoliceArea
from fieldlog.services.users import create_user

from ..admin_helpers import THIS_YEAR, THREE_PROMISES, VALID_FROM, VALID_TO
from ..factories import BUNDLED, PASSWORD, PITEA
from .conftest import login, phone_context

pytestmark = pytest.mark.browser
# `make screenshots` points this at docs/screenshots/; an ordinary run keeps the tree clean.
SCREENSHOTS = Path(os.environ.get("FIELDLOG_SCREENSHOTS_DIR") or tempfile.mkdtemp())


def test_a_coordinator_enters_a_commitment_and_an_officer_logs_against_it_at_once(
    users, phone, browser, live_server
):
    page = phone.new_page()
    login(page, "coordinator", PASSWORD)
    page.goto("/admin/")
    page.get_by_role("link", name="Nytt medborgarlöfte").tap()
    page.get_by_label("Arjeplog (2506)", exact=True).check()
    page.get_by_label("Titel", exact=True).fill("Medborgarlöften Arjeplog")
    page.get_by_label("Gäller från", exact=True).fill(VALID_FROM)
    page.get_by_label("Gäller till", exact=True).fill(VALID_TO)
    for i, promise in enumerate(THREE_PROMISES):
        page.locator(f"#promises-{i}-text").fill(promise["text"])
        page.locator(f"#promises-{i}-area").fill(promise["area"])
        page.locator(f"#promises-{i}-owner").select_option(promise["owner"])
        page.locator(f"#promises-{i}-activity").select_option(promise["activity"])
        page.locator(f"#promises-{i}-target_count").fill(promise["yearly_target"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#promises-0-text").focus()
    page.locator("#promises-0-text").blur()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "admin-commitment.png"))
    page.get_by_role("button", name="Spara").tap()
    key = f"arjeplog-{THIS_YEAR - 1}-{THIS_YEAR + 1}"
    expect(page.get_by_role("status")).to_have_text(f"Medborgarlöftet {key} är sparat.")
    expect(page.get_by_role("link", name="Medborgarlöften Arjeplog", exact=True)).to_be_visible()

    officer = phone_context(browser, live_server)
    try:
        opage = officer.new_page()
        login(opage, "officer", PASSWORD)
        token = opage.locator('meta[name="csrf-token"]').get_attribute("content")
        entry = {
            "client_id": str(uuid.uuid4()),
            "promise": f"{key}-1",
            "started_at": f"{THIS_YEAR}-01-02T10:00:00",
        }
        response = opage.request.post(
            "/api/v1/entries", data={"entries": [entry]}, headers={"X-CSRFToken": token}
        )
        assert response.status == 200
        [result] = response.json()["results"]
        assert result["status"] == "created", result
        active = opage.request.get("/api/v1/commitments/active?municipality=2506").json()
        assert [p["key"] for p in active["promises"]] == [f"{key}-1", f"{key}-2", f"{key}-3"]
        assert active["promises"][0]["tally"]["pending"] == 1
    finally:
        officer.close()


def test_an_upload_preview_of_the_bundled_file_lists_every_commitment_and_promise(app, phone):
    db.session.add(PoliceArea(name=PITEA))
    db.session.commit()
    create_user("admin", "admin", PITEA, PASSWORD)
    page = phone.new_page()
    login(page, "admin", PASSWORD)
    page.goto("/admin/commitments/upload")
    page.get_by_label("Fil med medborgarlöften (YAML)").set_input_files(str(BUNDLED))
    page.get_by_role("button", name="Förhandsvisa").tap()
    expect(page.get_by_role("heading", name="Förhandsvisning")).to_be_visible()
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    commitments = page.locator(".preview-commitment")
    expect(commitments).to_have_count(len(doc["commitments"]))
    for c in doc["commitments"]:
        section = page.locator(f'.preview-commitment[data-key="{c["key"]}"]')
        expect(section.locator("h2")).to_have_text(f"Ny {c['title']}")
        rows = section.locator(".preview-promises li")
        expect(rows).to_have_count(len(c["promises"]))
        for row, p in zip(rows.all(), c["promises"], strict=True):
            expect(row).to_have_attribute("data-key", p["key"])
            expect(row).to_contain_text(p["text"].strip())
    page.screenshot(path=str(SCREENSHOTS / "admin-upload-preview.png"))
    # nothing is written until the second step
    page.goto("/admin/")
    expect(page.get_by_text("Arjeplog")).to_have_count(0)


def test_a_deactivated_users_open_session_stops_working(users, phone, browser, live_server):
    officer = phone.new_page()
    login(officer, "officer", PASSWORD)
    expect(officer.locator("h1").first).to_be_visible()

    admin_context = phone_context(browser, live_server)
    try:
        admin = admin_context.new_page()
        login(admin, "admin", PASSWORD)
        admin.goto("/admin/users")
        admin.get_by_role("link", name="Officer", exact=True).tap()
        admin.get_by_role("button", name="Inaktivera kontot").tap()
        expect(admin.get_by_role("status")).to_have_text("Kontot är inaktiverat.")
    finally:
        admin_context.close()

    officer.reload()
    expect(officer).to_have_url(re.compile(r"/login"))
    token = officer.locator('meta[name="csrf-token"]').get_attribute("content")
    response = officer.request.post(
        "/api/v1/entries", data={"entries": []}, headers={"X-CSRFToken": token}
    )
    assert response.status == 401
