"""Throttling of failed logins and refused bearer tokens.

The counts live in the limiter's storage: with ``FIELDLOG_RATELIMIT_STORAGE_URI``
pointing at Redis, every worker of every app server counts together; with
``memory://`` each process counts alone (fine for one process, a warning otherwise).
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, current_app, request
from flask_login import current_user
from limits import parse
from werkzeug.exceptions import TooManyRequests

from ..extensions import limiter
from .loaders import bearer_token


def login_limit() -> str:
    """How many failed logins one username or one address may have in a window."""
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def counter(kind: str, value: str) -> str:
    """The storage key of one count, under THROTTLE_KEY_PREFIX (apps may share one Redis)."""
    return f"{current_app.config['THROTTLE_KEY_PREFIX']}:{kind}:{value}"


def username_key() -> str:
    """The login form's username, case and spaces ignored."""
    return counter("login-user", (request.form.get("username") or "").strip().lower())


def address_key() -> str:
    """The client's address (ProxyFix has put the real one there behind a proxy)."""
    return counter("login-addr", request.remote_addr or "")


def failed_login(response) -> bool:
    """Only a wrong username or password uses up the allowance: not a success, not a 429."""
    return request.method == "POST" and response.status_code == 401


def refuse_guessed_tokens() -> None:
    """Count a refused bearer token against the token and the address; past the limit, 429.

    A token that is accepted is never throttled, whatever other tokens failed from its
    address: the counts only decide between 401 and 429 for tokens that fail anyway.
    """
    token = bearer_token(request)
    if token is None or current_user.is_authenticated:
        return
    limit = parse(current_app.config["API_TOKEN_FAILURE_LIMIT"])
    keys = [
        counter("bad-token", hashlib.sha256(token.encode(errors="replace")).hexdigest()),
        counter("bad-token-addr", request.remote_addr or ""),
    ]
    strategy = limiter.limiter  # the in-memory fallback while the storage is unreachable
    try:
        refused = [key for key in keys if not strategy.hit(limit, key)]  # both counted
        stats = strategy.get_window_stats(limit, refused[0]) if refused else None
    except Exception:  # a storage error must not turn a 401 into a 500
        current_app.logger.warning("throttling storage unreachable", exc_info=True)
        return
    if stats is not None:
        raise TooManyRequests(retry_after=max(1, round(stats.reset_time - time.time())))


def warn_if_counted_per_process(app: Flask, workers: int) -> bool:
    """Log a warning when several workers would each keep their own throttling counts."""
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if workers <= 1 or not storage.startswith("memory://"):
        return False
    app.logger.warning(
        "%d workers count login and token failures each on their own (memory://): set "
        "FIELDLOG_RATELIMIT_STORAGE_URI=redis://… so that throttling holds across them",
        workers,
    )
    return True


def register(app: Flask) -> None:
    """Check the limits at start, and every bearer token before any view (API and exports)."""
    for name in ("LOGIN_FAILURE_LIMIT", "API_TOKEN_FAILURE_LIMIT"):
        try:
            parse(app.config[name])
        except ValueError:
            raise ValueError(
                f"FIELDLOG_{name}: a limit such as '5 per 5 minutes', not {app.config[name]!r}"
            ) from None
    app.before_request(refuse_guessed_tokens)
    skip_the_limiters_check_of_every_request(app)


def skip_the_limiters_check_of_every_request(app: Flask) -> None:
    """Take out Flask-Limiter's check before every request while it has nothing to check.

    The login's limits are decorators, which check by themselves; the hook would only find,
    on every request, that no application-wide or default limit exists.
    """
    names = (
        "RATELIMIT_APPLICATION",
        "RATELIMIT_DEFAULT",
        "RATELIMIT_META",
        "RATELIMIT_IN_MEMORY_FALLBACK",
    )
    if any(app.config.get(name) for name in names):
        return
    if limiter.limit_manager.application_limits or limiter.limit_manager.default_limits:
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # noqa: SLF001  (the hook init_app added)
        hooks.remove(limiter._check_request_limit)
