"""The supervisor's review queue and the audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth import roles_required
from ..inputs import record_id
from ..labels import person_name
from ..services import scope
from ..services.entries import EntryError
from ..services.review import ReviewOutcome, review_many
from .audit_log import AuditQuery, action_label, changes, known_actions, search
from .queue import REJECT_REASONS, QueueFilters, metric_label, queue_page, warnings_for

bp = Blueprint("review", __name__)


@bp.record_once
def review_helpers(state) -> None:
    """Helpers the review templates and their imported macros share (globals reach macros)."""
    state.app.jinja_env.globals.update(
        metric_label=metric_label,
        action_label=action_label,
        audit_changes=changes,
        review_warnings=warnings_for,
        person_name=person_name,
    )


def _render_queue(filters: QueueFilters, selected: set[int], status: int = 200, **extra):
    page = queue_page(current_user, filters)
    return render_template(
        "review/queue.html",
        page=page,
        filters=filters,
        selected=selected,
        reasons=REJECT_REASONS,
        **extra,
    ), status


@bp.get("/review")
@roles_required(*scope.REVIEWERS)
def queue():
    """The pending entries of the supervisor's police area, oldest first."""
    return _render_queue(QueueFilters.from_args(request.args), set())


def _selected_ids() -> set[int]:
    """The checked entries' ids; a value that is no id names no entry."""
    ids = (record_id(v) for v in request.form.getlist("entry_id"))
    return {i for i in ids if i is not None}


def _seen_versions() -> dict[int, int]:
    """The version of each entry as the supervisor saw it (hidden ``v<id>`` fields)."""
    found = {}
    for key, value in request.form.items():
        entry_id = record_id(key[1:]) if key.startswith("v") else None
        version = record_id(value)
        if entry_id is not None and version is not None:
            found[entry_id] = version
    return found


def _reject_comment() -> str:
    picked = REJECT_REASONS.get(request.form.get("reason", ""))
    text = (request.form.get("comment") or "").strip()
    if picked and text:
        return f"{picked}: {text}"
    return str(picked) if picked else text


def _flash_outcome(outcome: ReviewOutcome) -> None:
    n = len(outcome.done)
    if outcome.decision == "approve":
        flash(ngettext("%(num)d post godkänd.", "%(num)d poster godkända.", n), "success")
    else:
        flash(ngettext("%(num)d post avslagen.", "%(num)d poster avslagna.", n), "success")
    if outcome.already_reviewed:
        flash(
            ngettext(
                "%(num)d post hade redan granskats av någon annan och ändrades inte.",
                "%(num)d poster hade redan granskats av någon annan och ändrades inte.",
                len(outcome.already_reviewed),
            ),
            "warning",
        )
    if outcome.changed:
        flash(
            ngettext(
                "%(num)d post har ändrats av polisen sedan du öppnade sidan; granska den igen.",
                "%(num)d poster har ändrats av polisen sedan du öppnade sidan; granska dem igen.",
                len(outcome.changed),
            ),
            "warning",
        )
    if outcome.refused or outcome.unknown:
        flash(
            _(
                "%(num)d markerade poster kunde du inte granska (egna eller okända).",
                num=len(outcome.refused) + len(outcome.unknown),
            ),
            "warning",
        )


@bp.post("/review")
@roles_required(*scope.REVIEWERS)
def decide():
    """Approve or reject the checked entries in one action."""
    filters = QueueFilters.from_args(request.args)
    selected = _selected_ids()
    decision = request.form.get("decision")
    if not selected:
        flash(_("Markera minst en post."), "error")
        return _render_queue(filters, selected, 422)
    comment = _reject_comment() if decision == "reject" else None
    try:
        outcome = review_many(current_user, sorted(selected), decision, comment, _seen_versions())
    except EntryError as exc:
        reason_error = _("Ange ett skäl till avslaget: välj ett eller skriv.")
        message = reason_error if decision == "reject" and not comment else exc.message
        flash(message, "error")
        return _render_queue(filters, selected, exc.status, reject_open=True)
    _flash_outcome(outcome)
    return redirect(url_for("review.queue", **filters.args()))


@bp.get("/audit")
@roles_required("supervisor", "coordinator", "admin")
def audit():
    """Search the audit log of the user's police area."""
    query, errors = AuditQuery.from_args(request.args)
    events, more = (
        ([], False)
        if errors
        else search(current_user, query, current_app.config["FIELDLOG_TIMEZONE"])
    )
    return render_template(
        "review/audit.html",
        query=query,
        errors=errors,
        events=events,
        more=more,
        actions=known_actions(current_user),
    ), (422 if errors else 200)


from . import entry_views  # noqa: E402,F401  (routes attach to bp)
