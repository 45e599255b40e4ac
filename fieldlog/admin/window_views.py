"""Time windows (Friday and Saturday evenings, nights, …), managed by admins."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth import roles_required
from ..extensions import db
from ..models import TimeWindow
from ..services import admin_time_windows as service
from ..services.admin_problems import ProblemsError
from ..services.time_rules import usage_counts
from .forms import DAY_WORDS, TimeWindowForm
from .helpers import attach, or_404
from .views import bp


@bp.route("/time-windows")
@roles_required("admin")
def time_windows():
    """Every time window, with how many promises count in it."""
    windows = service.all_windows()
    counts = usage_counts()
    used = {w.code: counts.get(w.code, 0) for w in windows}
    return render_template(
        "admin/time_windows.html", windows=windows, used=used, day_words=DAY_WORDS
    )


def _edit(form: TimeWindowForm, existing: TimeWindow | None):
    if form.validate_on_submit():
        data = {
            "code": (form.code.data or "").strip(),
            "label": (form.label.data or "").strip(),
            "label_en": (form.label_en.data or "").strip(),
            "days": list(form.days.data or []),
            "from": (form.starts.data or "").strip(),
            "to": (form.ends.data or "").strip(),
            "holidays": bool(form.holidays.data),
        }
        try:
            saved, recounted = service.save(current_user, data, existing.id if existing else None)
        except LookupError:
            abort(404)
        except ProblemsError as exc:
            attach(form, exc.problems)
        else:
            flash(_("Tidsfönstret %(code)s är sparat.", code=saved.code), "success")
            if recounted:
                message = ngettext(
                    "%(num)d löfte är omräknat.", "%(num)d löften är omräknade.", recounted
                )
                flash(message, "success")
            return redirect(url_for("admin.time_windows"))
    status = 422 if request.method == "POST" else 200
    used = len(service.users_of(existing.code)) if existing else 0
    return render_template(
        "admin/time_window_form.html", form=form, existing=existing, used=used
    ), status


@bp.route("/time-windows/new", methods=["GET", "POST"])
@roles_required("admin")
def time_window_new():
    """A new time window."""
    return _edit(TimeWindowForm(), None)


@bp.route("/time-windows/<int:window_id>", methods=["GET", "POST"])
@roles_required("admin")
def time_window_edit(window_id: int):
    """Change a time window (its code stays); the promises counting in it are recounted."""
    existing = or_404(db.session.get(TimeWindow, window_id))
    form = TimeWindowForm(
        data={
            "code": existing.code,
            "label": existing.label,
            "label_en": existing.label_en,
            "days": list(existing.days or []),
            "starts": existing.starts,
            "ends": existing.ends,
            "holidays": existing.holidays,
        }
    )
    return _edit(form, existing)
