"""Yearly tallies against targets, the entries behind each number and the printable report."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from .. import clock, rules, target_words
from ..api.auth import api_error
from ..auth import roles_required
from ..edge import int_arg
from ..extensions import db
from ..labels import outside_window_short
from ..models import FOLLOW_UP_STATES, Commitment, Municipality, TimeWindow
from ..rules import to_local
from ..rules.periods import PERIOD_ARG, named_period
from ..services import scope
from ..services.exports import parse_year
from ..services.followups import (
    STATE_WORDS,
    STATUS_WORDS,
    FollowUpError,
    overview,
    record_follow_up,
)
from .entries import (
    ENTRY_FILTERS,
    ENTRY_WORDS,
    LAST_PAGE,
    PAGE_SIZE,
    entries_behind,
    map_context,
)

bp = Blueprint("tallies", __name__)
VIEWERS = scope.VIEWERS


@bp.app_template_filter("tally_local_time")
def tally_local_time(moment: dt.datetime) -> str:
    """A stored UTC time as local date and time, e.g. 2025-03-01 20:15."""
    return to_local(moment, current_app.config["FIELDLOG_TIMEZONE"]).strftime("%Y-%m-%d %H:%M")


def chosen_year() -> int:
    """The ``year`` argument, this year when absent; a bad one ends the request with 400."""
    raw = request.args.get("year")
    if raw is None or raw == "":
        return clock.today().year
    year = parse_year(raw)
    if year is None:
        api_error(400, _("year: ett årtal mellan 2000 och 2100, till exempel 2025."))
    return year


def chosen_period() -> str | None:
    """The ``period`` argument (T1–T3, Q1–Q4, M01–M12), None for the whole year; another
    value ends the request with 422 naming the field."""
    raw = request.args.get("period") or None
    if raw is not None and not PERIOD_ARG.match(raw):
        api_error(422, _("period: T1–T3, Q1–Q4 eller M01–M12."))
    return raw


def scoped_municipalities(code: str | None) -> list[Municipality]:
    """The one municipality asked for (404 unknown, 403 another area's), else all of the user's."""
    if not code:
        return scope.visible_municipalities(current_user, read_only=True)
    return [scope.municipality_in_scope(current_user, code)]


def _years(today: dt.date) -> list[int]:
    """The years offered, newest first: next year back to the first agreement's."""
    first = db.session.scalar(select(func.min(Commitment.valid_from)))
    return list(range(today.year + 1, min(first.year if first else today.year, 2020) - 1, -1))


def _page_context(year: int, code: str | None, period: str | None = None) -> dict:
    today = clock.today()
    return {
        "year": year,
        "today": today,
        "code": code,
        "period": period,
        "span": named_period(period, year) if period else None,
        "periods": target_words.period_choices(),
        "words": target_words,
        "windows": {
            code: label
            for code, label in db.session.execute(select(TimeWindow.code, TimeWindow.label))
        },
        "years": _years(today),
        "municipalities": overview(scoped_municipalities(code), year, today, period=period),
        "status_words": STATUS_WORDS,
        "state_words": STATE_WORDS,
        "states": FOLLOW_UP_STATES,
    }


@bp.get("/tallies")
@roles_required(*VIEWERS)
def index():
    """Per municipality and commitment: each promise's count against its target, behind first."""
    code = request.args.get("municipality") or None
    page = _page_context(chosen_year(), code, chosen_period())
    return render_template("tallies/index.html", **page)


@bp.get("/tallies/report")
@roles_required(*VIEWERS)
def report():
    """The printable follow-up report for the crime-prevention council."""
    code = request.args.get("municipality") or None
    page = _page_context(chosen_year(), code, chosen_period())
    page["author"] = current_user.display_name or current_user.username
    return render_template("tallies/report.html", **page)


@bp.get("/tallies/entries")
@roles_required(*VIEWERS)
def entries():
    """The entries behind one number of the tallies page, within the user's police area."""
    year = chosen_year()
    status = request.args.get("status", "approved")
    if status not in ENTRY_FILTERS:
        api_error(400, _("status: okänt urval."))
    page = int_arg("page", 1, maximum=LAST_PAGE)
    period = chosen_period()
    span = named_period(period, year) if period else None
    # A joint agreement's row is one municipality's share: its numbers lead to that one's entries.
    code = request.args.get("municipality") or None
    where_done = scoped_municipalities(code)[0] if code else None
    promise, rows, total = entries_behind(
        current_user, request.args.get("promise", ""), year, status, page, span, code
    )
    if promise is None:
        api_error(404, _("promise: okänt löfte."))
    where = (current_user, promise.key, year, status, span, code)
    return render_template(
        "tallies/entries.html",
        **map_context(*where),
        promise=promise,
        rows=rows,
        total=total,
        year=year,
        period=period,
        code=code,
        where_done=where_done,
        period_name=target_words.period_name(period),
        status=status,
        page=page,
        page_size=PAGE_SIZE,
        filters=ENTRY_FILTERS,
        entry_words=ENTRY_WORDS,
        counts=rules.counts,
        outside_window_short=outside_window_short,
    )


@bp.post("/tallies/follow-up")
@roles_required("coordinator", "admin")
def follow_up():
    """Record the year's state of a promise followed up in words."""
    form = request.form
    year = parse_year(form.get("year"))
    try:
        record_follow_up(
            current_user, form.get("promise", ""), year, form.get("state", ""), form.get("text", "")
        )
    except FollowUpError as exc:
        if exc.status == 404:
            api_error(404, exc.message)
        # Shown at once with its status (422 names the field), not after a redirect.
        flash(exc.message, "error")
        page = _page_context(year or clock.today().year, None)
        return render_template("tallies/index.html", **page), exc.status
    flash(_("Uppföljningen sparades."), "success")
    return redirect(
        url_for(
            "tallies.index",
            year=year or clock.today().year,
            _anchor=f"p-{form.get('promise', '')}",
        )
    )


from . import exports  # noqa: E402,F401  (the export routes attach to bp)
