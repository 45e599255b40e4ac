"""HTTP as clients and caches expect it: Allow on 405, 413 for a chunked body over the
limit, and no cache keeping a logged-in page or an API answer."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import Entry
from fieldlog.services.users import issue_token

from . import factories


def test_a_405_says_which_methods_are_allowed(client, api_token):
    page = client.delete("/login")
    assert page.status_code == 405
    assert {"GET", "POST"} <= set(page.headers["Allow"].replace(" ", "").split(","))
    api = client.post("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})
    assert api.status_code == 405 and api.get_json()["error"]
    assert "GET" in api.headers["Allow"] and "POST" not in api.headers["Allow"]


@pytest.fixture
def api_token(users):
    return issue_token(users["officer"])


def test_logged_in_pages_and_the_api_are_not_kept_by_caches(client, auth, api_token):
    auth.login("officer")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/entries").headers["Cache-Control"] == "no-store"
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})
    assert api.status_code == 200 and api.headers["Cache-Control"] == "no-store"


def test_public_pages_and_static_files_stay_cacheable(client, users):
    public = client.get("/public/2506?year=2024")
    assert public.status_code == 200
    assert (
        "public" in public.headers["Cache-Control"] and "max-age" in public.headers["Cache-Control"]
    )
    css = client.get("/static/css/app.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("Cache-Control", "")
    css.close()


def post_chunked(base_url: str, path: str, token: str, body: bytes) -> tuple[int, dict]:
    """POST ``body`` in chunks of 64 KiB without a Content-Length, over a raw socket."""
    host = urlsplit(base_url)
    with socket.create_connection((host.hostname, host.port), timeout=60) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host.netloc}\r\nTransfer-Encoding: chunked\r\n"
            f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
            "Connection: close\r\n\r\n"
        )
        sock.sendall(head.encode())
        try:
            for start in range(0, len(body), 65536):
                chunk = body[start : start + 65536]
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before taking all of a body too large
        answer = b""
        while data := sock.recv(65536):
            answer += data
    head, _, payload = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


@pytest.mark.commits
def test_a_chunked_body_over_the_limit_is_413_and_one_within_it_is_taken(live_server, users):
    token = issue_token(users["officer"])
    entry = factories.entry_data(started_at="2026-03-03T10:00")
    filler = "x" * 2000
    big = {"entries": [{**entry, "notes": filler} for _ in range(1536)]}  # about 3 MiB
    status, answer = post_chunked(live_server, "/api/v1/entries", token, json.dumps(big).encode())
    assert status == 413 and answer["error"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0

    small = json.dumps({"entries": [entry]}).encode()
    status, answer = post_chunked(live_server, "/api/v1/entries", token, small)
    assert status == 200 and answer["results"][0]["status"] == "created"
