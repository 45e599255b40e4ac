"""Fieldlog: follow-up of medborgarlöften. The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: defaults, instance/config.py, the environment, then ``test_config``."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, test_config)
    register_extensions(app)
    register_input_guards(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_operations(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Load the configuration in its order and fill in what is derived."""
    from .config import Config, env_overrides, instance_secret_key

    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Config)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{Path(app.instance_path) / 'fieldlog.sqlite3'}"
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(env_overrides(app.config))  # FIELDLOG_* names in instance/config.py
    app.config.from_mapping(env_overrides())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Behind a TLS proxy: the client's address (for login throttling) and https.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")


def register_extensions(app: Flask) -> None:
    """Bind the extensions of extensions.py to the app."""
    from .database import configure_postgresql, configure_sqlite
    from .extensions import (
        babel,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        select_locale,
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    compress.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine)
    from .auth import loaders

    loaders.register(login_manager)


def register_input_guards(app: Flask) -> None:
    """Bounded ids in URLs and no NUL in any path, query or form value (before the routes)."""
    from .edge import register

    register(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per job."""
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .auth.views import bp as auth_bp
    from .extensions import csrf
    from .health import bp as health_bp
    from .logging.views import bp as logging_bp
    from .public.views import bp as public_bp
    from .review.views import bp as review_bp
    from .tallies.views import bp as tallies_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(logging_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(tallies_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(health_bp)
    # The API checks X-CSRFToken itself for session callers; bearer callers need none.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_errorhandlers(app: Flask) -> None:
    """HTML error pages, JSON under /api."""
    from .errors import register

    register(app)


def register_security(app: Flask) -> None:
    """Security headers on every response, and the template helpers."""
    from .security import register

    register(app)


def register_operations(app: Flask) -> None:
    """What running it as a service needs: the request log, throttled tokens, chunked bodies
    (and, for the benchmarks, the SQL statements each request ran)."""
    from . import bodylimit, requestlog, sqlcount
    from .auth import throttle

    sqlcount.register(app)
    requestlog.register(app)
    throttle.register(app)
    bodylimit.register(app)


def register_commands(app: Flask) -> None:
    """The command line of CONTRACT."""
    from .cli import register

    register(app)
