"""The Flask extensions, created unbound so models and blueprints import them without cycles."""

import flask_compress
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints, so that Alembic can alter them on SQLite and PostgreSQL alike.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class Compress(flask_compress.Compress):
    """Flask-Compress, closing what a streamed answer streamed from (a static file)."""

    def after_request(self, response):
        """Compress as Flask-Compress does; the file it wraps is closed with the answer."""
        source = response.response if response.is_streamed else None
        response = super().after_request(response)
        if source is not None and response.response is not source and hasattr(source, "close"):
            # It replaces a streamed body by a generator over it and drops the original,
            # whose close() would have closed the file: left to the collector, it warns.
            response.call_on_close(source.close)
        return response


compress = Compress()


def select_locale() -> str:
    """The language asked for by the switch (a cookie), else Swedish."""
    from flask import current_app, has_request_context

    chosen = request.cookies.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
