"""How Flask-Login finds the user: the session cookie, or a bearer token."""

from __future__ import annotations

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import ApiToken, User
from ..services import catalogue

# The user's police area comes with the user, in the same statement: nearly every page and
# API answer names it or scopes by it.
WITH_AREA = joinedload(User.police_area)
# Built once: only the token's hash changes from one request to the next. The catalogue's
# stamp comes along in the same statement (services/catalogue.py).
USER_OF_TOKEN = (
    select(User, catalogue.STAMP)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        User.active.is_(True),
    )
    .options(WITH_AREA)
)
USER_BY_ID = select(User, catalogue.STAMP).where(User.id == bindparam("user_id")).options(WITH_AREA)


def register(login_manager: LoginManager) -> None:
    """Install the loaders on the login manager."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logga in för att fortsätta.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(identity: str) -> User | None:
        # The identity carries the user's session epoch: deactivation or a
        # password reset bumps it, and every older session stops at once.
        try:
            user_id, epoch = (int(x) for x in identity.split(":"))
        except ValueError:
            return None
        user = _with_stamp(USER_BY_ID, {"user_id": user_id})
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        return user

    @login_manager.request_loader
    def load_user_from_token(req) -> User | None:
        secret = bearer_token(req)
        if secret is None:
            return None
        user = user_for_token(secret)
        if user is not None:
            g.token_auth = True
        return user


def user_for_token(secret: str) -> User | None:
    """The active user a live bearer token belongs to, with their area: one indexed lookup
    (which also notes the catalogue's stamp)."""
    return _with_stamp(USER_OF_TOKEN, {"token_hash": ApiToken.hash(secret)})


def _with_stamp(statement, params: dict) -> User | None:
    """The user a statement of this module finds, noting the catalogue's stamp it carries."""
    found = db.session.execute(statement, params).first()
    if found is None:
        return None
    user, stamp = found
    catalogue.note_stamp(stamp)
    return user


def bearer_token(req) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None without one."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header.removeprefix("Bearer ").strip()


def via_token() -> bool:
    """Whether the current request was authenticated by a bearer token."""
    return bool(g.get("token_auth")) and bearer_token(request) is not None
