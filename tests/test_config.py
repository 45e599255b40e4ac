"""Configuration as in CONTRACT: the environment, instance/config.py, the secret key."""

import os
import stat

from fieldlog.config import env_overrides, instance_secret_key


def test_environment_names_map_to_settings(monkeypatch):
    monkeypatch.setenv("FIELDLOG_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("FIELDLOG_SECRET_KEY", "s3cret")
    monkeypatch.setenv("FIELDLOG_TIMEZONE", "Europe/Helsinki")
    monkeypatch.setenv("FIELDLOG_TODAY", "2026-06-10")
    found = env_overrides()
    assert found["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert found["SECRET_KEY"] == "s3cret"
    assert found["FIELDLOG_TIMEZONE"] == "Europe/Helsinki"
    assert found["FIELDLOG_TODAY"] == "2026-06-10"


def test_the_same_names_work_in_instance_config():
    found = env_overrides({"FIELDLOG_DATABASE_URL": "sqlite:///x.db"})
    assert found == {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}


def test_the_secret_key_is_generated_once_with_mode_0600(tmp_path):
    first = instance_secret_key(str(tmp_path))
    second = instance_secret_key(str(tmp_path))
    assert first == second and len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_behind_a_trusted_proxy_the_client_address_and_scheme_are_believed(database_url):
    from flask import request

    from fieldlog import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "t", "TRUSTED_PROXIES": 1}
    )

    @app.get("/_where")
    def where():
        return f"{request.remote_addr} {request.scheme}"

    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    answer = app.test_client().get("/_where", headers=headers).get_data(as_text=True)
    assert answer == "203.0.113.9 https"
