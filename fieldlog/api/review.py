"""POST /api/v1/entries/<entry_id>/review."""

from flask import jsonify, request
from flask_login import current_user

from ..services.entries import EntryError
from ..services.review import record_review
from . import bp
from .auth import api_error, api_login_required


@bp.post("/entries/<int:entry_id>/review")
@api_login_required
def review_entry(entry_id: int):
    """Approve or reject a pending entry of the supervisor's police area."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        api_error(400, 'väntade {"decision": "approve" | "reject", "comment": "…"}')
    try:
        entry = record_review(
            current_user._get_current_object(), entry_id, body.get("decision"), body.get("comment")
        )
    except EntryError as exc:
        api_error(exc.status, exc.message)
    return jsonify(
        entry_id=entry.id,
        status=entry.status,
        version=entry.version,
        review_comment=entry.review_comment,
    )
