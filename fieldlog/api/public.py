"""GET /api/v1/public/<code>: a municipality's progress, no login, no personal data."""

from . import bp  # noqa: F401  (routes of the public API attach here)
