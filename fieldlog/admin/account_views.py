"""Accounts: admins manage users and their tokens; everyone changes their own password."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..auth import roles_required
from ..auth.forms import PasswordForm
from ..extensions import db
from ..labels import ROLE_WORDS
from ..models import User
from ..services import accounts
from ..services.admin_problems import ProblemsError
from .forms import (
    ActionForm,
    NewUserForm,
    ResetPasswordForm,
    TokenForm,
    UserForm,
    choices,
    role_choices,
)
from .helpers import attach, or_404
from .views import bp

NEW_TOKEN = "new_api_token"  # session key: a token issued, waiting for its one display


def _choices(form: UserForm) -> None:
    form.role.choices = role_choices()
    form.area.choices = choices((a.id, a.name) for a in accounts.police_areas())


@bp.route("/users")
@roles_required("admin")
def users():
    """Every account."""
    return render_template("admin/users.html", users=accounts.all_users(), roles=ROLE_WORDS)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_new():
    """Create an account."""
    form = NewUserForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            user = accounts.create(
                current_user,
                form.username.data,
                form.display_name.data or "",
                form.role.data,
                form.area.data,
                form.password.data,
            )
        except ProblemsError as exc:
            attach(form, exc.problems)
        else:
            flash(_("Kontot %(name)s är skapat.", name=user.username), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_new.html", form=form), status


def _detail(user: User, status: int = 200, **forms):
    form = forms.get("form") or UserForm(
        data={"display_name": user.display_name, "role": user.role, "area": user.police_area_id}
    )
    _choices(form)
    return render_template(
        "admin/user_detail.html",
        user=user,
        form=form,
        tokens=accounts.tokens_of(user),
        password_form=forms.get("password_form") or ResetPasswordForm(),
        token_form=forms.get("token_form") or TokenForm(),
        action=ActionForm(),
        secret=forms.get("secret"),
    ), status


def _detail_once(user: User):
    """The account page; a token just issued for this user is in it this once, never cached."""
    shown = session.get(NEW_TOKEN)
    if not shown or shown.get("user_id") != user.id:
        return _detail(user)
    session.pop(NEW_TOKEN)
    response = make_response(_detail(user, secret=shown["secret"]))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_detail(user_id: int):
    """One account: change name, role and area; reset the password; tokens; deactivate."""
    user = or_404(db.session.get(User, user_id))
    if request.method == "GET":
        return _detail_once(user)
    form = UserForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            accounts.update_account(
                current_user, user_id, form.display_name.data or "", form.role.data, form.area.data
            )
        except ProblemsError as exc:
            attach(form, exc.problems)
        else:
            flash(_("Kontot är ändrat."), "success")
            return redirect(url_for("admin.user_detail", user_id=user_id))
    return _detail(user, 422, form=form)


@bp.post("/users/<int:user_id>/password")
@roles_required("admin")
def user_password(user_id: int):
    """Reset a user's password; their open sessions end."""
    user = or_404(db.session.get(User, user_id))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(current_user, user_id, form.password.data)
        flash(_("Lösenordet är bytt. Användarens öppna sessioner har avslutats."), "success")
        return redirect(url_for("admin.user_detail", user_id=user_id))
    return _detail(user, 422, password_form=form)


@bp.post("/users/<int:user_id>/active")
@roles_required("admin")
def user_active(user_id: int):
    """Deactivate (sessions and tokens stop at once) or reactivate an account."""
    or_404(db.session.get(User, user_id))
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(current_user, user_id, active)
    except ProblemsError as exc:
        flash(exc.problems[0].message, "error")
    else:
        flash(_("Kontot är aktiverat.") if active else _("Kontot är inaktiverat."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/tokens")
@roles_required("admin")
def user_token(user_id: int):
    """Issue an API token; it is shown this once."""
    user = or_404(db.session.get(User, user_id))
    form = TokenForm()
    if not form.validate_on_submit():
        return _detail(user, 422, token_form=form)
    try:
        user, secret = accounts.issue(current_user, user_id, form.label.data or "")
    except ProblemsError as exc:
        attach(form, exc.problems)
        return _detail(user, 422, token_form=form)
    # Shown once by the page this redirects to: a reload shows no token and issues none.
    session[NEW_TOKEN] = {"user_id": user.id, "secret": secret}
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required("admin")
def token_revoke(token_id: int):
    """Revoke an API token at once."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        token = accounts.revoke(current_user, token_id)
    except LookupError:
        abort(404)
    flash(_("Token återkallad."), "success")
    return redirect(url_for("admin.user_detail", user_id=token.user_id))


@bp.route("/password", methods=["GET", "POST"])
@roles_required("officer", "supervisor", "coordinator", "admin")
def password():
    """Change one's own password; one's other sessions end."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_own_password(current_user.id, form.current.data, form.new.data)
        except ProblemsError as exc:
            attach(form, exc.problems)
        else:
            login_user(user)  # this session carries the new epoch; the others end
            flash(_("Ditt lösenord är bytt."), "success")
            return redirect(url_for("admin.password"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/password.html", form=form), status
