"""The officer's log: the promise buttons, the entry form and their own entries."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock
from ..auth import roles_required
from ..labels import outside_window_reason
from ..models import Entry, Municipality, Promise
from ..services import scope
from ..services.commitments import PromiseResolver
from ..services.entries import SyncResult, sync_entries, validate_entry
from . import cards, formdata
from .queries import last_place_for, last_places, loggable_promise

bp = Blueprint("logging", __name__)
LOGGERS = scope.LOGGERS
STORED = ("created", "duplicate", "updated")


def zone() -> str:
    """The local time zone of FIELDLOG_TIMEZONE."""
    return current_app.config["FIELDLOG_TIMEZONE"]


def chosen_municipality(municipalities: list[Municipality]) -> Municipality | None:
    """The municipality asked for, else the one chosen last time, else the first; remembered."""
    by_code = {m.code: m for m in municipalities}
    for code in (request.args.get("municipality"), session.get("municipality")):
        if code in by_code:
            session["municipality"] = code
            return by_code[code]
    return municipalities[0] if municipalities else None


@bp.route("/")
@roles_required("officer", "supervisor", "coordinator", "admin", "municipal")
def index():
    """The promises of the agreement chosen among those in force, to log against."""
    municipalities = scope.visible_municipalities(current_user, read_only=True)
    municipality = chosen_municipality(municipalities)
    today = clock.today()
    asked = request.args.get("agreement") or session.get("agreement")
    agreements, commitment = (
        cards.chosen_agreement(municipality, today, asked) if municipality else ([], None)
    )
    if commitment is not None:
        session["agreement"] = commitment.key  # back from the form, the same agreement
    user = current_user._get_current_object()
    shown, words_only = cards.promise_cards(commitment, user, today) if commitment else ([], [])
    ended, coming = (
        cards.around_today(municipality, today) if municipality and not commitment else (None, None)
    )
    can_log = current_user.role in LOGGERS
    code = municipality.code if commitment is not None and commitment.joint else None
    precache = [url_for(".entries"), texts_url()]
    if commitment is not None and can_log:
        precache += [url_for(".log", key=c.promise.key, municipality=code) for c in shown]
    return render_template(
        "logging/index.html",
        municipalities=municipalities,
        municipality=municipality,
        agreements=agreements,
        commitment=commitment,
        cards=shown,
        words_only=words_only,
        log_code=code,
        validity=cards.validity_words(commitment) if commitment else "",
        agreement_name=cards.agreement_name,
        ended=ended,
        coming=coming,
        can_log=can_log,
        precache=precache,
    )


def save_form(fields: dict[str, Any], promise: Promise) -> tuple[SyncResult | None, dict[str, str]]:
    """Store the posted entry through the one validation; the result, or the errors by field."""
    data, errors = formdata.entry_from_form(fields, promise)
    user = current_user._get_current_object()
    if errors:
        # Report every bad field at once, but store nothing.
        resolver = PromiseResolver(user)
        _clean, more = validate_entry(data, resolver)
        return None, {**more, **errors}
    result = sync_entries(user, [data])[0]
    if result.status in STORED:
        return result, {}
    return None, result.errors


def render_form(
    promise: Promise, fields: dict, errors: dict, entry: Entry | None = None, status=200
):
    """The entry form for a promise, filled with ``fields``."""
    today = clock.today()
    start = formdata.form_start(fields, zone())
    warning = formdata.not_counted_reason(promise, start, zone()) if start else None
    places = last_places(current_user)
    if promise.place_hint and promise.place_hint not in places:
        places.append(promise.place_hint)
    covered = formdata.covered_municipalities(current_user, promise)
    where = next((m for m in covered if m.code == fields.get("municipality")), None)
    page = render_template(
        "logging/form.html",
        promise=promise,
        fields=fields,
        errors=errors,
        entry=entry,
        places=places,
        covered=covered,
        where=where or promise.commitment.municipality,
        durations=formdata.duration_choices(
            promise.activity_type.default_minutes, fields["duration"]
        ),
        labels=formdata.field_labels(),
        warning=warning,
        time_rule_reason=outside_window_reason(promise.time_rule),
        holidays=",".join(formdata.holiday_dates(today)),
    )
    return page, status


@bp.route("/log/<key>", methods=["GET", "POST"])
@roles_required(*LOGGERS)
def log(key: str):
    """The entry form for one promise; without JavaScript it posts here."""
    promise = loggable_promise(current_user, key)
    if request.method == "GET":
        code = formdata.log_municipality(current_user, promise, request.args.get("municipality"))
        place = last_place_for(current_user, promise)
        return render_form(promise, formdata.new_form(promise, zone(), code, place), {})
    fields = formdata.posted_form(request.form, promise)
    result, errors = save_form(fields, promise)
    if result is None:
        return render_form(promise, fields, errors, status=422)
    flash(
        _("Sparad: %(what)s. Den väntar på granskning.", what=promise.activity_type.label),
        "success",
    )
    start = formdata.form_start(fields, zone())
    if reason := formdata.not_counted_reason(promise, start, zone()):
        flash(reason, "warning")
    return redirect(url_for(".index"))


@bp.route("/sw.js")
def service_worker():
    """The service worker, served at the root so that it may control every page."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    response.mimetype = "text/javascript"
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


from . import own  # noqa: E402, F401  (the routes of /entries)
from .texts import texts_url  # noqa: E402  (the scripts' words, and their route)
