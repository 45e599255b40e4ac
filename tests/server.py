"""The app under gunicorn in its own process group, for tests, screenshots and the like."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Served by Flask without a session or the database: its answer says that the app is up.
PROBE = "/static/manifest.webmanifest"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def _without_faketime(env: dict[str, str]) -> dict[str, str]:
    # CI preloads Debian's libfaketime for its run at New Year 2027. With the monotonic clock
    # left real, its 0.9.10 makes Python 3.11's time.sleep fail with EINVAL
    # (wolfcw/libfaketime#426), and gunicorn's arbiter sleeps: the server keeps the real clock.
    # Its "today" is the tests' fixed day all the same.
    preload = [p for p in env.get("LD_PRELOAD", "").split(":") if p and "faketime" not in p]
    kept = {k: v for k, v in env.items() if not k.startswith("FAKETIME") and k != "LD_PRELOAD"}
    return {**kept, "LD_PRELOAD": ":".join(preload)} if preload else kept


@contextmanager
def gunicorn(
    database_url: str,
    log_path: Path,
    *,
    today: str | None = None,
    workers: int = 2,
    env: dict[str, str] | None = None,
    access_log: Path | None = None,
) -> Iterator[str]:
    """Serve the app on ``database_url`` (on a fixed ``today``, if given; ``env`` adds
    settings); yield its base URL. With ``access_log``, every request is logged there."""
    env = {
        **os.environ,
        "FIELDLOG_DATABASE_URL": str(database_url),
        "FIELDLOG_SECRET_KEY": "live",
        **(env or {}),
    }
    if today:
        env["FIELDLOG_TODAY"] = today
    logging = ["--access-logfile", str(access_log)] if access_log else []
    # The socket listens before gunicorn starts, so no request is ever refused: it waits in the
    # backlog until a worker accepts it. Nothing polls for the port.
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with listener, open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"fd://{listener.fileno()}",
             "--workers", str(workers), "--threads", "4", "--preload",
             "--log-level", "warning", *logging, "wsgi:app"],
            cwd=ROOT, env=_without_faketime(env), stdout=subprocess.DEVNULL, stderr=log,
            pass_fds=[listener.fileno()], start_new_session=True,
        )  # fmt: skip
    # Only gunicorn holds the socket now: should it die, the first request fails at once.
    try:
        try:
            DIRECT.open(url + PROBE, timeout=30).close()
        except OSError:
            raise RuntimeError(log_path.read_text()) from None
        yield url
    finally:
        # The whole process group at once: gunicorn's own shutdowns wait for idle workers.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()  # nothing outlives SIGKILL
