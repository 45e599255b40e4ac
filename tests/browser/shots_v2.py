"""Screenshots of Version 2 on /tallies and /public/<code>: ``python -m tests.browser.shots_v2``.

The bundled agreements (Arjeplog 2506; Landskrona 1282, weekly targets with places, 2016;
Södra Fyrbodal's joint agreement for Stenungsund 1415, 2024; Göteborg centrum 1480, a
district, 2018) on the demo's data, at phone size (390×844) and desktop size (1280×800),
into docs/screenshots/v2-*.png. Not collected by the suite: it only writes pictures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ..server import gunicorn
from .conftest import CHROMIUM_ARGS, chromium_path, login
from .screenshots import DEMO_PASSWORD, OUT, ROOT

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# name, user (None: nobody), path, the promise to scroll to (or None)
PAGES = (
    ("tallies-2506", "samordnare", "/tallies?municipality=2506", None),
    ("tallies-1282-2016", "landskrona-chef", "/tallies?year=2016", "landskrona-fotpatrull"),
    ("tallies-1282-2016-t2", "landskrona-chef", "/tallies?year=2016&period=T2", None),
    ("tallies-1415-2024", "fyrbodal-chef", "/tallies?year=2024&municipality=1415", None),
    ("report-1282-2016", "landskrona-chef", "/tallies/report?year=2016", None),
    ("public-2506", None, "/public/2506", None),
    ("public-1282-2016", None, "/public/1282?year=2016", "landskrona-fotpatrull"),
    ("public-1415-2024", None, "/public/1415?year=2024", "sf-motorburen-ungdom"),
    ("public-1480-2018", None, "/public/1480?year=2018", None),
)


def take(base_url: str) -> list[Path]:
    """Every page at both sizes; the files written."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            contexts: dict[str | None, object] = {}
            for name, user, path, promise in PAGES:
                if user not in contexts:
                    context = browser.new_context(
                        viewport=viewport,
                        is_mobile=size == "phone",
                        has_touch=True,  # the login helper taps
                        base_url=base_url,
                        locale="sv-SE",
                        timezone_id="Europe/Stockholm",
                    )
                    if user:
                        login(context.new_page(), user, DEMO_PASSWORD)
                    contexts[user] = context
                page = contexts[user].new_page()
                page.goto(path)
                if promise:
                    page.locator(f'[data-promise="{promise}"]').first.evaluate(
                        "e => window.scrollTo(0, e.getBoundingClientRect().top + scrollY - 8)"
                    )
                target = OUT / f"v2-{name}-{size}.png"
                page.screenshot(path=str(target))
                page.close()
                written.append(target)
        browser.close()
    return written


def main() -> None:
    """Demo data on a temporary database, a server, and the screenshots."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "FIELDLOG_DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "FIELDLOG_SECRET_KEY": "screenshots",
        }
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run(
                [*flask, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        with gunicorn(env["FIELDLOG_DATABASE_URL"], Path(tmp) / "gunicorn.log") as url:
            for path in take(url):
                print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
