"""Compression of what the app serves itself (Flask-Compress): gzip or brotli as the browser
asks, the same bytes once decoded, and nothing compressed for a client that did not ask."""

from __future__ import annotations

import gzip
import re

import brotli

CSRF = re.compile(rb'(name="csrf-token" content=|name="csrf_token" value=)"[^"]+"')


def same_page(a: bytes, b: bytes) -> bool:
    """Equal apart from the CSRF tokens (their signature carries the second they were made)."""
    return CSRF.sub(rb"\1", a) == CSRF.sub(rb"\1", b)


def test_a_page_asked_for_with_gzip_comes_gzipped_and_decodes_to_the_page(client, auth, users):
    auth.login("officer")
    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = packed.get_data()
    assert int(packed.headers["Content-Length"]) == len(body) < len(plain.get_data())
    page = gzip.decompress(body)
    assert page.startswith(b"<!doctype html>") and page.endswith(b"</html>")
    assert same_page(page, plain.get_data())


def test_brotli_is_preferred_when_the_browser_takes_it(client, auth, users):
    auth.login("officer")
    plain = client.get("/entries")
    packed = client.get("/entries", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert same_page(brotli.decompress(packed.get_data()), plain.get_data())


def test_static_files_and_json_are_compressed_too(client, auth, users):
    with client.get("/static/js/outbox.js") as plain:
        source = plain.get_data()
    for _ in range(2):  # compressed once, then from what was kept
        with client.get("/static/js/outbox.js", headers={"Accept-Encoding": "gzip"}) as script:
            assert script.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(script.get_data()) == source
        with client.get("/sw.js", headers={"Accept-Encoding": "gzip, br"}) as worker:
            assert worker.headers["Content-Encoding"] == "br"
            assert b'addEventListener("fetch"' in brotli.decompress(worker.get_data())
    etag = script.headers["ETag"]
    assert etag.endswith(':gzip"')
    again = client.get("/static/js/outbox.js",
                       headers={"Accept-Encoding": "gzip", "If-None-Match": etag})  # fmt: skip
    assert again.status_code == 304 and not again.get_data()
    again.close()
    auth.login("coordinator")
    api = client.get("/api/v1/commitments/active?municipality=2506",
                     headers={"Accept-Encoding": "gzip"})  # fmt: skip
    assert api.status_code == 200 and api.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(api.get_data()).startswith(b"{")


def test_small_answers_and_images_stay_as_they_are(client):
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in health.headers
    with client.get("/static/icons/icon-192.png", headers={"Accept-Encoding": "gzip"}) as png:
        assert "Content-Encoding" not in png.headers
        assert png.get_data().startswith(b"\x89PNG")
