"""The officer's own entries: the list by status, editing, correcting and withdrawing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import roles_required
from ..labels import window_reason_of
from ..models import Entry
from ..services.entries import EntryError, withdraw_entry
from . import formdata
from .queries import own_entries, own_entry
from .views import LOGGERS, bp, render_form, save_form, zone

EDITABLE = ("pending", "rejected")


def section_of(entry: Entry) -> tuple[str, str | None]:
    """The list an entry is shown in, and why it does not count (if it does not)."""
    # The stored flag, not a recount: it is what the tallies count by.
    reason = window_reason_of(entry)
    if entry.status == "approved" and reason:
        return "not_counted", reason
    return entry.status, reason


@bp.route("/entries")
@roles_required(*LOGGERS)
def entries():
    """The user's own entries by review status."""
    sections: dict[str, list] = {"pending": [], "rejected": [], "approved": [], "not_counted": []}
    for entry in own_entries(current_user):
        name, reason = section_of(entry)
        sections[name].append((entry, reason))
    titles = {
        "pending": _("Väntar på granskning"),
        "rejected": _("Avslagna"),
        "approved": _("Godkända"),
        "not_counted": _("Inte räknade"),
    }
    return render_template(
        "logging/entries.html",
        sections=sections,
        titles=titles,
        local=lambda t: t.astimezone(ZoneInfo(zone())).strftime("%Y-%m-%d %H:%M"),
        metric_label=formdata.metric_label,
    )


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(*LOGGERS)
def edit(entry_id: int):
    """Change a pending entry, or correct a rejected one and send it again."""
    entry = own_entry(current_user, entry_id)
    if entry.status not in EDITABLE:
        flash(_("En godkänd post kan bara ändras av en gruppchef."), "error")
        return redirect(url_for(".entries"))
    promise = entry.promise
    if request.method == "GET":
        return render_form(promise, formdata.entry_form(entry, zone()), {}, entry=entry)
    fields = formdata.posted_form(request.form, promise)
    fields["client_id"] = entry.client_id
    result, errors = save_form(fields, promise)
    if result is None:
        return render_form(promise, fields, errors, entry=entry, status=422)
    flash(_("Ändringen är sparad. Posten väntar på granskning."), "success")
    return redirect(url_for(".entries"))


@bp.post("/entries/<int:entry_id>/withdraw")
@roles_required(*LOGGERS)
def withdraw(entry_id: int):
    """Take back a pending entry of one's own."""
    try:
        withdraw_entry(current_user._get_current_object(), entry_id)
    except EntryError as error:
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
    else:
        flash(_("Posten är återkallad."), "success")
    return redirect(url_for(".entries"))
