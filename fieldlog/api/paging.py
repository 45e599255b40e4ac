"""Pages of GET /api/v1/entries: ``limit``, the ``before`` cursor and the absolute ``next`` link.

Entries come newest first by ``entry_id``; a page ends at its last id and the
next one starts below it, so entries added meanwhile (they get higher ids)
never push one onto a later page twice or past the client unseen.
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from ..inputs import ID_MAX, whole_number
from .auth import api_error

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000
# The filters a next link carries besides the cursor.
CARRIED = ("status", "since", "limit")
LARGEST_ID = ID_MAX  # entry.id is a 32-bit integer on PostgreSQL


def _whole(name: str) -> int | None:
    """The query argument as read by the one parser (``inputs.whole_number``); None when
    absent, -1 when it is no whole number."""
    raw = request.args.get(name)
    if raw is None:
        return None
    number = whole_number(raw)
    return -1 if number is None else number


def page_args() -> tuple[int, int | None]:
    """The page size and the cursor asked for; a bad one ends the request with 422 naming it."""
    limit = _whole("limit")
    if limit is None:
        limit = DEFAULT_LIMIT
    elif not 1 <= limit <= MAX_LIMIT:
        api_error(422, _("limit: ett heltal från 1 till %(n)d.", n=MAX_LIMIT))
    before = _whole("before")
    if before is not None and before < 1:
        api_error(422, _("before: ett entry_id (heltal från 1), som i länken next."))
    if before is not None and before > LARGEST_ID:
        before = None  # every id lies below it; compared as is, PostgreSQL would overflow
    return limit, before


def next_url(last_id: int) -> str:
    """The absolute URL of the page after the one ending with ``last_id``, same filters."""
    carried = {k: request.args[k] for k in CARRIED if k in request.args}
    return url_for(request.endpoint, _external=True, **carried, before=last_id)
