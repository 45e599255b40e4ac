"""One log line per request with its id, user, method, path, status and duration."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest

from fieldlog import create_app
from fieldlog.services.users import issue_token


def fetch(url: str, headers: dict[str, str] | None = None):
    """GET ``url``; the answer (read and closed), whatever its status."""
    try:
        answer = urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}))
    except urllib.error.HTTPError as error:
        answer = error
    with answer:
        answer.read()
    return answer


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.commits
def test_gunicorn_writes_one_json_line_per_request(live_server, users, tmp_path):
    token = issue_token(users["officer"])
    given = fetch(f"{live_server}/api/v1/me", {"Authorization": f"Bearer {token}"})
    assert given.status == 200
    made = fetch(f"{live_server}/api/v1/me", {"X-Request-ID": "lb-7f3a.1"})
    assert made.status == 401 and made.headers["X-Request-ID"] == "lb-7f3a.1"
    insane = fetch(f"{live_server}/nowhere", {"X-Request-ID": "<script>" + "x" * 300})
    new_id = insane.headers["X-Request-ID"]
    assert insane.status == 404 and new_id.isalnum() and len(new_id) == 32

    lines = {
        line["request_id"]: line
        for line in json_lines((tmp_path / "gunicorn.log").read_text())
        if line.get("logger") == "fieldlog.request"
    }
    first = lines[given.headers["X-Request-ID"]]
    assert first["user_id"] == users["officer"].id
    assert (first["method"], first["path"], first["status"]) == ("GET", "/api/v1/me", 200)
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert lines["lb-7f3a.1"]["user_id"] is None and lines["lb-7f3a.1"]["status"] == 401
    assert lines[new_id]["path"] == "/nowhere" and lines[new_id]["status"] == 404


@pytest.mark.commits
def test_gunicorn_warns_once_when_its_workers_count_throttling_in_memory(live_server, tmp_path):
    log = tmp_path / "gunicorn.log"
    deadline = time.monotonic() + 20
    warnings: list[dict] = []
    while not warnings and time.monotonic() < deadline:
        warnings = [x for x in json_lines(log.read_text()) if x["level"] == "WARNING"]
        threading.Event().wait(0.1)  # the first worker writes it while starting; polling
    assert len(warnings) == 1
    assert "2 workers" in warnings[0]["message"]
    assert "FIELDLOG_RATELIMIT_STORAGE_URI" in warnings[0]["message"]


def test_the_format_is_chosen_by_configuration(database_url, capsys):
    for fmt in ("text", "json"):
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "t", "LOG_FORMAT": fmt}
        )
        answer = app.test_client().get("/login", headers={"X-Request-ID": f"req-{fmt}"})
        assert answer.headers["X-Request-ID"] == f"req-{fmt}"
        err = capsys.readouterr().err
        if fmt == "text":
            assert "GET /login 200" in err and "id=req-text user=None" in err
        else:
            (line,) = [x for x in json_lines(err) if x.get("request_id") == "req-json"]
            assert (line["path"], line["status"], line["user_id"]) == ("/login", 200, None)


def test_an_unknown_format_stops_the_start_naming_the_setting(database_url):
    with pytest.raises(ValueError, match="FIELDLOG_LOG_FORMAT"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "LOG_FORMAT": "xml"})
