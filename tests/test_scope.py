"""The one scope rule, as users meet it: every role × own area / other area × every kind of object.

Piteå älvdal's staff work with Arjeplog (2506); Arboga (1984) belongs to
Västra Mälardalen. Each entry is by another officer than the ones looking.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent

from .apiclient import ApiClient
from .review_helpers import log

AREAS = {"own": ("2506", "arjeplog-fotpatrull"), "other": ("1984", "arboga-trafiksakerhet")}
ROLES = ("officer", "supervisor", "coordinator", "admin")
YES, NO = True, False

# What each role of Piteå älvdal may do with an object of its own area and of another area.
SEES_ENTRY = {  # the entry in GET /api/v1/entries, its history page, its audit events
    "officer": {"own": NO, "other": NO},
    "supervisor": {"own": YES, "other": NO},
    "coordinator": {"own": YES, "other": NO},
    "admin": {"own": YES, "other": YES},
}
SEES_TALLIES = {  # tallies (API and page) and every export for the municipality
    "officer": {"own": 403, "other": 403},
    "supervisor": {"own": 200, "other": 403},
    "coordinator": {"own": 200, "other": 403},
    "admin": {"own": 200, "other": 200},
}
REVIEW = {  # POST /api/v1/entries/<id>/review
    "officer": {"own": 404, "other": 404},
    "supervisor": {"own": 200, "other": 404},
    "coordinator": {"own": 403, "other": 404},
    "admin": {"own": 403, "other": 403},
}


@pytest.fixture
def world(app, client, users):
    """One entry in each area, logged by officers who are not the ones looking."""
    entries = {
        "own": log(users["officer2"], promise=AREAS["own"][1], started_at="2024-03-05T10:00")[0],
        "other": log(
            users["other_officer"], promise=AREAS["other"][1], started_at="2024-03-05T10:00"
        )[0],
    }
    return ApiClient(app, client), entries


@pytest.mark.parametrize("area", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_entries_their_history_and_audit(world, users, role, area):
    api, entries = world
    user, entry_id = users[role], entries[area]
    listed = api.get("/api/v1/entries", user).get_json()["entries"]
    assert (entry_id in [e["entry_id"] for e in listed]) is SEES_ENTRY[role][area]

    api.login(role)
    history = api.get(f"/entries/{entry_id}/history")
    assert history.status_code == (200 if SEES_ENTRY[role][area] else 404)
    audit = api.get(f"/audit?object_id={entry_id}")
    if role == "officer":
        assert audit.status_code == 403
    else:
        shown = f"/entries/{entry_id}/history" in audit.get_data(as_text=True)
        assert shown is SEES_ENTRY[role][area]


@pytest.mark.parametrize("area", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_tallies_and_exports(world, users, role, area):
    api, _ = world
    code = AREAS[area][0]
    expected = SEES_TALLIES[role][area]
    assert (
        api.get(f"/api/v1/tallies?year=2024&municipality={code}", users[role]).status_code
        == expected
    )
    api.login(role)
    for path in (
        f"/tallies?year=2024&municipality={code}",
        f"/exports/tallies.csv?year=2024&municipality={code}",
        f"/exports/tallies.xlsx?year=2024&municipality={code}",
        f"/exports/entries.csv?year=2024&municipality={code}",
    ):
        assert api.get(path).status_code == expected, path


@pytest.mark.parametrize("area", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_review(world, users, role, area):
    api, entries = world
    response = api.post(
        f"/api/v1/entries/{entries[area]}/review", users[role], json={"decision": "approve"}
    )
    assert response.status_code == REVIEW[role][area]


@pytest.mark.parametrize("role", ROLES)
def test_the_list_of_entries_never_leaks_another_area(world, users, role):
    api, entries = world
    listed = {e["entry_id"] for e in api.get("/api/v1/entries", users[role]).get_json()["entries"]}
    visible = {entries[a] for a in AREAS if SEES_ENTRY[role][a]}
    assert listed == visible
    # The audit events of each entry carry its area, so the log is scoped the same way.
    areas = dict(
        db.session.execute(
            select(AuditEvent.object_id, AuditEvent.police_area_id).where(
                AuditEvent.object_type == "entry"
            )
        ).all()
    )
    assert areas[str(entries["own"])] == users["supervisor"].police_area_id
    assert areas[str(entries["other"])] == users["other_supervisor"].police_area_id
