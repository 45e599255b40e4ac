"""Who may change what here: officers and supervisors nothing, a coordinator only their own area,
only admins accounts and activity types. Every refusal leaves the database as it was."""

import pytest
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import ActivityType, ApiToken, AuditEvent, Commitment, Promise, User

from .admin_helpers import (
    commitment_form,
)
from .factories import BUNDLED, csrf_from


def state() -> tuple:
    """Everything the admin pages could change, as comparable values."""
    db.session.expire_all()
    commitments = [
        (c.key, c.title, c.valid_to, c.until_superseded)
        for c in db.session.scalars(select(Commitment).order_by(Commitment.id))
    ]
    promises = [
        (p.key, p.text, [(t.from_year, t.count) for t in p.targets], p.time_rule, p.commitment_id)
        for p in db.session.scalars(select(Promise).order_by(Promise.id))
    ]
    users = [
        (u.username, u.role, u.police_area_id, u.active, u.session_epoch, u.password_hash)
        for u in db.session.scalars(select(User).order_by(User.id))
    ]
    types = [(a.code, a.label, a.metrics) for a in db.session.scalars(select(ActivityType))]
    tokens = db.session.scalar(select(func.count(ApiToken.id)))
    return commitments, promises, users, types, tokens


def _ids():
    arjeplog = db.session.scalar(select(Commitment).where(Commitment.key == "arjeplog-2023-2024"))
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    token = ApiToken(user_id=officer.id, token_hash="x" * 64, label="t")
    db.session.add(token)
    db.session.commit()
    fotpatrull = db.session.scalar(select(ActivityType).where(ActivityType.code == "fotpatrull"))
    return arjeplog.id, officer.id, token.id, fotpatrull.id


def _attempts(client, commitment_id, user_id, token_id, type_id):
    """Every changing request of the admin pages, with a valid CSRF token and valid data."""
    token = csrf_from(client.get("/"))
    form = commitment_form(client, "/")
    yield "/admin/commitments/new", form
    yield f"/admin/commitments/{commitment_id}", {**form, "title": "Ändrad"}
    yield (
        f"/admin/commitments/{commitment_id}/end",
        {"csrf_token": token, "last_day": "2023-06-30", "successor": "0"},
    )
    with open(BUNDLED, "rb") as f:
        yield "/admin/commitments/upload", {"csrf_token": token, "file": (f, "m.yaml")}
    yield (
        "/admin/activity-types/new",
        {
            "csrf_token": token,
            "code": "ny",
            "label": "Ny",
            "label_en": "New",
            "metrics": "a",
            "default_minutes": "30",
        },
    )
    yield (
        f"/admin/activity-types/{type_id}",
        {
            "csrf_token": token,
            "label": "X",
            "label_en": "X",
            "metrics": "",
            "default_minutes": "30",
        },
    )
    yield (
        "/admin/users/new",
        {
            "csrf_token": token,
            "username": "new",
            "display_name": "",
            "role": "admin",
            "area": "1",
            "password": "long enough pw",
        },
    )
    yield (
        f"/admin/users/{user_id}",
        {"csrf_token": token, "display_name": "X", "role": "admin", "area": "1"},
    )
    yield f"/admin/users/{user_id}/password", {"csrf_token": token, "password": "another pass"}
    yield f"/admin/users/{user_id}/active", {"csrf_token": token, "active": "0"}
    yield f"/admin/users/{user_id}/tokens", {"csrf_token": token, "label": "x"}
    yield f"/admin/tokens/{token_id}/revoke", {"csrf_token": token}


@pytest.mark.parametrize("username", ["officer", "supervisor"])
def test_officers_and_supervisors_change_nothing(client, auth, users, username):
    ids = _ids()
    auth.login(username)
    assert client.get("/admin/").status_code == 403
    before = state()
    for url, data in _attempts(client, *ids):
        assert client.post(url, data=data).status_code == 403, url
    assert state() == before


def test_a_coordinator_of_another_area_changes_nothing_of_this_area(client, auth, users):
    ids = _ids()
    auth.login("other_coordinator")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Arboga" in page and "Arjeplog" not in page
    before = state()
    statuses = {
        url: client.post(url, data=data).status_code for url, data in _attempts(client, *ids)
    }
    assert state() == before
    commitment_id = ids[0]
    assert statuses["/admin/commitments/new"] == 422  # Arjeplog is not one of their municipalities
    assert statuses[f"/admin/commitments/{commitment_id}"] == 404
    assert statuses[f"/admin/commitments/{commitment_id}/end"] == 404
    assert client.get(f"/admin/commitments/{commitment_id}").status_code == 404
    # the bundled file touches other areas and activity types: previewed, refused, never applied
    assert statuses["/admin/commitments/upload"] in (200, 422)
    for url, status in statuses.items():
        if "/users" in url or "/tokens" in url or "/activity-types" in url:
            assert status == 403, url
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_name == "other_coordinator")
    )
    assert set(actions) == {"login"}


def test_a_coordinator_may_not_manage_accounts_or_activity_types(client, auth, users):
    auth.login("coordinator")
    assert client.get("/admin/").status_code == 200
    for url in (
        "/admin/users",
        "/admin/users/new",
        "/admin/activity-types",
        "/admin/activity-types/new",
    ):
        assert client.get(url).status_code == 403, url


def test_the_admin_pages_need_a_login(client, users):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
