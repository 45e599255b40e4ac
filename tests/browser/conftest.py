"""Browser fixtures: Debian's Chromium driven by Playwright, at phone size with touch."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from zoneinfo import ZoneInfo

import pytest

PHONE = {"width": 390, "height": 844}
ZONE = ZoneInfo("Europe/Stockholm")
# The time of day a phone's clock shows on the tests' fixed day: working hours.
PHONE_TIME = dt.time(10, 0)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config, items):
    """Without a Chromium, browser tests cannot run: fail in CI, say so plainly elsewhere."""
    if chromium_path():
        return
    browser_items = [i for i in items if "browser" in i.nodeid.split("::")[0]]
    if not browser_items:
        return
    if os.environ.get("FIELDLOG_REQUIRE_BROWSER"):
        raise pytest.UsageError("browser tests need Debian's chromium (apt-get install chromium)")
    for item in browser_items:
        items.remove(item)
    config.pluginmanager.get_plugin("terminalreporter").write_line(
        f"NOTE: {len(browser_items)} browser test(s) not run: no chromium on PATH "
        "(apt-get install chromium)"
    )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def phone_context(browser, base_url: str, scale: int = 2, today: str | None = None):
    """A new phone-sized browser context with touch; with ``today``, its clock stops on that day."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=scale,
        is_mobile=True,
        has_touch=True,
        base_url=base_url,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
    )
    context.set_default_timeout(10_000)
    if today:
        # The phone fills in the entry form from its own clock: the server's "today" with it.
        day = dt.date.fromisoformat(today)
        context.clock.set_fixed_time(dt.datetime.combine(day, PHONE_TIME, ZONE))
    return context


@pytest.fixture
def phone(browser, live_server, app):
    """A fresh phone-sized context on the live server, its clock on the app's fixed day."""
    context = phone_context(browser, live_server, today=app.config["FIELDLOG_TODAY"])
    yield context
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    """A desktop-sized browser context pointed at the live server."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        base_url=live_server,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def login(page, username: str, password: str) -> None:
    """Log in through the real form, tapping as a person would."""
    page.goto("/login")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").tap()
    page.wait_for_url(lambda url: "/login" not in url)


def form_ready(page) -> None:
    """Wait until the entry form's script has set it up (time, steppers, saving to the outbox)."""
    page.locator("#entry-form[data-ready]").wait_for(state="attached")
