"""Plain factory functions for the tests."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

from fieldlog.models import User
from fieldlog.rules.calendar import is_holiday_or_eve
from fieldlog.services.imports import import_commitments
from fieldlog.services.users import create_user

BUNDLED = Path(__file__).resolve().parent.parent / "fieldlog" / "data" / "medborgarloften.yaml"
PASSWORD = "correct horse battery"
PITEA = "Piteå älvdal"
MALARDALEN = "Västra Mälardalen"
# The tests' today (the app fixture's FIELDLOG_TODAY): a plain working Wednesday of 2026, when
# every bundled agreement of Piteå älvdal is in force, and past whenever the suite runs.
TODAY = dt.date(2026, 6, 10)
# The default start of a test entry, local time: the morning of TODAY.
START = f"{TODAY.isoformat()}T09:00"


def import_bundled() -> list[str]:
    """Import the bundled commitments file."""
    return import_commitments(BUNDLED)


def make_user(username: str, role: str, area: str = PITEA, password: str = PASSWORD) -> User:
    """A user of a police area with the test password."""
    return create_user(username, role, area, password, display_name=username.title())


def make_users() -> dict[str, User]:
    """One user per role in Piteå älvdal, plus an officer and supervisor of Västra Mälardalen."""
    made = {
        role: make_user(role, role) for role in ("officer", "supervisor", "coordinator", "admin")
    }
    made["officer2"] = make_user("officer2", "officer")
    made["other_officer"] = make_user("other_officer", "officer", MALARDALEN)
    made["other_supervisor"] = make_user("other_supervisor", "supervisor", MALARDALEN)
    made["other_coordinator"] = make_user("other_coordinator", "coordinator", MALARDALEN)
    return made


def entry_data(
    promise: str = "arjeplog-fotpatrull", started_at: str | None = None, **fields
) -> dict:
    """An ENTRY of CONTRACT, valid by default: started at START, the morning of TODAY."""
    if started_at is None:
        started_at = START
    return {"client_id": str(uuid.uuid4()), "promise": promise, "started_at": started_at, **fields}


def an_hour_ago() -> str:
    """A start an hour before the real now, for the tests about recency (late sending)."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()


def recent_weekday(today: dt.date = TODAY) -> dt.date:
    """A working weekday about a week before ``today``, no holiday or eve (rule 3's calendar)."""
    day = today - dt.timedelta(days=7)
    while day.weekday() >= 5 or is_holiday_or_eve(day):
        day -= dt.timedelta(days=1)
    return day


def csrf_from(response) -> str:
    """The CSRF token a page carries in its meta tag."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page carries no csrf-token meta tag"
    return match.group(1)
