"""The public progress page of a municipality, without personal data, and its embeddable form."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from .. import clock
from ..security import allow_framing
from ..services.commitments import municipality_by_code
from ..services.exports import parse_year
from ..services.followups import STATE_WORDS, STATUS_WORDS, overview

bp = Blueprint("public", __name__)
MAX_AGE = 300


def cacheable(response: Response) -> Response:
    """Mark a public answer cacheable for five minutes, with an ETag; answer 304 when unchanged."""
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.vary.add("Cookie")  # the language switch is a cookie
    response.add_etag()
    return response.make_conditional(request)


def public_year() -> int | None:
    """The ``year`` argument (this year when absent); None when it is not a year."""
    raw = request.args.get("year")
    return clock.today().year if not raw else parse_year(raw)


def _render(code: str, template: str) -> Response:
    municipality = municipality_by_code(code)
    year = public_year()
    if municipality is None or year is None:
        abort(404)
    today = clock.today()
    context = {
        "municipality": municipality,
        "year": year,
        "years": list(range(today.year, 2019, -1)),
        "commitments": overview([municipality], year, today, behind_first=False)[0]["commitments"],
        "status_words": STATUS_WORDS,
        "state_words": STATE_WORDS,
    }
    return cacheable(Response(render_template(template, **context), mimetype="text/html"))


@bp.get("/public/<code>")
def municipality_page(code: str):
    """A municipality's promises and the year's progress in plain Swedish, for anyone."""
    return _render(code, "public/municipality.html")


@bp.get("/public/<code>/embed")
def embed(code: str):
    """The same progress, compact, for a municipality's website to show in an iframe."""
    allow_framing()
    return _render(code, "public/embed.html")
