"""The officer's log: the promise buttons, the entry form and their own entries."""

from flask import Blueprint, render_template

from ..auth import roles_required

bp = Blueprint("logging", __name__)


@bp.route("/")
@roles_required("officer", "supervisor", "coordinator", "admin")
def index():
    """The promises of the commitment in force, to log against."""
    return render_template("logging/index.html")
