"""GET /api/v1/public/<code>: a municipality's progress, no login, no personal data."""

from __future__ import annotations

from flask import jsonify

from .. import clock
from ..public.views import cacheable, public_year
from ..services.commitments import municipality_by_code
from ..services.followups import qualitative_states
from ..services.tallies import ROW_FIELDS
from ..services.tally_rows import yearly_rows
from . import bp
from .auth import api_error

WORD_FIELDS = ("municipality", "commitment", "promise", "text", "area", "owner", "state")


@bp.get("/public/<code>")
def public_progress(code: str):
    """One municipality's tallies of a year, and the state of its promises followed up in words."""
    municipality = municipality_by_code(code)
    if municipality is None:
        api_error(404, "okänd kommunkod")
    year = public_year()
    if year is None:
        api_error(400, "year: ett årtal mellan 2000 och 2100, till exempel 2025")
    rows = yearly_rows([municipality], year, clock.today())
    words = qualitative_states([municipality], year).values()
    return cacheable(
        jsonify(
            year=year,
            municipality={"code": municipality.code, "name": municipality.name},
            tallies=[{k: r[k] for k in ROW_FIELDS} for r in rows],
            follow_ups=[{k: w[k] for k in WORD_FIELDS} for w in words],
        )
    )
