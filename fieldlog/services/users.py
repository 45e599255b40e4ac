"""Accounts: creating users and issuing API tokens."""

from __future__ import annotations

from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..inputs import has_forbidden_characters
from ..models import ROLES, ApiToken, Municipality, PoliceArea, User
from . import audit


class UserError(Exception):
    """A refused change to an account."""


def _municipalities(codes: list[str]) -> tuple[list[Municipality], PoliceArea]:
    """The municipalities with these codes, all of one police area; UserError otherwise."""
    if not codes:
        raise UserError("municipality: a municipal user needs one or more municipality codes")
    found = {
        m.code: m
        for m in db.session.scalars(select(Municipality).where(Municipality.code.in_(codes)))
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise UserError(f"municipality: no municipality with code {', '.join(unknown)}")
    areas = {m.police_area for m in found.values()}
    if len(areas) != 1:
        raise UserError("municipality: the municipalities must belong to one police area")
    return [found[c] for c in codes], areas.pop()


def create_user(
    username: str,
    role: str,
    area_name: str | None,
    password: str,
    display_name: str = "",
    actor: User | None = None,
    municipality_codes: list[str] | None = None,
) -> User:
    """Create an active user; refuses a taken name, an unknown role, area or municipality.

    Officers, supervisors, coordinators and admins belong to the police area
    ``area_name``; a municipal user to ``municipality_codes`` (one police area's).
    """
    begin_write()
    username = username.strip()
    if not username:
        raise UserError("username: required")
    for name, text, most in (("username", username, 80), ("display_name", display_name, 120)):
        if has_forbidden_characters(text):
            raise UserError(f"{name}: contains control characters")
        if len(text) > most:
            raise UserError(f"{name}: at most {most} characters")
    if role not in ROLES:
        raise UserError(f"role: must be one of {', '.join(ROLES)}")
    municipalities: list[Municipality] = []
    if role == "municipal":
        municipalities, area = _municipalities(list(municipality_codes or []))
    else:
        area = db.session.scalar(select(PoliceArea).where(PoliceArea.name == area_name))
        if area is None:
            raise UserError(f"area: no police area named {area_name!r}")
    if len(password) < 8:
        raise UserError("password: at least 8 characters")
    if db.session.scalar(select(User).where(User.username == username)):
        raise UserError(f"username: {username!r} is taken")
    user = User(
        username=username,
        role=role,
        police_area=area,
        display_name=display_name or username,
        municipalities=municipalities,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        "user",
        user.id,
        after={
            "username": username,
            "role": role,
            "area": area.name,
            **({"municipalities": [m.code for m in municipalities]} if municipalities else {}),
        },
        actor=actor,
        actor_name=None if actor else "cli",
        police_area_id=area.id,
    )
    db.session.commit()
    return user


def issue_token(user: User, label: str = "", actor: User | None = None) -> str:
    """A new API token for ``user``; only its hash is stored, so it is shown once."""
    begin_write()
    secret = ApiToken.new_secret()
    db.session.add(ApiToken(user_id=user.id, token_hash=ApiToken.hash(secret), label=label))
    audit.record(
        "token.issued",
        "user",
        user.id,
        actor=actor,
        actor_name=None if actor else "cli",
        police_area_id=user.police_area_id,
    )
    db.session.commit()
    return secret


def user_by_name(username: str) -> User | None:
    """The user with that username, or None."""
    return db.session.scalar(select(User).where(User.username == username))
