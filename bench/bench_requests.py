"""p50/p95 of the cheapest authenticated requests under gunicorn: what every request costs.

    .venv/bin/python bench/bench_requests.py                 (SQLite, 4 workers)
    .venv/bin/python bench/bench_requests.py --db postgres [--pg-url postgresql+psycopg://…/bench_requests]

One client asks, one request after another on a kept-alive connection, for
`GET /api/v1/me` (an officer's bearer token) and `GET /api/v1/tallies` (a coordinator's,
no entries stored), interleaved, so that both see the same machine. Prints p50/p95 in
ms, the server's CPU ms per request (its processes' /proc/<pid>/stat) and the SQL
statements per request (FIELDLOG_COUNT_SQL). Targets: /me p50 ≤ 3 ms; /tallies p50 ≤ 1.5×
/me p50.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
import time
from pathlib import Path

from _sync_common import call, fresh_database, machine_line, percentile, prepare, served


def timed(conn, path: str, token: str, ms: list[float], seen: list[int]) -> None:
    """One GET, which must succeed; its latency in ms appended to ``ms``."""
    began = time.perf_counter()
    status, body = call(conn, "GET", path, token, seen=seen)
    ms.append((time.perf_counter() - began) * 1000)
    assert status == 200, (path, status, body)


def threads(n: int) -> list[str]:
    """gunicorn's arguments for ``n`` threads a worker (0: its default, the sync worker)."""
    return ["--threads", str(n)] if n else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", help="a PostgreSQL database to drop and make anew")
    parser.add_argument("--requests", type=int, default=1000, help="of each kind")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=0, help="gunicorn threads (gthread)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(args.db, "bench_requests", Path(tmp), args.pg_url)
        _, tokens = prepare(url, roles=("officer", "coordinator"))
        paths = {"/api/v1/me": tokens["officer"], "/api/v1/tallies": tokens["coordinator"]}
        ms: dict[str, list[float]] = {p: [] for p in paths}
        seen: dict[str, list[int]] = {p: [] for p in paths}
        cpu: dict[str, float] = dict.fromkeys(paths, 0.0)
        env = {"FIELDLOG_COUNT_SQL": "1"}
        with (
            open(Path(tmp) / "gunicorn.log", "wb") as log,
            served(url, args.workers, env, log, threads(args.threads)) as server,
        ):
            conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
            for path, token in paths.items():  # every worker warm, each path at least once
                for _ in range(50):
                    timed(conn, path, token, [], [])
            for _ in range(args.requests):
                for path, token in paths.items():
                    before = server.cpu_seconds()
                    timed(conn, path, token, ms[path], seen[path])
                    cpu[path] += server.cpu_seconds() - before
            conn.close()

    print(f"database: {args.db}, gunicorn workers: {args.workers}, "
          f"threads: {args.threads or '-'}, one client, "
          f"{args.requests} requests of each")  # fmt: skip
    print(machine_line())
    print(f"{'request':<18} {'p50 ms':>7} {'p95 ms':>7} {'CPU ms/req':>11} {'SQL/req':>8}")
    for path in paths:
        print(
            f"GET {path.removeprefix('/api/v1'):<14} {percentile(ms[path], 50):7.2f} "
            f"{percentile(ms[path], 95):7.2f} {cpu[path] * 1000 / args.requests:11.2f} "
            f"{statistics.mean(seen[path]) if seen[path] else float('nan'):8.1f}"
        )
    me, tallies = percentile(ms["/api/v1/me"], 50), percentile(ms["/api/v1/tallies"], 50)
    print(f"target: /me p50 ≤ 3 ms ({'met' if me <= 3 else 'MISSED'}); /tallies p50 ≤ 1.5× /me "
          f"({tallies / me:.2f}×, {'met' if tallies <= 1.5 * me else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
