"""The officer's own entries: every section at a glance or one page by page, editing,
correcting and withdrawing."""

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
from .own_filters import OwnFilters, field_labels
from .queries import own_counts, own_entries, own_entry, own_promises
from .sections import SECTIONS, section_short_titles, section_titles
from .views import LOGGERS, bp, render_form, save_form, zone

EDITABLE = ("pending", "rejected")
PAGE_SIZE = 50  # a section's page
PREVIEW = 5  # each section's newest, in the overview


def _shown(filters: OwnFilters) -> tuple[dict[str, int], dict[str, list[Entry]]]:
    """The true count of every section, and the entries shown of each."""
    user = current_user._get_current_object()
    counts = own_counts(user, filters, zone())
    if filters.status:
        offset = (filters.page - 1) * PAGE_SIZE
        rows = own_entries(user, filters, zone(), filters.status, PAGE_SIZE, offset)
        return counts, {filters.status: rows}
    return counts, {name: own_entries(user, filters, zone(), name, PREVIEW) for name in SECTIONS}


@bp.route("/entries")
@roles_required(*LOGGERS)
def entries():
    """The user's own entries: each section's newest and true count, or one section paged."""
    promises = own_promises(current_user)
    filters = OwnFilters.from_args(request.args, {p.key for p in promises})
    counts, shown = _shown(filters) if not filters.errors else ({}, {})
    page = render_template(
        "logging/entries.html",
        filters=filters,
        promises=promises,
        counts=counts,
        shown=shown,
        titles=section_titles(),
        short_titles=section_short_titles(),
        field_names=field_labels(),
        page_size=PAGE_SIZE,
        preview=PREVIEW,
        window_reason=window_reason_of,
        local=lambda t: t.astimezone(ZoneInfo(zone())).strftime("%Y-%m-%d %H:%M"),
    )
    return page, 422 if filters.errors else 200


def _nothing_changed(entry: Entry):
    """Say plainly that an unchanged resend changed nothing; a rejected entry stays rejected."""
    if entry.status == "rejected":
        flash(
            _("Ingenting ändrades, så posten skickades inte igen och är fortfarande avslagen."),
            "warning",
        )
        return redirect(url_for(".edit", entry_id=entry.id))
    flash(_("Ingenting ändrades. Posten väntar fortfarande på granskning."), "warning")
    return redirect(url_for(".entries"))


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
    if formdata.unchanged(fields, entry, zone()):
        return _nothing_changed(entry)
    result, errors = save_form(fields, promise)
    if result is None:
        return render_form(promise, fields, errors, entry=entry, status=422)
    if result.status == "duplicate":
        return _nothing_changed(entry)
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
