"""Error pages: HTML for people, JSON under /api."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions

from ..extensions import db
from ..services.scope import OutOfScope


def wants_json() -> bool:
    """Whether the caller is an API client."""
    return request.path.startswith("/api/")


def _message(error: HTTPException) -> str:
    messages = {
        400: _("Felaktig begäran."),
        401: _("Inte inloggad."),
        403: _("Du har inte behörighet till detta."),
        404: _("Finns inte."),
        405: _("Metoden tillåts inte."),
        409: _("Konflikt med nuvarande läge."),
        413: _("För stor begäran."),
        422: _("Ogiltiga fält."),
        429: _("För många försök. Vänta en stund och försök igen."),
    }
    return messages.get(error.code, error.name)


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if wants_json():
            return jsonify(error=_("CSRF-token saknas eller är ogiltig.")), 400
        return render_template(
            "errors/error.html", code=400, message=_("Formuläret hade gått ut. Försök igen.")
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code >= 500:
            db.session.rollback()
        description = getattr(error, "fieldlog_message", None) or _message(error)
        if wants_json():
            response = jsonify(error=description)
        else:
            response = app.make_response(
                (
                    render_template("errors/error.html", code=error.code, message=description),
                    error.code,
                )
            )
        response.status_code = error.code
        if error.code in (405, 429) and hasattr(error, "get_headers"):
            # Allow (RFC 9110) and Retry-After say what the client may do next.
            for name, value in error.get_headers():
                if name.lower() in ("allow", "retry-after"):
                    response.headers[name] = value
        return response

    @app.errorhandler(OutOfScope)
    def out_of_scope(error: OutOfScope):
        exc = default_exceptions[error.status]()
        exc.fieldlog_message = error.message
        return http_error(exc)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        if wants_json():
            return jsonify(error=_("Internt fel. Försök igen.")), 500
        return render_template(
            "errors/error.html", code=500, message=_("Internt fel. Försök igen.")
        ), 500
