"""Admins manage accounts: roles and areas, deactivation, password resets and API tokens.

Deactivating a user or resetting a password bumps the user's session epoch,
so every session opened before stops at once (the user loader checks it);
a deactivated user's tokens are revoked too.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..extensions import db
from ..inputs import FORBIDDEN_CHARACTERS, has_forbidden_characters
from ..models import ROLES, ApiToken, PoliceArea, User, utcnow
from . import audit
from .admin_problems import Problem, ProblemsError
from .users import UserError, create_user, issue_token

MIN_PASSWORD = 8


def _admin_only(actor: User) -> None:
    if actor.role != "admin":
        raise PermissionError("admins only")


def all_users() -> list[User]:
    """Every account, active ones first, by username."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.username)))


def police_areas() -> list[PoliceArea]:
    """Every police area, by name."""
    return list(db.session.scalars(select(PoliceArea).order_by(PoliceArea.name)))


def tokens_of(user: User) -> list[ApiToken]:
    """A user's API tokens, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def snapshot(user: User) -> dict[str, Any]:
    """The audited parts of an account (never a password or its hash)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "area": user.police_area.name if user.police_area else None,
        "active": user.active,
    }


def create(
    actor: User, username: str, display_name: str, role: str, area_id: int, password: str
) -> User:
    """Create an active account in a police area, audited."""
    _admin_only(actor)
    area = db.session.get(PoliceArea, area_id)
    if area is None:
        raise ProblemsError([Problem("area", _("välj ett polisområde."))])
    if db.session.scalar(select(User.id).where(User.username == username.strip())):
        raise ProblemsError([Problem("username", _("är redan taget."))])
    try:
        return create_user(username, role, area.name, password, display_name, actor=actor)
    except IntegrityError:  # the same username taken at the same moment
        db.session.rollback()
        raise ProblemsError([Problem("username", _("är redan taget."))]) from None
    except UserError as exc:
        db.session.rollback()
        field, _sep, message = str(exc).partition(": ")
        raise ProblemsError([Problem(field, message)]) from None


def _load(user_id: int) -> User:
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        db.session.rollback()
        raise LookupError(user_id)
    return user


def update_account(actor: User, user_id: int, display_name: str, role: str, area_id: int) -> User:
    """Change a user's name, role and police area, audited; an admin cannot demote themself."""
    _admin_only(actor)
    user = _load(user_id)
    area = db.session.get(PoliceArea, area_id)
    problems = []
    if role not in ROLES:
        problems.append(Problem("role", _("okänd roll.")))
    if area is None:
        problems.append(Problem("area", _("välj ett polisområde.")))
    if user.id == actor.id and role != "admin":
        problems.append(Problem("role", _("du kan inte ta bort din egen administratörsroll.")))
    if has_forbidden_characters(display_name):
        problems.append(Problem("display_name", str(FORBIDDEN_CHARACTERS)))
    if problems:
        db.session.rollback()
        raise ProblemsError(problems)
    before = snapshot(user)
    user.display_name = display_name.strip() or user.username
    user.role, user.police_area = role, area
    after = snapshot(user)
    if before != after:
        audit.record(
            "user.changed", "user", user.id, before=before, after=after, police_area_id=area.id
        )
    db.session.commit()
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    """Deactivate (ending sessions and revoking tokens at once) or reactivate an account."""
    _admin_only(actor)
    user = _load(user_id)
    if user.id == actor.id and not active:
        db.session.rollback()
        raise ProblemsError([Problem("active", _("du kan inte inaktivera dig själv."))])
    before = snapshot(user)
    user.active = active
    revoked = 0
    if not active:
        user.session_epoch += 1
        revoked = db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
    audit.record(
        "user.deactivated" if not active else "user.reactivated",
        "user",
        user.id,
        before=before,
        after={**snapshot(user), "tokens_revoked": revoked},
        police_area_id=user.police_area_id,
    )
    db.session.commit()
    return user


def reset_password(actor: User, user_id: int, password: str) -> User:
    """Set a new password for a user; their open sessions end."""
    _admin_only(actor)
    user = _load(user_id)
    if len(password) < MIN_PASSWORD:
        db.session.rollback()
        raise ProblemsError([Problem("password", _("minst 8 tecken."))])
    user.set_password(password)
    user.session_epoch += 1
    audit.record(
        "password.reset",
        "user",
        user.id,
        after={"sessions_ended": True},
        police_area_id=user.police_area_id,
    )
    db.session.commit()
    return user


def change_own_password(user_id: int, current: str, new: str) -> User:
    """A user changes their own password; other sessions of theirs end. The caller logs in again."""
    user = _load(user_id)
    if not user.check_password(current):
        db.session.rollback()
        raise ProblemsError([Problem("current", _("stämmer inte."))])
    user.set_password(new)
    user.session_epoch += 1
    audit.record(
        "password.changed", "user", user.id, actor=user, police_area_id=user.police_area_id
    )
    db.session.commit()
    return user


def issue(actor: User, user_id: int, label: str) -> tuple[User, str]:
    """A new API token for a user, to be shown once."""
    _admin_only(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    if not user.active:
        raise ProblemsError([Problem("label", _("kontot är inaktiverat."))])
    if has_forbidden_characters(label):
        raise ProblemsError([Problem("label", str(FORBIDDEN_CHARACTERS))])
    return user, issue_token(user, label.strip(), actor=actor)


def revoke(actor: User, token_id: int) -> ApiToken:
    """Revoke an API token at once, audited."""
    _admin_only(actor)
    begin_write()
    token = db.session.get(ApiToken, token_id)
    if token is None:
        db.session.rollback()
        raise LookupError(token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            "token.revoked",
            "user",
            token.user_id,
            after={"token": token.id, "label": token.label},
            police_area_id=token.user.police_area_id,
        )
    db.session.commit()
    return token
