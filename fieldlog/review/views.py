"""The supervisor's review queue and the audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth import roles_required
from ..inputs import record_id
from ..labels import activity_name, person_name, promise_title
from ..models import utcnow
from ..services import scope
from ..services.entries import EntryError
from ..services.review import ReviewOutcome, review_many
from .audit_log import AuditQuery, known_actions, search
from .audit_words import changes, event_actor, event_object, event_title
from .queue import REJECT_REASONS, QueueFilters, queue_page, warnings_for
from .undo import remember_decision, undo_last_decision, undoable_decision

bp = Blueprint("review", __name__)


@bp.record_once
def review_helpers(state) -> None:
    """Helpers the review templates and their imported macros share (globals reach macros)."""
    state.app.jinja_env.globals.update(
        event_title=event_title,
        event_actor=event_actor,
        event_object=event_object,
        audit_changes=changes,
        review_warnings=warnings_for,
        person_name=person_name,
        promise_title=promise_title,
        activity_name=activity_name,
    )


def _render_queue(filters: QueueFilters, selected: set[int], status: int = 200, **extra):
    page = queue_page(current_user, filters)
    return render_template(
        "review/queue.html",
        page=page,
        filters=filters,
        selected=selected,
        reasons=REJECT_REASONS,
        undo=undoable_decision(current_user),
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


def _one_entry() -> tuple[str, int] | None:
    """The decision and entry of a button on one entry of the queue, if one was pressed."""
    for decision in ("approve", "reject"):
        entry_id = record_id(request.form.get(f"{decision}_one", ""))
        if entry_id is not None:
            return decision, entry_id
    return None


@bp.post("/review")
@roles_required(*scope.REVIEWERS)
def decide():
    """Approve or reject the checked entries, or the one whose own button was pressed."""
    filters = QueueFilters.from_args(request.args)
    one = _one_entry()
    decision = one[0] if one else request.form.get("decision")
    selected = {one[1]} if one else _selected_ids()
    if not selected:
        flash(_("Markera minst en post."), "error")
        return _render_queue(filters, selected, 422)
    comment = _reject_comment() if decision == "reject" else None
    if one and decision == "reject" and not comment:
        # The entry's own "Avslå…" without a script: the panel opens for that entry alone.
        return _render_queue(filters, selected, 200, reject_open=True)
    decided_at = utcnow()
    try:
        outcome = review_many(current_user, sorted(selected), decision, comment, _seen_versions())
    except EntryError as exc:
        reason_error = _("Ange ett skäl till avslaget: välj ett eller skriv.")
        message = reason_error if decision == "reject" and not comment else exc.message
        flash(message, "error")
        return _render_queue(filters, selected, exc.status, reject_open=True)
    _flash_outcome(outcome)
    remember_decision(current_user, outcome, decided_at)
    return redirect(url_for("review.queue", **filters.args()))


@bp.post("/review/undo")
@roles_required(*scope.REVIEWERS)
def undo():
    """Take back the supervisor's last decision from the queue, within a few minutes."""
    filters = QueueFilters.from_args(request.args)
    try:
        outcome = undo_last_decision(current_user)
    except EntryError as exc:
        flash(exc.message, "error")
        return _render_queue(filters, set(), exc.status)
    flash(
        ngettext(
            "Ångrat: %(num)d post väntar på granskning igen.",
            "Ångrat: %(num)d poster väntar på granskning igen.",
            len(outcome.done),
        ),
        "success",
    )
    if outcome.skipped:
        flash(
            ngettext(
                "%(num)d post hade ändrats sedan beslutet och ändrades inte.",
                "%(num)d poster hade ändrats sedan beslutet och ändrades inte.",
                len(outcome.skipped),
            ),
            "warning",
        )
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
