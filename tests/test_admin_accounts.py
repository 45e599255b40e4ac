"""Admins manage accounts; deactivation and resets end sessions and tokens at once; audited."""

import datetime as dt
import re

from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import ApiToken, AuditEvent, PoliceArea, User

from .factories import MALARDALEN, PASSWORD, csrf_from


def _user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def _area(name: str) -> int:
    return db.session.scalar(select(PoliceArea.id).where(PoliceArea.name == name))


def _post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_from(client.get("/admin/")), **data})


def test_an_admin_creates_a_user_who_can_log_in(app, client, auth, users):
    auth.login("admin")
    response = _post(
        client,
        "/admin/users/new",
        username="nyanstalld",
        display_name="Ny Anställd",
        role="officer",
        area=str(_area(MALARDALEN)),
        password="ett bra lösen",
    )
    assert response.status_code == 302
    user = _user("nyanstalld")
    assert user.role == "officer" and user.police_area.name == MALARDALEN
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.created", AuditEvent.object_id == str(user.id)
        )
    )
    assert event.actor.username == "admin"
    other = app.test_client()
    token = csrf_from(other.get("/login"))
    assert (
        other.post(
            "/login",
            data={"username": "nyanstalld", "password": "ett bra lösen", "csrf_token": token},
        ).status_code
        == 302
    )


def test_a_new_user_with_bad_fields_is_refused_naming_them(client, auth, users):
    auth.login("admin")
    response = _post(
        client,
        "/admin/users/new",
        username="officer",
        display_name="",
        role="officer",
        area=str(_area(MALARDALEN)),
        password="kort",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Lösenord: Fältet måste vara mellan 8 och 200 tecken långt." in page
    response = _post(
        client,
        "/admin/users/new",
        username="officer",
        display_name="",
        role="officer",
        area=str(_area(MALARDALEN)),
        password="long enough",
    )
    assert "Användarnamn: är redan taget." in response.get_data(as_text=True)
    assert _user("officer").police_area.name != MALARDALEN


def test_changing_role_and_area_is_audited_with_before_and_after(client, auth, users):
    auth.login("admin")
    officer = _user("officer")
    response = _post(
        client,
        f"/admin/users/{officer.id}",
        display_name="Officer",
        role="supervisor",
        area=str(_area(MALARDALEN)),
    )
    assert response.status_code == 302
    assert _user("officer").role == "supervisor"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.changed"))
    assert event.before["role"] == "officer" and event.after["role"] == "supervisor"
    assert event.after["area"] == MALARDALEN


def test_an_admin_cannot_demote_or_deactivate_themself(client, auth, users):
    auth.login("admin")
    admin = _user("admin")
    response = _post(
        client,
        f"/admin/users/{admin.id}",
        display_name="A",
        role="officer",
        area=str(admin.police_area_id),
    )
    assert response.status_code == 422
    assert "Roll: du kan inte ta bort din egen administratörsroll." in response.get_data(
        as_text=True
    )
    _post(client, f"/admin/users/{admin.id}/active", active="0")
    assert _user("admin").role == "admin" and _user("admin").active


def test_deactivation_ends_sessions_and_tokens_at_once(app, client, auth, users):
    officer_client = app.test_client()
    token = csrf_from(officer_client.get("/login"))
    officer_client.post(
        "/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token}
    )
    assert officer_client.get("/").status_code == 200
    auth.login("admin")
    officer = _user("officer")
    issued = _post(client, f"/admin/users/{officer.id}/tokens", label="telefon")
    page = client.get(issued.headers["Location"]).get_data(as_text=True)
    secret = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert officer_client.get("/api/v1/me", headers=bearer).status_code == 200

    assert _post(client, f"/admin/users/{officer.id}/active", active="0").status_code == 302
    assert officer_client.get("/").status_code == 302  # to the login page
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
    assert event.before["active"] is True and event.after["active"] is False
    assert event.after["tokens_revoked"] == 1
    # reactivated, the old session and token stay dead
    _post(client, f"/admin/users/{officer.id}/active", active="1")
    assert _user("officer").active
    assert officer_client.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401


def _tokens() -> int:
    db.session.commit()  # end the read snapshot: see what the requests stored
    return len(db.session.scalars(select(ApiToken)).all())


def test_a_token_is_shown_once_and_can_be_revoked(app, client, auth, users):
    auth.login("admin")
    officer = _user("officer")
    issued = _post(client, f"/admin/users/{officer.id}/tokens", label="surfplatta")
    # Post, redirect, get: reloading the page that shows the token does not issue another.
    assert issued.status_code == 303
    assert issued.headers["Location"] == f"/admin/users/{officer.id}"
    response = client.get(issued.headers["Location"])
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))[1]
    reloaded = client.get(f"/admin/users/{officer.id}")
    assert secret not in reloaded.get_data(as_text=True)
    assert 'id="new-token"' not in reloaded.get_data(as_text=True)
    assert _tokens() == 1
    bearer = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).get_json()["username"] == "officer"
    token = db.session.scalar(select(ApiToken).where(ApiToken.label == "surfplatta"))
    assert _post(client, f"/admin/tokens/{token.id}/revoke").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "token.revoked"))


def test_a_password_reset_ends_the_users_sessions(app, client, auth, users):
    officer_client = app.test_client()
    token = csrf_from(officer_client.get("/login"))
    officer_client.post(
        "/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token}
    )
    auth.login("admin")
    officer = _user("officer")
    assert _post(client, f"/admin/users/{officer.id}/password", password="kort").status_code == 422
    assert officer_client.get("/").status_code == 200
    assert (
        _post(
            client, f"/admin/users/{officer.id}/password", password="nytt långt lösen"
        ).status_code
        == 302
    )
    assert officer_client.get("/").status_code == 302
    assert _user("officer").check_password("nytt långt lösen")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password.reset"))
    assert "password" not in str(event.after).replace("sessions_ended", "")


def test_users_change_their_own_password(app, client, auth, users):
    other_session = app.test_client()
    token = csrf_from(other_session.get("/login"))
    other_session.post(
        "/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token}
    )
    auth.login("officer")
    response = _post_password(
        client, current="fel lösen", new="nytt långt lösen", repeat="nytt långt lösen"
    )
    assert response.status_code == 422
    assert "Nuvarande lösenord: stämmer inte." in response.get_data(as_text=True)
    response = _post_password(
        client, current=PASSWORD, new="nytt långt lösen", repeat="nytt långt lösen"
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other_session.get("/").status_code == 302  # the other one ends
    assert _user("officer").check_password("nytt långt lösen")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password.changed"))


def _post_password(client, **data):
    token = csrf_from(client.get("/admin/password"))
    return client.post("/admin/password", data={"csrf_token": token, **data})


def test_a_token_issued_for_one_user_is_not_shown_on_another_users_page(client, auth, users):
    auth.login("admin")
    officer, supervisor = _user("officer"), _user("supervisor")
    _post(client, f"/admin/users/{officer.id}/tokens", label="telefon")
    assert 'id="new-token"' not in client.get(f"/admin/users/{supervisor.id}").get_data(
        as_text=True
    )
    assert 'id="new-token"' in client.get(f"/admin/users/{officer.id}").get_data(as_text=True)


def test_token_times_are_shown_in_local_time(app, client, auth, users):
    officer = _user("officer")
    winter = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)  # 10:00 in Stockholm
    summer = dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)  # 00:30 the next day
    for label, at in (("vinter", winter), ("sommar", summer)):
        db.session.add(
            ApiToken(user_id=officer.id, token_hash=label * 8, label=label, created_at=at)
        )
    db.session.commit()
    auth.login("admin")
    html = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert "2026-03-03 10:00" in html and "2026-07-02 00:30" in html
    assert "UTC" not in html
