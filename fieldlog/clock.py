"""The app's one today(): the local date, or a fixed day for tests and demos."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> dt.date:
    """Today's date in FIELDLOG_TIMEZONE, or the fixed day of the FIELDLOG_TODAY setting."""
    fixed = current_app.config.get("FIELDLOG_TODAY")
    if isinstance(fixed, dt.datetime):
        return fixed.date()
    if isinstance(fixed, dt.date):
        return fixed
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.datetime.now(ZoneInfo(current_app.config["FIELDLOG_TIMEZONE"])).date()
