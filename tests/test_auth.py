"""Login, logout, throttling, CSRF, safe redirects and the security headers."""

import re

from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, User

from .factories import PASSWORD, csrf_from


def test_login_page_carries_csrf_meta_and_security_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', response.get_data(as_text=True))
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_login_and_logout(client, auth, users):
    response = auth.login("officer")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert "login" in actions and "logout" in actions


def test_a_link_to_logout_from_another_site_logs_nobody_out(client, auth, users):
    auth.login("officer")
    page = client.get("/logout")  # what an <img src> or a link on another site does
    assert page.status_code == 200
    assert 'action="/logout"' in page.get_data(as_text=True)
    forged = client.post("/logout")  # a cross-site form cannot know the CSRF token
    assert forged.status_code == 400
    assert client.get("/").status_code == 200
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "logout"))


def test_the_menu_logs_out_with_a_form_carrying_the_csrf_token(client, auth, users):
    auth.login("officer")
    page = client.get("/").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/logout"[^>]*>(.*?)</form>', page, re.S)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1)).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")
    assert client.get("/logout").headers["Location"].endswith("/login")


def test_pages_need_a_login(client, users):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_wrong_password_is_refused_and_audited(client, auth, users):
    response = auth.login("officer", "wrong password")
    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.failed"))


def test_an_unknown_user_gets_the_same_answer(auth, users):
    response = auth.login("nobody", "whatever")
    assert response.status_code == 401


def test_repeated_failures_for_one_username_get_429(client, auth, users):
    for _ in range(5):
        assert auth.login("officer", "wrong").status_code == 401
    assert auth.login("officer", "wrong").status_code == 429
    # the right password does not get through while throttled
    assert auth.login("officer", PASSWORD).status_code == 429


def test_repeated_failures_from_one_address_get_429(client, auth, users):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert auth.login(name, "wrong").status_code == 401
    assert auth.login("a6", "wrong").status_code == 429


def test_successful_logins_are_not_throttled(client, auth, users):
    for _ in range(7):
        assert auth.login("officer").status_code == 302
        auth.logout()


def test_a_form_post_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"username": "officer", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_next_to_another_host_is_refused(client, users):
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login?next=https://evil.example/steal",
        data={"username": "officer", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_next_on_this_site_is_followed(client, users):
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login?next=/entries",
        data={"username": "officer", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/entries"


def test_a_deactivated_users_session_stops_at_once(client, auth, users):
    auth.login("officer")
    assert client.get("/").status_code == 200
    user = db.session.scalar(select(User).where(User.username == "officer"))
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_passwords_are_stored_hashed(users):
    user = db.session.scalar(select(User).where(User.username == "officer"))
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)


def test_the_production_hash_is_scrypt(app):
    app.config.pop("PASSWORD_HASH_METHOD")
    user = User(username="x", role="officer")
    user.set_password("a long password")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a long password")


def test_language_switch_to_english(client):
    client.get("/lang/en?next=/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page
    assert '<html lang="en">' in page


def test_swedish_is_the_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Logga in" in page
    assert '<html lang="sv">' in page
