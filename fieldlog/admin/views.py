"""Managing commitments, activity types and accounts in the browser (coordinators and admins)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
