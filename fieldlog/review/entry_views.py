"""An entry's page with its audit history, and the supervisor's correction of an approved entry."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import roles_required
from ..extensions import db
from ..inputs import NOT_A_WHOLE_NUMBER, number_from_form, record_id
from ..models import Commitment, Entry, Municipality, Promise
from ..services.entries import EntryError
from ..services.review import correct_entry
from ..services.scope import entry_area_id, may_review_entry, may_see_entry
from .audit_log import entry_history
from .views import bp

EDITABLE_FIELDS = ("promise", "started_at", "ended_at", "place", "officers", "notes")


def _entry_or_404(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or not may_see_entry(current_user, entry):
        abort(404)
    return entry


def _promise_choices(entry: Entry) -> list[tuple[str, list[Promise]]]:
    """The countable promises of the entry's police area, grouped by commitment."""
    area_id = entry_area_id(entry)
    commitments = db.session.scalars(
        select(Commitment)
        .join(Municipality)
        .where(Municipality.police_area_id == area_id)
        .options(selectinload(Commitment.promises).selectinload(Promise.activity_type))
        .order_by(Municipality.name, Commitment.valid_from)
    )
    return [(c.title, [p for p in c.promises if p.activity_type]) for c in commitments]


def _form_values(entry: Entry) -> dict:
    zone = ZoneInfo(current_app.config["FIELDLOG_TIMEZONE"])

    def local(t):
        return t.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if t else ""

    return {
        "promise": entry.promise.key,
        "started_at": local(entry.started_at),
        "ended_at": local(entry.ended_at),
        "place": entry.place or "",
        "officers": entry.officers,
        "notes": entry.notes or "",
        "metrics": dict(entry.metrics or {}),
        "reason": "",
    }


def _render(
    entry: Entry, values: dict | None = None, errors: dict | None = None, status: int = 200
):
    correctable = may_review_entry(current_user, entry) and entry.status == "approved"
    return render_template(
        "review/entry.html",
        entry=entry,
        history=entry_history(entry.id),
        correctable=correctable,
        choices=_promise_choices(entry) if correctable else [],
        values=values or _form_values(entry),
        errors=errors or {},
        metric_names=sorted(set(entry.promise.activity_type.metrics) | set(entry.metrics or {})),
    ), status


@bp.get("/entries/<int:entry_id>/history")
@login_required
def entry_page(entry_id: int):
    """An entry and its history, for its author and its area's supervisors and coordinators."""
    return _render(_entry_or_404(entry_id))


def _submitted() -> dict:
    """The posted fields as an ENTRY carries them: counts as numbers, as the phone sends them."""
    data = {name: (request.form.get(name) or "").strip() or None for name in EDITABLE_FIELDS}
    data["officers"] = number_from_form(data["officers"])
    metrics = {}
    for key, value in request.form.items():
        if key.startswith("metric_") and value.strip():
            metrics[key.removeprefix("metric_")] = number_from_form(value.strip())
    data["metrics"] = metrics
    return data


@bp.post("/review/entries/<int:entry_id>/correct")
@roles_required("supervisor")
def correct(entry_id: int):
    """Correct an approved entry, with a reason; the tallies follow."""
    entry = _entry_or_404(entry_id)
    data = _submitted()
    try:
        correct_entry(
            current_user,
            entry.id,
            _drop_empty_metrics(data, entry),
            _seen_version(),
            request.form.get("reason"),
        )
    except EntryError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message, "error")
        db.session.rollback()
        values = {**data, "reason": request.form.get("reason", ""), "metrics": data["metrics"]}
        return _render(
            db.session.get(Entry, entry_id), values, getattr(exc, "fields", {}), exc.status
        )
    flash(_("Posten är rättad."), "success")
    return redirect(url_for("review.entry_page", entry_id=entry_id))


def _seen_version() -> int:
    """The version the supervisor saw (a hidden field); EntryError 422 naming it when garbled."""
    version = record_id(request.form.get("version", ""))
    if version is None:
        message = _("Version: %(reason)s", reason=NOT_A_WHOLE_NUMBER)
        exc = EntryError(message, 422)
        exc.fields = {"version": message}
        raise exc
    return version


def _drop_empty_metrics(data: dict, entry: Entry) -> dict:
    """Leave out zero counts of metrics the newly chosen activity does not have."""
    promise = db.session.scalar(select(Promise).where(Promise.key == (data.get("promise") or "")))
    allowed = set(promise.activity_type.metrics) if promise and promise.activity_type else set()
    data = dict(data)
    data["metrics"] = {k: v for k, v in data["metrics"].items() if k in allowed or v not in (0, "")}
    return data
