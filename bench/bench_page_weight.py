"""Bytes the officer's start page `/` transfers on the first visit, with everything it loads,
and what the first visit then fetches in the background to work offline and to be installed
(the precache).

Run: .venv/bin/python bench/bench_page_weight.py

Builds a temporary SQLite database with the demo data, logs in as the demo officer
through Flask's test client, fetches `/` and every stylesheet, script, icon and manifest
it refers to (the manifest's icons and the service worker too), then the service worker's
shell, the page's precache list and what the outbox adds once the page works offline (the
manifest, its icons and the home-screen icon). Every resource is asked for as a browser
asks, and the bytes counted are those the app sends (Flask-Compress; images go as they
are): with `Accept-Encoding: gzip`, and with `br` as browsers ask over HTTPS (static files
go at brotli's best, compressed once). A resource is counted once. Targets (issue 14):
first visit ≤ 12 KB compressed, precache ≤ 25 KB; both judged gzipped and as brotli, since
not every proxy on the way to a phone passes brotli on.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from fieldlog import create_app  # noqa: E402
from fieldlog.demo import PASSWORD, load_demo  # noqa: E402

FIRST_VISIT_TARGET = 12 * 1024
PRECACHE_TARGET = 25 * 1024


class Fetcher:
    """GETs through the test client, each resource once: raw, gzip and brotli sizes."""

    def __init__(self, client):
        self.client, self.seen, self.rows = client, set(), {}

    def sent(self, url: str, encoding: str | None) -> bytes:
        """The body the app sends for ``url`` to a client accepting ``encoding``."""
        headers = {"Accept-Encoding": encoding} if encoding else {}
        with self.client.get(url, headers=headers) as response:
            assert response.status_code == 200, (url, response.status_code)
            return response.get_data()

    def add(self, into: str, url: str) -> bytes:
        """The raw body of ``url``, counted under ``into`` unless counted before; a manifest's
        icons with it, as the browser fetches them to offer installing."""
        body = self.sent(url, None)
        if url not in self.seen:
            self.seen.add(url)
            sizes = (len(body), len(self.sent(url, "gzip")), len(self.sent(url, "gzip, br")))
            self.rows.setdefault(into, []).append((url, *sizes))
            if url.endswith(".webmanifest"):
                for icon in json.loads(body)["icons"]:
                    self.add(into, icon["src"])
        return body


def log_in(client) -> None:
    """Log in as the demo officer through the form."""
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
    client.post("/login", data={"username": "polis", "password": PASSWORD, "csrf_token": token})


def measure(client) -> dict[str, list]:
    """Fetch the first visit and the precache; their rows."""
    fetch = Fetcher(client)
    html = fetch.add("first", "/").decode()
    for url in re.findall(r'<(?:link|script)[^>]+(?:href|src)="(/[^"]+)"', html):
        fetch.add("first", url.replace("&amp;", "&"))
    sw = fetch.add("first", "/sw.js").decode()
    shell = re.search(r"SHELL_URLS = \[([^\]]+)\]", sw).group(1)
    for url in re.findall(r'"([^"]+)"', shell):
        fetch.add("precache", url)
    listed = re.search(r"data-precache='([^']+)'", html).group(1)
    for url in json.loads(listed):
        fetch.add("precache", url)
    # Added by the outbox once the page works offline: what the browser needs to install it.
    for url in re.findall(r'data-(?:manifest|icon)="(/[^"]+)"', html):
        fetch.add("precache", url)
    return fetch.rows


def verdict(size: int, target: int) -> str:
    """Whether ``size`` bytes meet ``target``."""
    return "met" if size <= target else "MISSED"


def table(title: str, rows: list, target: int) -> tuple[int, int]:
    """Print the rows and their totals, judged gzipped and as brotli; (gzip, br) totals."""
    print(f"{title:<48} {'bytes':>7} {'gzip':>7} {'br':>7}")
    for url, raw, gz, br in rows:
        print(f"  {url:<46} {raw:>7} {gz:>7} {br:>7}")
    raw, gz, br = (sum(r[i] for r in rows) for i in (1, 2, 3))
    print(
        f"  {'TOTAL':<46} {raw:>7} {gz:>7} {br:>7}   {gz / 1024:.1f} KB gzip, "
        f"{br / 1024:.1f} KB br (target ≤ {target // 1024} KB: gzip {verdict(gz, target)}, "
        f"br {verdict(br, target)})"
    )
    return gz, br


def main() -> None:
    """Measure and print."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench"}
        )
        with app.app_context():
            upgrade()
            load_demo()
            client = app.test_client()
            log_in(client)
            rows = measure(client)
    first = table("first visit: / and what it loads", rows["first"], FIRST_VISIT_TARGET)
    print()
    offline = table("precache: in the background (offline, install)",
                    rows["precache"], PRECACHE_TARGET)  # fmt: skip
    print()
    print(
        f"first visit {first[0] / 1024:.1f} KB gzip ({first[1] / 1024:.1f} KB br), "
        f"precache {offline[0] / 1024:.1f} KB gzip ({offline[1] / 1024:.1f} KB br); "
        f"targets ≤ {FIRST_VISIT_TARGET // 1024} KB and ≤ {PRECACHE_TARGET // 1024} KB: "
        f"first visit gzip {verdict(first[0], FIRST_VISIT_TARGET)}, "
        f"br {verdict(first[1], FIRST_VISIT_TARGET)}; precache gzip "
        f"{verdict(offline[0], PRECACHE_TARGET)}, br {verdict(offline[1], PRECACHE_TARGET)}"
    )


if __name__ == "__main__":
    main()
