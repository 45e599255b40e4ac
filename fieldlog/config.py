"""Defaults, then ``FIELDLOG_*`` from the environment. No secrets here."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path


class Config:
    """Settings every instance starts from."""

    # No pool_pre_ping: database.configure_postgresql checks a pooled connection without a
    # round trip; SQLite's connections are files.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    FIELDLOG_TIMEZONE = "Europe/Stockholm"
    FIELDLOG_TODAY = None  # an ISO date fixes what clock.today() says (tests, demos)
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    LANGUAGES = ("sv", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a shift is long; the token lives as long as the session
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count per process, never a 500
    THROTTLE_KEY_PREFIX = "fieldlog"  # before every throttling key, for a Redis shared by apps
    LOGIN_FAILURE_LIMIT = "5 per 5 minutes"
    API_TOKEN_FAILURE_LIMIT = "20 per 5 minutes"  # refused tokens, per token and per address
    API_MAX_ENTRIES = 500
    TRUSTED_PROXIES = 0  # how many proxies' X-Forwarded-* headers to believe
    # ``retention`` without --before keeps the personal data of this many whole years
    # before the current one (services/retention.py).
    RETENTION_YEARS = 3
    # Flask-Compress: what the app serves itself, brotli where the browser takes it (HTTPS),
    # else gzip; streamed answers (static files, the entries export) too.
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
        "text/csv",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 5
    COMPRESS_MIN_SIZE = 500  # below a packet, compressing only costs time
    # The map of the entries behind a number: the tile server's URL template (Leaflet's
    # {z}/{x}/{y}, {s} for a subdomain; empty: points without a background) and its credit.
    MAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    MAP_ATTRIBUTION = "© OpenStreetMap"


def env_overrides(source: Mapping | None = None) -> dict:
    """The Flask settings that ``FIELDLOG_*`` names give, from the environment or ``source``."""
    source = os.environ if source is None else source
    found = {}
    if url := source.get("FIELDLOG_DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = url
    if key := source.get("FIELDLOG_SECRET_KEY"):
        found["SECRET_KEY"] = key
    if zone := source.get("FIELDLOG_TIMEZONE"):
        found["FIELDLOG_TIMEZONE"] = zone
        found["BABEL_DEFAULT_TIMEZONE"] = zone
    if day := source.get("FIELDLOG_TODAY"):
        found["FIELDLOG_TODAY"] = day
    if source.get("FIELDLOG_SECURE_COOKIES", "").lower() in ("1", "true", "yes"):
        found["SESSION_COOKIE_SECURE"] = True
        found["REMEMBER_COOKIE_SECURE"] = True
    if proxies := source.get("FIELDLOG_TRUSTED_PROXIES"):
        found["TRUSTED_PROXIES"] = int(proxies)
    if uri := source.get("FIELDLOG_RATELIMIT_STORAGE_URI"):
        found["RATELIMIT_STORAGE_URI"] = uri
    if years := source.get("FIELDLOG_RETENTION_YEARS"):
        found["RETENTION_YEARS"] = years  # checked where it is used: the retention command
    for name in ("THROTTLE_KEY_PREFIX", "LOGIN_FAILURE_LIMIT", "API_TOKEN_FAILURE_LIMIT"):
        if value := source.get("FIELDLOG_" + name):
            found[name] = value
    if source.get("FIELDLOG_COUNT_SQL", "").lower() in ("1", "true", "yes"):
        found["COUNT_SQL"] = True  # X-SQL-Statements on every answer, for the benchmarks
    for name in ("MAP_TILES", "MAP_ATTRIBUTION"):
        if ("FIELDLOG_" + name) in source:
            found[name] = source["FIELDLOG_" + name]  # empty: no tiles (or no credit)
    if log_format := source.get("FIELDLOG_LOG_FORMAT"):
        found["LOG_FORMAT"] = log_format
    return found


def instance_secret_key(instance_path: str) -> str:
    """Read the secret key kept in the instance folder, making it (mode 0600) the first time."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()
