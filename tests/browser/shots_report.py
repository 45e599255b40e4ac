"""The printed report and the tallies page with outcome sums.

``python -m tests.browser.shots_report``.

On the demo's data, in Chromium: the printable report of Arjeplog (this year) and of
Landskrona 2016, printed to PDF on A4 (``page.pdf``) into docs/screenshots/report-*-a4.pdf;
each PDF's pages rendered to PNG with poppler's ``pdftoppm`` when it is installed
(``apt-get install poppler-utils``), else the page screenshotted in print media at A4 width;
and /tallies of Landskrona 2016 at 1280×800 with a promise's outcome sums in view.
Not collected by the suite: it only writes pictures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..server import gunicorn
from .conftest import CHROMIUM_ARGS, chromium_path, login
from .screenshots import DEMO_PASSWORD, OUT, ROOT

# name, user, path
REPORTS = (
    ("report-2506", "samordnare", "/tallies/report?municipality=2506"),
    ("report-1282-2016", "landskrona-chef", "/tallies/report?year=2016"),
    ("report-1282-2016-t2", "landskrona-chef", "/tallies/report?year=2016&period=T2"),
)
TODAY = "2026-06-10"  # the tests' fixed day: the pictures do not change with the date
A4_WIDTH = 794  # CSS pixels of 210 mm


def _pages_as_png(pdf: Path, pages: int = 2) -> list[Path]:
    """The first ``pages`` pages of ``pdf`` as PNGs beside it (…-p1.png); none without
    pdftoppm."""
    if not shutil.which("pdftoppm"):
        return []
    stem = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", str(pages), str(pdf), f"{stem}-p"],
        check=True,
    )
    found = sorted(pdf.parent.glob(f"{stem.name}-p-*.png"))
    renamed = []
    for f in found:
        target = f.with_name(f"{stem.name}-p{int(f.stem.rsplit('-', 1)[1])}.png")
        f.replace(target)
        renamed.append(target)
    return renamed


def take(base_url: str) -> list[Path]:
    """The PDFs, their pages and the tallies page; the files written."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        contexts = {}
        for name, user, path in REPORTS:
            if user not in contexts:
                contexts[user] = browser.new_context(
                    viewport={"width": A4_WIDTH, "height": 1123},
                    has_touch=True,
                    base_url=base_url,
                    locale="sv-SE",
                    timezone_id="Europe/Stockholm",
                )
                login(contexts[user].new_page(), user, DEMO_PASSWORD)
            page = contexts[user].new_page()
            page.goto(path)
            pdf = OUT / f"{name}-a4.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=True)
            written.append(pdf)
            pngs = _pages_as_png(pdf)
            if not pngs:
                page.emulate_media(media="print")
                shot = OUT / f"{name}-a4-p1.png"
                page.screenshot(path=str(shot), full_page=True)
                pngs = [shot]
            written.extend(pngs)
            page.close()
        desk = browser.new_context(
            viewport={"width": 1280, "height": 800},
            has_touch=True,
            base_url=base_url,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
        )
        login(desk.new_page(), "landskrona-chef", DEMO_PASSWORD)
        page = desk.new_page()
        page.goto("/tallies?year=2016")
        page.locator(".outcomes").first.evaluate(
            "e => window.scrollTo(0,"
            " e.closest('article').getBoundingClientRect().top + scrollY - 8)"
        )
        shot = OUT / "tallies-1282-2016-outcomes-desktop.png"
        page.screenshot(path=str(shot))
        written.append(shot)
        browser.close()
    return written


def main() -> None:
    """Demo data on a temporary database, a server, and the pictures."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "FIELDLOG_DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "FIELDLOG_SECRET_KEY": "screenshots",
            "FIELDLOG_TODAY": TODAY,
        }
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run(
                [*flask, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        log = Path(tmp) / "gunicorn.log"
        with gunicorn(env["FIELDLOG_DATABASE_URL"], log, today=TODAY) as url:
            for path in take(url):
                print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
