"""The app under gunicorn in its own process group, for tests, screenshots and the like."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on the loopback that nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(
    database_url: str, log_path: Path, workers: int = 2, access_log: Path | None = None
) -> Iterator[str]:
    """Serve the app on ``database_url``; yields its base URL once the port answers.

    With ``access_log``, every request is logged there, one line each.
    """
    port = free_port()
    env = {**os.environ, "FIELDLOG_DATABASE_URL": str(database_url), "FIELDLOG_SECRET_KEY": "live"}
    logging = ["--access-logfile", str(access_log)] if access_log else []
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", "4", "--preload",
             "--log-level", "warning", *logging, "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log_path.read_text()) from None
                    time.sleep(0.05)  # waiting for the port to open, not synchronising a test
            yield f"http://127.0.0.1:{port}"
        finally:
            # The whole process group at once: gunicorn's own shutdowns wait for idle workers.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
