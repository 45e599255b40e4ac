"""Logging in and out, sessions and tokens, and the role checks the other blueprints use."""

from .access import roles_required

__all__ = ["roles_required"]
