"""Routes of /api/v1: who am I, the commitment in force, the sync endpoint, entries and tallies."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..models import Commitment, Entry, Promise
from ..rules.periods import PERIOD_ARG
from ..services import scope, tallies
from ..services.commitments import agreements_in_force
from ..services.entries import parse_time, sync_entries
from ..services.entry_shapes import entry_as_dict
from ..services.exports import parse_year
from ..services.tally_rows import target_as_dict, yearly_rows
from . import bp, openapi, paging
from .auth import api_error, api_login_required


def _zone() -> str:
    return current_app.config["FIELDLOG_TIMEZONE"]


def _year_arg() -> int:
    raw = request.args.get("year")
    if raw is None:
        return clock.today().year
    year = parse_year(raw)
    if year is None:
        api_error(400, _("year: ett årtal, till exempel 2025."))
    return year


@bp.get("/openapi.json")
def openapi_description():
    """The OpenAPI description of this API."""
    return jsonify(openapi.spec())


@bp.get("/me")
@api_login_required
def me():
    """Who the caller is."""
    if current_user.role == "municipal":
        codes = [m.code for m in current_user.municipalities]
        return jsonify(
            username=current_user.username, role="municipal", area=None, municipalities=codes
        )
    area = current_user.police_area.name if current_user.police_area else None
    return jsonify(username=current_user.username, role=current_user.role, area=area)


@bp.get("/commitments/active")
@api_login_required
def commitment_active():
    """The commitment in force in a municipality on a day, with its promises' tallies that year."""
    municipality = scope.municipality_in_scope(current_user, request.args.get("municipality"))
    day = clock.today()
    if request.args.get("on"):
        try:
            day = dt.date.fromisoformat(request.args["on"])
        except ValueError:
            api_error(400, _("on: ett datum YYYY-MM-DD."))
    in_force = agreements_in_force(municipality, day)
    if not in_force:
        api_error(404, _("Inget medborgarlöfte gäller den dagen."))
    listed = [commitment_as_dict(c, day.year, municipality.id) for c in in_force]
    body = dict(listed[0]) if not in_force[0].district else {}
    body["commitments"] = listed
    return jsonify(body)


def commitment_as_dict(commitment: Commitment, year: int, municipality_id: int) -> dict:
    """A commitment and its promises with their tallies for ``year`` in one municipality
    (a joint promise's share there)."""
    counts = tallies.tally_for([p.id for p in commitment.promises], year, municipality_id)
    return {
        "key": commitment.key,
        "title": commitment.title,
        "municipality": commitment.municipality.code,
        "municipalities": [m.code for m in commitment.municipalities],
        "district": commitment.district,
        "valid_from": commitment.valid_from.isoformat(),
        "valid_to": commitment.valid_to.isoformat(),
        "until_superseded": commitment.until_superseded,
        "promises": [
            {
                "id": p.id,
                "key": p.key,
                "area": p.area,
                "text": p.text,
                "owner": p.owner,
                "activity": p.activity_type.code if p.activity_type else None,
                "metrics": p.activity_type.metrics if p.activity_type else [],
                "yearly_target": p.yearly_target_in(year),
                "target": target_as_dict(p.target_in(year)),
                "time_rule": p.time_rule,
                "place_hint": p.place_hint,
                "places": list(p.places or []) or None,
                "tally": {
                    "year": year,
                    "counted": counts[p.id]["counted"],
                    "approved": counts[p.id]["approved"],
                    "pending": counts[p.id]["pending"],
                },
            }
            for p in commitment.promises
        ],
    }


@bp.post("/entries")
@api_login_required
def post_entries():
    """Store a batch of entries idempotently; one result per entry."""
    if current_user.role not in scope.LOGGERS:
        api_error(403, _("Bara poliser och gruppchefer loggar poster."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("entries"), list):
        api_error(400, _('entries: väntade {"entries": [...]}.'))
    items = body["entries"]
    if not items:
        api_error(422, _("entries: minst en post."))
    most = current_app.config["API_MAX_ENTRIES"]
    if len(items) > most:
        api_error(413, _("entries: högst %(n)d poster per anrop.", n=most))
    results = sync_entries(current_user._get_current_object(), items)
    return jsonify(results=[r.as_dict() for r in results])


@bp.get("/entries")
@api_login_required
def list_entries():
    """The caller's own entries (officer) or their police area's, newest first, page by page."""
    limit, before = paging.page_args()
    stmt = (
        select(Entry)
        .options(
            joinedload(Entry.promise)
            .joinedload(Promise.commitment)
            .joinedload(Commitment.municipality),
            joinedload(Entry.promise).joinedload(Promise.activity_type),
        )
        .where(Entry.status != "withdrawn", scope.entries_clause(current_user))
        .order_by(Entry.id.desc())
    )
    status = request.args.get("status")
    if status is not None:
        if status not in ("pending", "approved", "rejected"):
            api_error(400, _("status: pending, approved eller rejected."))
        stmt = stmt.where(Entry.status == status)
    if request.args.get("since"):
        # An unencoded "+01:00" arrives as " 01:00": read it as the offset it was.
        raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", request.args["since"])
        since = parse_time(raw, ZoneInfo(_zone()))
        if since is None:
            api_error(400, _("since: en tid i ISO 8601."))
        # A review changes an entry without an edit: it counts as a change too.
        stmt = stmt.where(or_(Entry.updated_at >= since, Entry.reviewed_at >= since))
    if before is not None:
        stmt = stmt.where(Entry.id < before)
    # One more than the page tells whether another page follows.
    entries = list(db.session.scalars(stmt.limit(limit + 1)).unique())
    body = {"entries": [entry_as_dict(e, _zone()) for e in entries[:limit]]}
    if len(entries) > limit:
        body["next"] = paging.next_url(entries[limit - 1].id)
    return jsonify(body)


@bp.get("/tallies")
@api_login_required
def get_tallies():
    """Per-promise yearly counts against targets for the caller's police area."""
    if current_user.role == "officer":
        api_error(403, _("Uppföljningen är för gruppchefer, samordnare och administratörer."))
    year = _year_arg()
    if request.args.get("municipality"):
        municipalities = [scope.municipality_in_scope(current_user, request.args["municipality"])]
    else:
        municipalities = scope.visible_municipalities(current_user, read_only=True)
    period = request.args.get("period")
    if period is not None and not PERIOD_ARG.match(period):
        api_error(422, _("period: T1–T3, Q1–Q4 eller M01–M12."))
    rows = yearly_rows(municipalities, year, clock.today(), period)
    body = {"year": year, "tallies": [{k: r[k] for k in tallies.ROW_FIELDS} for r in rows]}
    if period is not None:
        body["period"] = period
    return jsonify(body)
