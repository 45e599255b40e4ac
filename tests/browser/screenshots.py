"""Phone-size screenshots into docs/screenshots/: ``python -m tests.browser.screenshots``.

Starts gunicorn on a temporary SQLite database loaded with ``flask demo``, logs in
as each shot's user in Chromium at 390×844 and saves one PNG per shot. Add a page by
appending a Shot to SHOTS.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..server import gunicorn
from .conftest import CHROMIUM_ARGS, chromium_path, form_ready, login, phone_context

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
DEMO_PASSWORD = "fieldlog-demo"


@dataclass
class Shot:
    """One screenshot: file name (no .png), who is logged in, the path, what to do first."""

    name: str
    user: str | None
    path: str
    actions: Callable | None = None


def _wait_offline_ready(page) -> None:
    page.locator("#fieldlog-app[data-offline-ready]").wait_for(state="attached")


def _daytime_warning(page) -> None:
    form_ready(page)
    day = dt.date.today() - dt.timedelta(days=7)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Klockan").fill("10:00")
    page.locator("#not-counted").wait_for(state="visible")


SHOTS: list[Shot] = [
    Shot("logging-index", "polis", "/", _wait_offline_ready),
    Shot("logging-form", "polis", "/log/arjeplog-fotpatrull"),
    Shot("logging-form-warning", "polis", "/log/arjeplog-trafikinsats-obekvam", _daytime_warning),
    Shot("logging-entries", "polis", "/entries"),
    Shot("municipal-index", "kommun", "/", _wait_offline_ready),
    Shot("municipal-tallies", "kommun", "/tallies"),
    Shot("review-coordinator", "samordnare", "/review"),
    # Each role's first page after logging in (CONTRACT.md, "Roles"), and a citizen's.
    Shot("first-officer", "polis", "/", _wait_offline_ready),
    Shot("first-municipal", "kommun", "/", _wait_offline_ready),
    Shot("first-supervisor", "gruppchef", "/review"),
    Shot("first-coordinator", "samordnare", "/tallies"),
    Shot("first-admin", "admin", "/admin"),
    Shot("first-citizen", None, "/public/2506"),
    Shot("first-arboga-coordinator", "arboga", "/tallies?year=2024"),
    Shot("first-landskrona-officer", "landskrona", "/entries"),
]


def take(shots: list[Shot], base_url: str) -> list[Path]:
    """Take the shots against a running server; the files written."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        contexts: dict[str | None, object] = {}
        for shot in shots:
            if shot.user not in contexts:
                context = phone_context(browser, base_url, scale=1)
                if shot.user:
                    login(context.new_page(), shot.user, DEMO_PASSWORD)
                contexts[shot.user] = context
            page = contexts[shot.user].new_page()
            page.goto(shot.path)
            if shot.actions:
                shot.actions(page)
            path = OUT / f"{shot.name}.png"
            page.screenshot(path=str(path))
            page.close()
            written.append(path)
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
        subprocess.run(
            [*flask, "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run([*flask, "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        with gunicorn(env["FIELDLOG_DATABASE_URL"], Path(tmp) / "gunicorn.log") as url:
            for path in take(SHOTS, url):
                print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
