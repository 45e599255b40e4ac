"""The public progress page of a municipality, without personal data, and its embeddable form."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
)
from sqlalchemy import func, select

from .. import clock, target_words
from ..extensions import db
from ..labels import municipality_words
from ..models import Commitment
from ..security import allow_framing
from ..services.commitments import commitments_during_year, municipality_by_code
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


def years_in_force(municipality, this_year: int) -> list[int]:
    """The years, newest first, in which an agreement of the municipality was in force on some
    day, up to this year: the only years the page offers."""
    first = db.session.scalar(select(func.min(Commitment.valid_from)))
    if first is None:
        return []
    return [
        year
        for year in range(this_year, first.year - 1, -1)
        if commitments_during_year(municipality, year)
    ]


def _render(code: str, template: str) -> Response:
    municipality = municipality_by_code(code)
    year = public_year()
    if municipality is None or year is None:
        abort(404)
    today = clock.today()
    years = years_in_force(municipality, today.year)
    if not request.args.get("year") and years and year not in years:
        # No agreement this year (Landskrona's of 2016): the newest year that had one, rather
        # than an empty page for a year the page does not even offer.
        year = years[0]
    context = {
        "municipality": municipality,
        "year": year,
        "years": years,
        "commitments": overview([municipality], year, today, behind_first=False)[0]["commitments"],
        "status_words": STATUS_WORDS,
        "state_words": STATE_WORDS,
        "municipality_words": municipality_words,
        "words": target_words,
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


@bp.get("/favicon.ico")
def favicon():
    """The site's small icon: browsers and bookmarks ask for it at this address."""
    icon = Path(current_app.static_folder) / "favicon.ico"
    response = Response(icon.read_bytes(), mimetype="image/x-icon")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
