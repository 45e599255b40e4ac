"""Shared set-up of the sync and tallies benchmarks: a fresh database, accounts, gunicorn."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from fieldlog import create_app  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
BUNDLED = ROOT / "fieldlog" / "data" / "medborgarloften.yaml"


def fresh_database(kind: str, name: str, folder: Path, pg_url: str | None = None) -> str:
    """An empty database: a SQLite file in ``folder``, or a PostgreSQL database made anew."""
    if kind == "sqlite":
        path = folder / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(pg_url or DEFAULT_PG.format(name=name))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def prepare(url: str, roles: tuple[str, ...] = ("officer", "coordinator")):
    """Migrate, import the bundled commitments, make one user per role; the app and their tokens."""
    from flask_migrate import upgrade

    from fieldlog.services.imports import import_commitments
    from fieldlog.services.users import create_user, issue_token

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2"}
    )
    tokens = {}
    with app.app_context():
        upgrade()
        import_commitments(BUNDLED)
        for role in roles:
            user = create_user(f"bench_{role}", role, "Piteå älvdal", "bench password")
            tokens[role] = issue_token(user)
    return app, tokens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, workers: int = 4):
    """Serve the app with gunicorn on ``url``'s database; yields (host, port)."""
    with served(url, workers) as server:
        yield server.host, server.port


class Server:
    """A gunicorn serving the app: its address, and the CPU time its processes used."""

    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc, self.host, self.port = proc, "127.0.0.1", port

    def pids(self) -> list[int]:
        """The master and its workers."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return [self.proc.pid, *(int(p) for p in children.split())]

    def cpu_seconds(self) -> float:
        """User and system CPU time of the master and its workers so far (from /proc)."""
        total = 0
        for pid in self.pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except FileNotFoundError:  # a worker replaced meanwhile
                continue
            total += _cpu_ticks(stat)
        return total / CLOCK_TICKS


def _cpu_ticks(stat: str) -> int:
    """User and system CPU time in clock ticks from a /proc/<pid>/stat text."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def database_cpu_seconds() -> float:
    """User and system CPU time so far of this machine's PostgreSQL processes (the backends
    serving the app and the server's own writers), from /proc; 0 where none runs."""
    total = 0
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = stat_file.read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if stat[stat.index("(") + 1 : stat.rindex(")")] != "postgres":
            continue
        total += _cpu_ticks(stat)
    return total / CLOCK_TICKS


def machine_reference_ms() -> float:
    """How fast this machine runs Python: the best of five runs of a fixed loop, in ms.
    Figures from two machines compare only after scaling by it."""
    loop = "sum(i * i for i in range(1_000_000))"
    return min(timeit.repeat(loop, number=1, repeat=5)) * 1000


def machine_line() -> str:
    """The line a benchmark prints about the machine its figures come from."""
    return (
        f"machine: {os.cpu_count()} cores; a reference Python loop takes "
        f"{machine_reference_ms():.0f} ms (scale figures from another machine by it)"
    )


@contextlib.contextmanager
def served(url: str, workers: int = 4, env: dict[str, str] | None = None, log=None, extra=None):
    """Serve the app with gunicorn on ``url``'s database (``env`` adds settings, ``log`` takes
    its standard error, one line per request; ``extra``, more of gunicorn's arguments);
    yields a Server."""
    port = _free_port()
    env = {
        **os.environ,
        "FIELDLOG_DATABASE_URL": url,
        "FIELDLOG_SECRET_KEY": "bench",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *(extra or []),
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.05)
        server = Server(proc, port)
        deadline = time.monotonic() + 30
        while len(server.pids()) < workers + 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # every worker booted, so that their start is not measured
        yield server
    finally:
        proc.terminate()
        proc.wait(10)


def call(
    conn: http.client.HTTPConnection, method: str, path: str, token: str, body=None, seen=None
):
    """One API call on a kept-alive connection; (status, decoded JSON). With ``seen`` (a list),
    the X-SQL-Statements the server counted (FIELDLOG_COUNT_SQL=1) are appended to it."""
    headers = {"Authorization": f"Bearer {token}"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    if seen is not None and (count := response.getheader("X-SQL-Statements")) is not None:
        seen.append(int(count))
    return response.status, json.loads(response.read())


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
