"""Authentication of API calls: a bearer token, or the session with an X-CSRFToken header.

Refused tokens are throttled before any view, in auth/throttle.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import NoReturn

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import default_exceptions
from wtforms import ValidationError

from ..auth.loaders import via_token
from ..errors import CSRF_CODE

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def api_error(status: int, message: str, code: str | None = None) -> NoReturn:
    """End the request with a JSON error ``{"error": message}`` (and ``code``) and ``status``."""
    exc = default_exceptions[status]()
    exc.fieldlog_message = message
    exc.fieldlog_code = code
    raise exc


def api_login_required(view: Callable) -> Callable:
    """401 without a login; a session caller's unsafe request needs a valid X-CSRFToken."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            api_error(401, _("Inte inloggad."))
        if request.is_json:
            try:  # parsed once here; the view gets Flask's cached result
                request.get_json(silent=True)
            except RecursionError:
                api_error(400, _("JSON-innehållet är för djupt nästlat."))
        if request.method in UNSAFE and not via_token():
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except (ValidationError, CSRFError):
                api_error(400, _("X-CSRFToken saknas eller är ogiltig."), code=CSRF_CODE)
        return view(*args, **kwargs)

    return wrapped
