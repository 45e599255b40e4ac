"""Screenshots of /review (phone, desktop), an entry history and /audit into docs/screenshots/.

Not collected by the suite (its name is not test_*); `make screenshots` runs it by path.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from playwright.sync_api import expect

from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review
from fieldlog.services.users import create_user

from ..factories import PASSWORD, PITEA, entry_data
from .conftest import login

OUT = Path(
    os.environ.get("FIELDLOG_SCREENSHOTS_DIR")
    or Path(__file__).resolve().parents[2] / "docs" / "screenshots"
)
pytestmark = [pytest.mark.browser]


def _at(days_ago: int, hour: int, minute: int = 0) -> str:
    """A local start time ``days_ago`` days back, on a weekday for the time-rule example."""
    zone = ZoneInfo("Europe/Stockholm")
    day = dt.datetime.now(zone).date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour, minute), zone).isoformat()


def _last_weekday(before_days: int) -> int:
    day = dt.date.today() - dt.timedelta(days=before_days)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return (dt.date.today() - day).days


def _queue(users) -> list[int]:
    anna = create_user("anna.lind", "officer", PITEA, PASSWORD, display_name="Anna Lind")
    erik = create_user("erik.nutti", "officer", PITEA, PASSWORD, display_name="Erik Nutti")
    items = [
        (
            anna,
            entry_data(
                "arjeplog-fotpatrull",
                _at(1, 20, 15),
                place="Storgatan, centrum",
                officers=2,
                metrics={"contacts": 14},
                notes="Lugnt. Pratade med ungdomar vid torget.",
            ),
        ),
        (
            erik,
            entry_data(
                "arjeplog-trafikinsats-obekvam",
                _at(_last_weekday(3), 14, 0),
                place="Väg 95 vid Slagnäs",
                officers=3,
                metrics={"vehicles_checked": 41, "breath_tests": 41, "fines": 3, "reports": 1},
            ),
        ),
        (
            anna,
            entry_data(
                "arjeplog-trafikkontroll",
                _at(0, 7, 40),
                place="Skolgatan, vid Kyrkskolan",
                officers=2,
                metrics={"vehicles_checked": 23, "breath_tests": 23, "fines": 1},
            ),
        ),
        (
            erik,
            entry_data(
                "alvsbyn23-hundsok",
                _at(0, 9, 5),
                place="Älvsbyns gymnasium",
                officers=2,
                metrics={"reports": 1},
            ),
        ),
        (
            anna,
            entry_data(
                "arjeplog-ungdomsbesok",
                _at(0, 10, 30),
                place="Ungdomsgården",
                metrics={"contacts": 25},
            ),
        ),
    ]
    ids = []
    with current_app.test_request_context():
        for user, item in items:
            ids.append(sync_entries(user, [item])[0].entry_id)
    return ids


def test_review_screenshots(browser, live_server, users):
    OUT.mkdir(parents=True, exist_ok=True)
    ids = _queue(users)
    for name, options in {
        "phone": {
            "viewport": {"width": 390, "height": 844},
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
        },
        "desktop": {"viewport": {"width": 1280, "height": 800}, "has_touch": True},
    }.items():
        context = browser.new_context(
            base_url=live_server, locale="sv-SE", timezone_id="Europe/Stockholm", **options
        )
        page = context.new_page()
        login(page, "supervisor", PASSWORD)
        page.goto("/review")
        expect(page.locator("#select-all")).to_be_visible()
        page.locator(f'input[name="entry_id"][value="{ids[0]}"]').check()
        page.locator(f'input[name="entry_id"][value="{ids[2]}"]').check()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=OUT / f"review-{name}.png", full_page=False)
        # One entry's own "Avslå…": the panel opens short, the entry stays in view above it.
        page.locator(f'[data-reject-one="{ids[1]}"]').click()
        page.locator(f"#entry-{ids[1]}").scroll_into_view_if_needed()
        page.screenshot(path=OUT / f"review-reject-{name}.png", full_page=False)
        context.close()

    record_review(users["supervisor"], ids[0], "approve", None)
    context = browser.new_context(
        base_url=live_server,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    login(page, "supervisor", PASSWORD)
    page.goto(f"/entries/{ids[0]}/history")
    page.get_by_text("Rätta den godkända posten").tap()
    page.screenshot(path=OUT / "review-entry-phone.png", full_page=True)
    page.goto("/audit")
    page.screenshot(path=OUT / "audit-phone.png", full_page=False)
    page.goto("/review")
    page.get_by_label("Markera alla", exact=False).check()
    page.get_by_role("button", name="Godkänn markerade").click()
    page.screenshot(path=OUT / "review-undo-phone.png", full_page=False)
    context.close()

    # A resent entry's history: created, rejected (by whom, why), sent again.
    item = entry_data("arjeplog-fotpatrull", _at(2, 19, 30), place="Torget", officers=2)
    with current_app.test_request_context():
        (created,) = sync_entries(users["officer"], [item])
        record_review(
            users["supervisor"], created.entry_id, "reject", "Fel plats: Torget hör inte till"
        )
        resent = {**item, "place": "Storgatan, centrum", "base_version": 1}
        sync_entries(users["officer"], [resent])
    for name, viewport in {"phone": (390, 844), "desktop": (1280, 800)}.items():
        context = browser.new_context(
            base_url=live_server,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            viewport={"width": viewport[0], "height": viewport[1]},
            has_touch=True,
        )
        page = context.new_page()
        login(page, "officer", PASSWORD)
        page.goto(f"/entries/{created.entry_id}/history")
        page.screenshot(path=OUT / f"review-history-{name}.png", full_page=True)
        context.close()
