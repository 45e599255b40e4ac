"""Activity types, managed by admins."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import roles_required
from ..extensions import db
from ..models import ActivityType
from ..services import admin_activity_types as service
from ..services.admin_problems import ProblemsError
from .forms import ActivityTypeForm, lines
from .helpers import attach, or_404
from .views import bp


@bp.route("/activity-types")
@roles_required("admin")
def activity_types():
    """Every activity type."""
    return render_template("admin/activity_types.html", types=service.all_types())


def metric_labels(text: str | None) -> dict[str, str] | None:
    """The lines "metric: Swedish label" as a mapping (a line with no label is skipped);
    None when a line has no colon."""
    found = {}
    for line in lines(text):
        name, colon, label = line.partition(":")
        if not colon:
            return None
        if label.strip():
            found[name.strip()] = label.strip()
    return found


def _edit(form: ActivityTypeForm, existing: ActivityType | None):
    if form.validate_on_submit():
        metrics = [m for m in re.split(r"[,\s]+", form.metrics.data or "") if m]
        labels = metric_labels(form.metric_labels.data)
        if labels is None:
            form.metric_labels.errors = [_("skriv en rad per mått: mått: namn på svenska.")]
            return render_template(
                "admin/activity_type_form.html", form=form, existing=existing
            ), 422
        data = {
            "code": (form.code.data or "").strip(),
            "label": (form.label.data or "").strip(),
            "label_en": (form.label_en.data or "").strip(),
            "metrics": metrics,
            "metric_labels": labels,
            "default_minutes": form.default_minutes.data,
        }
        try:
            saved = service.save(current_user, data, existing.id if existing else None)
        except LookupError:
            abort(404)
        except ProblemsError as exc:
            attach(form, exc.problems)
        else:
            flash(_("Aktivitetstypen %(code)s är sparad.", code=saved.code), "success")
            return redirect(url_for("admin.activity_types"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/activity_type_form.html", form=form, existing=existing), status


@bp.route("/activity-types/new", methods=["GET", "POST"])
@roles_required("admin")
def activity_type_new():
    """A new activity type."""
    return _edit(ActivityTypeForm(), None)


@bp.route("/activity-types/<int:type_id>", methods=["GET", "POST"])
@roles_required("admin")
def activity_type_edit(type_id: int):
    """Change an activity type's labels, metrics and usual length (its code stays)."""
    existing = or_404(db.session.get(ActivityType, type_id))
    form = ActivityTypeForm(
        data={
            "code": existing.code,
            "label": existing.label,
            "label_en": existing.label_en,
            "metrics": ", ".join(existing.metrics or []),
            "metric_labels": "\n".join(
                f"{m}: {(existing.metric_labels or {}).get(m, '')}".rstrip()
                for m in existing.metrics or []
            ),
            "default_minutes": existing.default_minutes,
        }
    )
    return _edit(form, existing)
