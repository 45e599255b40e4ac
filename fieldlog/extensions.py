"""The Flask extensions, created unbound so models and blueprints import them without cycles."""

import gzip

import brotli
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
    """Flask-Compress; files (static ones, the service worker) compressed once, at the best
    level, and kept; a streamed answer's file closed with the answer."""

    def __init__(self) -> None:
        super().__init__()
        self.packed: dict[tuple[str, str], bytes] = {}

    def after_request(self, response):
        """Compress as Flask-Compress does, files from what was kept."""
        if response.is_streamed and response.status_code == 200:
            etag, weak = response.get_etag()
            if etag and not weak:
                packed = self.pack_file(response, etag)
                if packed is not None:
                    return packed
        source = response.response if response.is_streamed else None
        response = super().after_request(response)
        if source is not None and response.response is not source and hasattr(source, "close"):
            # It replaces a streamed body by a generator over it and drops the original,
            # whose close() would have closed the file: left to the collector, it warns.
            response.call_on_close(source.close)
        return response

    def pack_file(self, response, etag: str):
        """A file's answer (send_file gives it a strong ETag of its time, size and name)
        compressed: at most once per version and encoding, at the highest level."""
        accepted = request.headers.get("Accept-Encoding", "")
        algorithm = flask_compress.flask_compress._choose_algorithm(  # noqa: SLF001
            self.enabled_algorithms, accepted
        )
        if (
            algorithm is None
            or response.mimetype not in self.compress_mimetypes_set
            or "Content-Encoding" in response.headers
        ):
            return None
        key = (etag, algorithm)
        response.direct_passthrough = False
        if key in self.packed:
            response.close()  # the file is not read again
        else:
            data = response.get_data()  # reads and closes the file
            self.packed[key] = (
                brotli.compress(data, quality=11)
                if algorithm == "br"
                else gzip.compress(data, compresslevel=9, mtime=0)
            )
        response.set_data(self.packed[key])
        response.headers["Content-Encoding"] = algorithm
        response.vary.add("Accept-Encoding")
        response.set_etag(f"{etag}:{algorithm}")
        return response.make_conditional(request)


compress = Compress()


def select_locale() -> str:
    """The language asked for by the switch (a cookie), else Swedish."""
    from flask import current_app, has_request_context

    chosen = request.cookies.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
