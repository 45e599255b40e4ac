"""Managing commitments, activity types and accounts in the browser (coordinators and admins)."""

from flask import Blueprint, render_template
from flask_login import current_user

from .. import clock
from ..auth import roles_required
from ..rules import commitment_in_force
from ..services.admin_commitments import managed_municipalities

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles_required("coordinator", "admin")
def index():
    """The commitments of the caller's municipalities, with what may be done to them."""
    today = clock.today()
    municipalities = managed_municipalities(current_user)
    in_force = {m.id: commitment_in_force(m.commitments, today) for m in municipalities}
    return render_template(
        "admin/index.html", municipalities=municipalities, in_force=in_force, today=today
    )


from . import (  # noqa: E402,F401
    account_views,
    activity_views,
    commitment_views,
    upload_views,
    window_views,
)
