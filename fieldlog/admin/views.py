"""Managing commitments, activity types and accounts in the browser (coordinators and admins)."""

from flask import Blueprint, render_template
from flask_login import current_user

from .. import clock
from ..auth import roles_required
from ..rules.in_force import in_force_in_slots
from ..services.admin_commitments import managed_municipalities
from ..services.commitments import commitments_naming

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles_required("coordinator", "admin")
def index():
    """The commitments of the caller's municipalities (joint ones under each municipality
    they cover), with those in force today and what may be done to them."""
    today = clock.today()
    municipalities = managed_municipalities(current_user)
    naming = commitments_naming([m.id for m in municipalities])
    in_force = {mid: in_force_in_slots(cs, today) for mid, cs in naming.items()}
    return render_template(
        "admin/index.html",
        municipalities=municipalities,
        naming=naming,
        in_force=in_force,
        today=today,
    )


from . import (  # noqa: E402,F401
    account_views,
    activity_views,
    commitment_views,
    upload_views,
    window_views,
)
