"""Configuration as in CONTRACT: the environment, instance/config.py and the generated secret key."""

import os
import stat

from fieldlog.config import env_overrides, instance_secret_key


def test_environment_names_map_to_settings(monkeypatch):
    monkeypatch.setenv("FIELDLOG_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("FIELDLOG_SECRET_KEY", "s3cret")
    monkeypatch.setenv("FIELDLOG_TIMEZONE", "Europe/Helsinki")
    found = env_overrides()
    assert found["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert found["SECRET_KEY"] == "s3cret"
    assert found["FIELDLOG_TIMEZONE"] == "Europe/Helsinki"


def test_the_same_names_work_in_instance_config():
    found = env_overrides({"FIELDLOG_DATABASE_URL": "sqlite:///x.db"})
    assert found == {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}


def test_the_secret_key_is_generated_once_with_mode_0600(tmp_path):
    first = instance_secret_key(str(tmp_path))
    second = instance_secret_key(str(tmp_path))
    assert first == second and len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
