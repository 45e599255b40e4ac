"""Login, logout and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..security import is_safe_next
from ..services import audit
from ..services.users import user_by_name
from .forms import LoginForm
from .throttle import address_key, failed_login, login_limit, username_key

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    """Where a user lands after logging in (CONTRACT.md, "Roles")."""
    landing = {"supervisor": "review.queue", "coordinator": "tallies.index", "admin": "admin.index"}
    endpoint = landing.get(user.role, "logging.index")
    if endpoint not in current_app.view_functions:
        endpoint = "logging.index"
    return url_for(endpoint)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, key_func=username_key, methods=["POST"], deduct_when=failed_login)
@limiter.limit(login_limit, key_func=address_key, methods=["POST"], deduct_when=failed_login)
def login():
    """Show the login form and log the user in."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_by_name(form.username.data.strip())
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            audit.record("login", "user", user.id, actor=user)
            db.session.commit()
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else home_for(user))
        audit.record(
            "login.failed",
            "user",
            user.id if user else "",
            actor_name=form.username.data[:80],
            police_area_id=user.police_area_id if user else None,
        )
        db.session.commit()
        flash(_("Fel användarnamn eller lösenord."), "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.get("/logout")
def logout_page():
    """Ask before logging out: a GET changes nothing, so another site's link logs nobody out."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


@bp.post("/logout")
def logout():
    """Log out (a form post with the CSRF token) and return to the login form."""
    if current_user.is_authenticated:
        audit.record("logout", "user", current_user.id)
        db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>")
def set_language(code: str):
    """Switch the interface language (sv or en) and go back."""
    target = request.args.get("next")
    response = make_response(redirect(target if is_safe_next(target) else url_for("auth.login")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
