"""Security headers, safe redirects, template globals, and no session for bearer tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from .auth.loaders import bearer_token
from .labels import field_message, metric_words, officers_words

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
)
# The headers of every answer, made once: only whether it may be framed and whether it came
# over TLS differ from one request to another.
ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
NOT_FRAMED = {
    "Content-Security-Policy": CSP.format(ancestors="'none'"),
    "X-Frame-Options": "DENY",
    **ALWAYS,
}
FRAMED = {"Content-Security-Policy": CSP.format(ancestors="*"), **ALWAYS}
NAMES = frozenset(name.lower() for name in NOT_FRAMED)  # FRAMED's are among them
HSTS = "max-age=31536000"
IMAGE_SOURCES = "fieldlog.image_sources"  # this request's added img-src sources


def is_safe_next(target: str | None) -> bool:
    """Whether a ``next`` target stays on this site (a path, never another host)."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


def tile_source(template: str) -> str | None:
    """The CSP source of a tile URL template: its scheme and host, a ``{s}`` subdomain as a
    wildcard ("https://tile.openstreetmap.org/{z}/{x}/{y}.png" → "https://tile.openstreetmap.org");
    None for a template that is not http(s) or has characters a CSP source cannot hold."""
    parts = urlsplit(template)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not host:
        return None
    if any(c in host for c in " ;,'\"{}") or "@" in host:
        return None
    return f"{parts.scheme}://{host}"


def allow_images_from(template: str) -> None:
    """Let this response load images (map tiles) from the host of a tile URL template."""
    source = tile_source(template)
    if source:
        # Kept with this request (not on ``g``, which may outlive it where an app context is
        # held across requests), so that no other page gets the wider policy.
        request.environ.setdefault(IMAGE_SOURCES, []).append(source)


def allow_framing() -> None:
    """Let this response be shown in another site's iframe (the embeddable public view)."""
    g.allow_framing = True


class TokenSession(SecureCookieSession):
    """The session of a bearer-token request: empty, and never sent back as a cookie."""


class SessionsForCookiesOnly(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a request carrying a bearer token gets none.

    Such a caller (a phone, a script) is identified by its token alone: no cookie is read,
    none is set, and the answer does not vary by cookie (Flask-Login's pattern for API
    logins, "Disabling Session Cookie for APIs").
    """

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        """An empty :class:`TokenSession` for a bearer-token request, else the cookie's."""
        if bearer_token(request) is not None:
            return TokenSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        """Set the cookie as Flask does, except for a bearer-token request."""
        if not isinstance(session, TokenSession):
            super().save_session(app, session, response)


def register(app: Flask) -> None:
    """Add the headers of CONTRACT to every response, csrf_token() to templates, and keep
    bearer-token requests out of the session."""
    app.session_interface = SessionsForCookiesOnly()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        chosen = FRAMED if g.get("allow_framing", False) else NOT_FRAMED
        if sources := request.environ.get(IMAGE_SOURCES):
            # Only the page that asked (the map of the entries behind a number) loads tiles.
            csp = chosen["Content-Security-Policy"].replace(
                "img-src 'self' data:;", f"img-src 'self' data: {' '.join(sources)};", 1
            )
            chosen = {**chosen, "Content-Security-Policy": csp}
        # The names already set, read in one pass: werkzeug looks a missing header up by
        # scanning them all and raising KeyError, once for each name asked.
        present = {name.lower() for name, _ in headers}
        if present.isdisjoint(NAMES):
            headers.extend(chosen)
        else:
            headers.update(chosen)
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        if "cache-control" not in present:
            # What a view does not mark cacheable (public pages, static files, the service
            # worker do) may hold a user's data or a CSRF token: no cache keeps a copy.
            headers.add("Cache-Control", "no-store")
        return response

    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["metric_words"] = metric_words  # one naming of a metric everywhere
    app.jinja_env.globals["officers_words"] = officers_words
    app.jinja_env.globals["field_message"] = field_message
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())


def nav_items() -> list[tuple[str, str, tuple[str, ...]]]:
    """The main menu: endpoint, label and who sees it; only endpoints that exist."""
    from flask import current_app
    from flask_babel import gettext as _

    from .services import scope

    items = [
        ("logging.index", _("Logga"), scope.LOGGERS),
        ("logging.entries", _("Mina poster"), scope.LOGGERS),
        ("review.queue", _("Granska"), scope.REVIEWERS),
        ("tallies.index", _("Uppföljning"), scope.VIEWERS),
        ("review.audit", _("Historik"), ("supervisor", "coordinator", "admin")),
        ("admin.index", _("Administration"), ("coordinator", "admin")),
    ]
    return [item for item in items if item[0] in current_app.view_functions]
