"""Uploading a commitments file: a preview first, the import in a second step."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import roles_required
from ..extensions import db
from ..services import admin_uploads
from ..services.admin_problems import swedish_line
from ..services.imports import CommitmentFileError
from .forms import PER_WORDS, ApplyForm, UploadForm
from .views import bp


def _preview_page(text: str, preview, warning: str | None = None, status: int = 200):
    apply_form = ApplyForm(payload=admin_uploads.sign(current_user, text, preview))
    return render_template(
        "admin/upload_preview.html",
        preview=preview,
        form=apply_form,
        warning=warning,
        per_words=PER_WORDS,
    ), status


@bp.route("/commitments/upload", methods=["GET", "POST"])
@roles_required("coordinator", "admin")
def upload():
    """Upload a commitments file and see what it would add and change; nothing is written."""
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8")
            preview = admin_uploads.preview(current_user, text)
        except UnicodeDecodeError:
            problems = [_("Filen är inte text i UTF-8.")]
        except CommitmentFileError as exc:
            db.session.rollback()
            problems = [swedish_line(p) for p in exc.problems]
        else:
            return _preview_page(text, preview, status=422 if preview.refused else 200)
    status = 422 if problems or form.errors else 200
    return render_template("admin/upload.html", form=form, problems=problems), status


@bp.route("/commitments/upload/apply", methods=["POST"])
@roles_required("coordinator", "admin")
def upload_apply():
    """Apply a previewed file, if it would still do what the preview showed."""
    form = ApplyForm()
    signed = (
        admin_uploads.unsign(current_user, form.payload.data or "") if form.validate() else None
    )
    if signed is None:
        flash(_("Förhandsvisningen har gått ut. Ladda upp filen igen."), "error")
        return redirect(url_for("admin.upload"))
    text, fingerprint = signed
    try:
        changes, preview = admin_uploads.apply(current_user, text, fingerprint)
    except CommitmentFileError as exc:
        db.session.rollback()
        problems = [swedish_line(p) for p in exc.problems]
        return render_template("admin/upload.html", form=UploadForm(), problems=problems), 422
    if changes is None:
        warning = _("Databasen har ändrats sedan förhandsvisningen. Se över ändringarna igen.")
        return _preview_page(
            text, preview, warning=None if preview.refused else warning, status=409
        )
    flash(_("Filen är inläst: %(n)d ändringar.", n=len(changes)), "success")
    return redirect(url_for("admin.index"))
