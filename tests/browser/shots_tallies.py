"""Screenshots of the follow-up pages into docs/screenshots/ (run by `make screenshots`).

Not collected by the suite (the name is not test_*): it only writes pictures.
"""

from __future__ import annotations

from playwright.sync_api import expect  # noqa: F401

from fieldlog.demo import PASSWORD
from fieldlog.services.followups import record_follow_up

from .conftest import login
from .test_tallies import SHOTS
from .test_tallies import demo as demo  # the fixture


def test_screenshots(browser, phone, live_server, demo):
    """docs/screenshots/tallies.png, public-2506.png, report.png (phone) and report-a4.png."""
    year = None
    for key, state, text in (
        ("arjeplog-felanmalan", "genomfort", "Rutinen för felanmälan är beslutad och spridd."),
        ("arjeplog-vald-nara-relation", "pagar", "Utbildning för personalen planerad i vår."),
    ):
        from fieldlog.clock import today

        year = today().year
        record_follow_up(demo, key, year, state, text)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone.new_page()
    login(page, "samordnare", PASSWORD)
    for name, url in (
        ("tallies", f"/tallies?year={year}"),
        ("report", f"/tallies/report?year={year}"),
        ("public-2506", f"/public/2506?year={year}"),
    ):
        page.goto(url)
        page.screenshot(path=str(SHOTS / f"{name}.png"))
        page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)
    page.goto(f"/tallies?year={year}")
    words = page.locator('article[data-promise="arjeplog-trafikverket"]')
    words.locator("summary").tap()
    page.locator("h4").first.scroll_into_view_if_needed()
    page.locator("h4").first.evaluate("e => window.scrollTo(0, e.offsetTop - 8)")
    page.screenshot(path=str(SHOTS / "tallies-words.png"))
    page.goto(f"/public/2506/embed?year={year}")
    page.screenshot(path=str(SHOTS / "public-2506-embed.png"))
    a4 = browser.new_context(
        viewport={"width": 794, "height": 1123},
        base_url=live_server,
        locale="sv-SE",
        has_touch=True,
    )
    wide = a4.new_page()
    login(wide, "samordnare", PASSWORD)
    wide.goto(f"/tallies/report?year={year}&municipality=2506")
    wide.emulate_media(media="print")
    wide.screenshot(path=str(SHOTS / "report-a4.png"), full_page=True)
    wide.pdf(path=str(SHOTS / "report-a4.pdf"), format="A4", print_background=True)
    a4.close()
