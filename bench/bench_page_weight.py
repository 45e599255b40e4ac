"""Bytes that the officer's start page `/` transfers, gzip-compressed, with everything it loads.

Run: .venv/bin/python bench/bench_page_weight.py
Builds a temporary SQLite database with the demo data, logs in as the demo officer
through Flask's test client, fetches `/` and every stylesheet, script, manifest and
icon it refers to (and the service worker), and compresses each as a server would
(gzip level 6). Also prints what the first visit fetches in the background to work
offline (the log forms, /entries and the commitment in force). Target: ≤ 50 KB.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from fieldlog import create_app  # noqa: E402
from fieldlog.demo import PASSWORD, load_demo  # noqa: E402

TARGET = 50 * 1024


def gz(data: bytes) -> int:
    """Size of ``data`` gzip-compressed at level 6."""
    return len(gzip.compress(data, compresslevel=6))


def fetch(client, url: str) -> bytes:
    """The body of a GET, which must succeed."""
    with client.get(url) as response:
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data()


def sw_source() -> str:
    """The service worker's source."""
    return (Path(__file__).resolve().parents[1] / "static" / "js" / "sw.js").read_text()


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
            login = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
            client.post(
                "/login", data={"username": "polis", "password": PASSWORD, "csrf_token": token}
            )
            html = fetch(client, "/")
            text = html.decode()
            assets = re.findall(r'<(?:link|script)[^>]+(?:href|src)="(/[^"]+)"', text)
            rows = [("/ (HTML)", len(html), gz(html))]
            seen: set[str] = set()

            def add(into: list, url: str) -> bytes:
                body = fetch(client, url)
                if url not in seen:
                    seen.add(url)
                    into.append((url, len(body), gz(body)))
                return body

            for url in [*assets, "/sw.js"]:
                body = add(rows, url)
                if url.endswith(".webmanifest"):
                    for icon in json.loads(body)["icons"]:
                        add(rows, icon["src"])
            offline: list = []
            # The service worker's app shell, then the pages the first visit caches.
            shell = re.search(r"SHELL_URLS = \[([^\]]+)\]", sw_source()).group(1)
            for url in re.findall(r'"([^"]+)"', shell):
                add(offline, url)
            match = re.search(r'data-precache="([^"]+)"', text)
            for url in json.loads(match.group(1).replace("&#34;", '"').replace("&quot;", '"')):
                add(offline, url)

    print(f"{'resource':<44} {'bytes':>8} {'gzip':>8}")
    for url, raw, packed in rows:
        print(f"{url:<44} {raw:>8} {packed:>8}")
    total = sum(r[2] for r in rows)
    print(
        f"{'TOTAL for / (page, CSS, JS, manifest, icons)':<44} "
        f"{sum(r[1] for r in rows):>8} {total:>8}"
        f"  = {total / 1024:.1f} KB (target ≤ 50 KB: {'met' if total <= TARGET else 'MISSED'})"
    )
    print()
    print("fetched once in the background on the first visit, to work offline:")
    for url, raw, packed in offline:
        print(f"{url:<44} {raw:>8} {packed:>8}")
    extra = sum(r[2] for r in offline)
    print(
        f"{'TOTAL offline cache fill':<44} {sum(r[1] for r in offline):>8} {extra:>8}"
        f"  = {extra / 1024:.1f} KB"
    )
    print(
        f"{'first visit, all of it':<44} {'':>8} {total + extra:>8}"
        f"  = {(total + extra) / 1024:.1f} KB"
    )


if __name__ == "__main__":
    main()
