"""Small helpers the admin views share: problems onto form fields, plain data out of forms."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm

from ..services.admin_problems import Problem
from .forms import CommitmentForm


def attach(form: FlaskForm, problems: list[Problem], rows: list[int] | None = None) -> None:
    """Put each problem on its field (a promise row's when it has one); the rest on the form."""
    for problem in problems:
        field = None
        if problem.row is not None and rows is not None and problem.row < len(rows):
            field = form.promises.entries[rows[problem.row]].form._fields.get(problem.field)
        elif problem.row is None:
            field = form._fields.get(problem.field)
        if field is None:
            form.form_errors.append(f"{problem.field}: {problem.message}")
        else:
            field.errors = [*field.errors, problem.message]


def or_404(found):
    """The thing found, or a 404 (also for one outside the caller's scope)."""
    if found is None:
        abort(404)
    return found


def _text(value: str | None) -> str:
    return (value or "").strip()


def commitment_data(form: CommitmentForm) -> tuple[dict, list[int]]:
    """The form as a commitment of the import format (and promises to remove), and their rows."""
    promises, rows, removed, removed_rows = [], [], [], []
    for i, entry in enumerate(form.promises.entries):
        f = entry.form
        if f.remove.data and _text(f.key.data):
            removed.append(_text(f.key.data))
            removed_rows.append(i)
            continue
        if f.is_blank():
            continue
        rows.append(i)
        promises.append(
            {
                "key": _text(f.key.data),
                "area": _text(f.area.data),
                "text": _text(f.text.data),
                "owner": f.owner.data,
                "activity": f.activity.data or None,
                "yearly_target": f.yearly_target.data,
                "place_hint": _text(f.place_hint.data) or None,
                "time_rule": f.time_rule.data or None,
            }
        )
    data = {
        "key": _text(form.key.data),
        "municipality": form.municipality.data,
        "title": _text(form.title.data),
        "valid_from": form.valid_from.data,
        "valid_to": form.valid_to.data,
        "until_superseded": bool(form.until_superseded.data),
        "signed_on": form.signed_on.data,
        "signatories": [s.strip() for s in (form.signatories.data or "").splitlines() if s.strip()],
        "promises": promises,
        "remove": removed,
    }
    # problems of removed rows are numbered after the kept ones
    return data, rows + removed_rows


def form_data(snapshot: dict) -> dict:
    """A stored commitment's snapshot as the form's data."""
    import datetime as dt

    def day(value):
        return dt.date.fromisoformat(value) if value else None

    return {
        **snapshot,
        "valid_from": day(snapshot["valid_from"]),
        "valid_to": day(snapshot["valid_to"]),
        "signed_on": day(snapshot["signed_on"]),
        "signatories": "\n".join(snapshot["signatories"]),
        "promises": [
            {
                **p,
                "activity": p["activity"] or "",
                "time_rule": p["time_rule"] or "",
                "place_hint": p["place_hint"] or "",
            }
            for p in snapshot["promises"]
        ],
    }
