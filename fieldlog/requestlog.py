"""One log line per request, with a request id; JSON lines under gunicorn, plain text otherwise.

The id comes from the caller's ``X-Request-ID`` when it is sane (a proxy's or a load
balancer's), else it is made here; either way it is echoed in the answer's header,
so that a complaint, the proxy's log and ours can be matched.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
import time

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect as sa_inspect

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
log = logging.getLogger("fieldlog.request")


def log_format(app: Flask) -> str:
    """``json`` or ``text``: as configured, else JSON under gunicorn (it sets SERVER_SOFTWARE)."""
    chosen = (app.config.get("LOG_FORMAT") or "").lower()
    if chosen in ("json", "text"):
        return chosen
    if chosen:
        raise ValueError(f"FIELDLOG_LOG_FORMAT: json or text, not {chosen!r}")
    return "json" if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/") else "text"


def make_handler(fmt: str) -> logging.Handler:
    """A handler on standard error writing ``fmt`` lines."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                JSON_FIELDS,
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.fieldlog = True  # so that a later create_app replaces it instead of adding another
    return handler


def configure_logging(app: Flask) -> None:
    """Send the app's log (``fieldlog`` and below) to standard error in the chosen format."""
    from flask.logging import default_handler

    logger = app.logger
    for old in [h for h in logger.handlers if h is default_handler or getattr(h, "fieldlog", 0)]:
        logger.removeHandler(old)
    logger.addHandler(make_handler(log_format(app)))
    logger.setLevel(logging.INFO)


def request_id() -> str:
    """The current request's id (made on first use)."""
    if "request_id" not in g:
        given = request.headers.get(HEADER, "")
        g.request_id = given if SANE_ID.fullmatch(given) else secrets.token_hex(16)
    return g.request_id


def start_request() -> None:
    """Note when the request began, and fix its id."""
    g.pop("request_id", None)
    g.request_started = time.perf_counter()
    request_id()


def log_request(response):
    """Echo the id and write the request's line: who, what, how it ended, how long it took."""
    rid = request_id()
    response.headers[HEADER] = rid
    user = g.get("_login_user")  # only the user the request loaded: no query just for the log
    # Its identity, read without a query even when a commit has expired the loaded user.
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    user_id = state.identity[0] if state is not None and state.identity else None
    started = g.get("request_started") or time.perf_counter()
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    method, path, status = request.method, request.path, response.status_code
    log.info(
        "%s %s %s %sms id=%s user=%s",
        method,
        path,
        status,
        duration_ms,
        rid,
        user_id,
        extra={
            "request_id": rid,
            "user_id": user_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
        },
    )
    return response


def register(app: Flask) -> None:
    """Configure the log and time every request from the first of its hooks to the last."""
    configure_logging(app)
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    # After-request functions run in reverse order: the first one runs last.
    app.after_request_funcs.setdefault(None, []).insert(0, log_request)
