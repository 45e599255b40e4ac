"""A body sent in chunks (no Content-Length) is held to MAX_CONTENT_LENGTH like any other.

Werkzeug stops reading such a stream at the limit without a word, so a chunked body
over it reached the views cut short (a 400 for broken JSON) instead of a 413. Here the
body is read up to one byte past the limit and handed on with its length (werkzeug
ignores a length beside chunked transfer encoding, so that header goes): a body
over the limit then carries a Content-Length above it, and the first read of it
answers 413 through the app's own error handlers (JSON under /api, a page elsewhere).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from flask import Flask


class ChunkedBodyLimit:
    """WSGI middleware: a chunked body gets its length, read at most one byte past the limit."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if limit is not None and chunked and not environ.get("CONTENT_LENGTH"):
            body = _read_up_to(environ["wsgi.input"], limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]  # it is no longer sent in chunks
        return self.wsgi_app(environ, start_response)


def _read_up_to(stream, size: int) -> bytes:
    """At most ``size`` bytes of ``stream``, fewer only when it ends."""
    parts, left = [], size
    while left > 0:
        part = stream.read(min(left, 64 * 1024))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def register(app: Flask) -> None:
    """Wrap the app's WSGI callable."""
    app.wsgi_app = ChunkedBodyLimit(app, app.wsgi_app)
