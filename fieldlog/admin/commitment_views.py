"""Creating, editing and ending commitments in forms."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth import roles_required
from ..services import admin_commitment_end as ending
from ..services import admin_commitments as service
from ..services.admin_activity_types import all_types
from ..services.admin_problems import ProblemsError
from ..services.admin_time_windows import all_windows
from .forms import PER_WORDS, CommitmentForm, EndForm, choices, time_rule_choices
from .helpers import attach, commitment_data, form_data, or_404
from .views import bp

BLANK_ROWS = 3


def _choices(form: CommitmentForm) -> None:
    form.municipality.choices = choices(
        (m.code, f"{m.name} ({m.code})") for m in service.managed_municipalities(current_user)
    )
    activities = choices(
        [("", _("Ingen – följs upp i ord"))] + [(a.code, a.label) for a in all_types()]
    )
    rules = time_rule_choices(all_windows())
    for entry in form.promises.entries:
        entry.form.activity.choices = activities
        entry.form.time_rule.choices = rules


def target_history(commitment) -> dict[str, str]:
    """Each stored promise's targets by year in words ("2025: 5 per år · 2027: 12 per år")."""
    if commitment is None:
        return {}
    return {
        p.key: " · ".join(
            f"{t.from_year}: {t.count} {PER_WORDS[t.per]}"
            + (f" {_('för varje plats')}" if t.each_place else "")
            for t in p.targets
        )
        for p in commitment.promises
        if p.targets
    }


def _edit(form: CommitmentForm, commitment=None):
    """Show the form; with "more rows" add empty promise rows; else validate and save."""
    if request.method == "POST" and "more" in request.form:
        for _n in range(BLANK_ROWS):
            form.promises.append_entry()
    _choices(form)
    status = 200
    if "more" not in request.form and form.validate_on_submit():
        data, rows = commitment_data(form)
        try:
            saved = service.save(current_user, data, commitment.id if commitment else None)
        except LookupError:
            abort(404)
        except ProblemsError as exc:
            attach(form, exc.problems, rows)
        else:
            flash(_("Medborgarlöftet %(key)s är sparat.", key=saved.key), "success")
            return redirect(url_for("admin.index"))
    if request.method == "POST" and "more" not in request.form:
        status = 422  # saved forms have redirected
    existing = {p.key for p in commitment.promises} if commitment else set()
    return render_template(
        "admin/commitment_form.html",
        form=form,
        commitment=commitment,
        existing=existing,
        history=target_history(commitment),
    ), status


@bp.route("/commitments/new", methods=["GET", "POST"])
@roles_required("coordinator", "admin")
def commitment_new():
    """A new commitment with its promises."""
    form = CommitmentForm()
    if request.method == "GET":
        for _n in range(BLANK_ROWS):
            form.promises.append_entry()
    return _edit(form)


@bp.route("/commitments/<int:commitment_id>", methods=["GET", "POST"])
@roles_required("coordinator", "admin")
def commitment_edit(commitment_id: int):
    """Change a commitment of the caller's area and its promises; the tallies follow at once."""
    commitment = or_404(service.scoped_commitment(current_user, commitment_id))
    if request.method == "GET":
        year = service.shown_year(
            commitment.valid_from, commitment.valid_to, commitment.until_superseded
        )
        form = CommitmentForm(data=form_data(commitment, year))
        form.promises.append_entry()
    else:
        form = CommitmentForm()
    return _edit(form, commitment)


@bp.route("/commitments/<int:commitment_id>/end", methods=["GET", "POST"])
@roles_required("coordinator", "admin")
def commitment_end(commitment_id: int):
    """End a commitment early, or mark it superseded by a later one of the same municipality."""
    commitment = or_404(service.scoped_commitment(current_user, commitment_id))
    form = EndForm()
    form.successor.choices = choices(
        [(0, _("Inget – ange sista dag"))]
        + [(c.id, f"{c.title} ({c.valid_from.isoformat()})") for c in ending.successors(commitment)]
    )
    status = 200
    if form.validate_on_submit():
        try:
            ended, outside = ending.end(
                current_user, commitment_id, form.last_day.data, form.successor.data or None
            )
        except ProblemsError as exc:
            attach(form, exc.problems)
            status = 422
        else:
            flash(
                _(
                    "%(key)s gäller nu till och med %(day)s.",
                    key=ended.key,
                    day=ended.valid_to.isoformat(),
                ),
                "success",
            )
            if outside:
                message = ngettext(
                    "%(num)d post ligger utanför den nya perioden. Den behåller sitt löfte; "
                    "ändringen står i loggen.",
                    "%(num)d poster ligger utanför den nya perioden. De behåller sitt löfte; "
                    "ändringen står i loggen.",
                    outside,
                )
                flash(message, "warning")
            return redirect(url_for("admin.index"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/commitment_end.html", form=form, commitment=commitment), status
