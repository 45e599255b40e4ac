"""Small helpers the admin views share: problems onto form fields, plain data out of forms."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm

from ..models import Commitment
from ..services.admin_problems import Problem
from .forms import CommitmentForm, lines


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
                "target_count": f.target_count.data,
                "target_per": f.target_per.data or "year",
                "target_from": f.target_from.data,
                "each_place": bool(f.each_place.data),
                "places": lines(f.places.data),
                "place_hint": _text(f.place_hint.data) or None,
                "time_rule": f.time_rule.data or None,
            }
        )
    data = {
        "key": _text(form.key.data),
        "municipalities": list(form.municipality.data or []),
        "district": _text(form.district.data) or None,
        "title": _text(form.title.data),
        "valid_from": form.valid_from.data,
        "valid_to": form.valid_to.data,
        "until_superseded": bool(form.until_superseded.data),
        "signed_on": form.signed_on.data,
        "signatories": lines(form.signatories.data),
        "promises": promises,
        "remove": removed,
    }
    # problems of removed rows are numbered after the kept ones
    return data, rows + removed_rows


def form_data(commitment: Commitment, year: int) -> dict:
    """A stored commitment as the form's data; each promise shows its target of ``year``."""
    promises = []
    for p in commitment.promises:
        target = p.target_in(year)
        promises.append(
            {
                "key": p.key,
                "area": p.area,
                "text": p.text,
                "owner": p.owner,
                "activity": p.activity_type.code if p.activity_type else "",
                "target_count": target.count if target else None,
                "target_per": target.per if target else "year",
                "target_from": year,
                "each_place": bool(target and target.each_place),
                "places": "\n".join(p.places or []),
                "place_hint": p.place_hint or "",
                "time_rule": p.time_rule or "",
            }
        )
    return {
        "key": commitment.key,
        "municipality": [m.code for m in commitment.municipalities]
        or [commitment.municipality.code],
        "district": commitment.district or "",
        "title": commitment.title,
        "valid_from": commitment.valid_from,
        "valid_to": commitment.valid_to,
        "until_superseded": commitment.until_superseded,
        "signed_on": commitment.signed_on,
        "signatories": "\n".join(commitment.signatories or []),
        "promises": promises,
    }
