"""Syncing entries through POST /api/v1/entries under gunicorn: one entry per request, and
500-entry batches, each from one phone and from four at once, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_sync.py                       (both databases, about a minute)
    .venv/bin/python bench/bench_sync.py --db sqlite
    .venv/bin/python bench/bench_sync.py --db postgres [--pg-url postgresql+psycopg://…/bench_sync]
    .venv/bin/python bench/bench_sync.py --single 400 --batches 8 --plain   (longer, and the
                                                           plain SQL insert for comparison)

For each run it prints entries/s, the p50/p95 latency of a request, the CPU milliseconds
the server's processes (gunicorn's master and workers, from /proc/<pid>/stat) spent per
entry, the CPU milliseconds this machine's PostgreSQL processes spent per entry (DB ms/e;
0 on SQLite, whose work is the server's own), and the SQL statements per request, counted
by the server itself (FIELDLOG_COUNT_SQL=1, X-SQL-Statements; SQLite's BEGIN left out, as
psycopg's is unseen). The machine line gives the speed of the machine's Python, to compare
figures across machines.
Goals (issue 14): one entry per request ≤ 8 ms server CPU and ≤ 4 SQL statements on
PostgreSQL; 500-entry batches ≥ 8,000 entries/s from four phones on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import random
import statistics
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from _sync_common import (
    call,
    database_cpu_seconds,
    fresh_database,
    machine_line,
    percentile,
    prepare,
    served,
)
from sqlalchemy import create_engine, text

PROMISES = [
    "arjeplog-fotpatrull",
    "arjeplog-trafikkontroll",
    "arjeplog-ungdomsbesok",
    "arjeplog-trafikinsats-obekvam",
    "arjeplog-problembild",
]
PLACES = ["Torget", "Skolan", "Storgatan", "Silvervägen", "Busstationen"]


def make_entries(n: int, rng: random.Random) -> list[dict]:
    """``n`` valid entries of 2025, in UTC as a phone's toISOString() gives them."""
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    entries = []
    for _ in range(n):
        when = start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        entries.append(
            {
                "client_id": str(uuid.uuid4()),
                "promise": rng.choice(PROMISES),
                "started_at": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "ended_at": (when + dt.timedelta(minutes=45)).isoformat().replace("+00:00", "Z"),
                "place": rng.choice(PLACES),
                "officers": rng.randint(1, 3),
                "notes": "Lugnt, inga anmärkningar.",
            }
        )
    return entries


@dataclass
class Run:
    """What one run measured."""

    label: str
    entries: int
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    database_cpu_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)

    def row(self) -> str:
        """The run as a line of the table."""
        return (
            f"{self.label:<32} {self.entries / self.seconds:9,.0f} "
            f"{percentile(self.latencies_ms, 50):8.1f} {percentile(self.latencies_ms, 95):8.1f} "
            f"{self.cpu_seconds * 1000 / self.entries:9.2f} "
            f"{self.database_cpu_seconds * 1000 / self.entries:8.2f} "
            f"{statistics.mean(self.statements):8.1f}"
        )


HEADER = (
    f"{'':<32} {'entries/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/e':>9} {'DB ms/e':>8} "
    f"{'SQL/req':>8}"
)


def send(server, token: str, entries: list[dict], batch: int, expect: str, run: Run) -> None:
    """POST ``entries`` ``batch`` at a time on one kept-alive connection, checking each result."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=120)
    for i in range(0, len(entries), batch):
        began = time.perf_counter()
        status, body = call(
            conn,
            "POST",
            "/api/v1/entries",
            token,
            {"entries": entries[i : i + batch]},
            seen=run.statements,
        )
        run.latencies_ms.append((time.perf_counter() - began) * 1000)
        assert status == 200, body
        bad = [r for r in body["results"] if r["status"] != expect]
        assert not bad, bad[:3]
    conn.close()


def phones(server, token: str, chunks: list[list[dict]], batch: int, expect: str, run: Run):
    """Each chunk sent by its own phone (a thread), all at once; fills in ``run``."""
    failures = []

    def phone(chunk):
        try:
            send(server, token, chunk, batch, expect, run)
        except Exception as exc:  # noqa: BLE001  (raised again below, in the main thread)
            failures.append(exc)

    threads = [threading.Thread(target=phone, args=(c,)) for c in chunks]
    cpu, database_cpu = server.cpu_seconds(), database_cpu_seconds()
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - began
    run.cpu_seconds = server.cpu_seconds() - cpu
    run.database_cpu_seconds = database_cpu_seconds() - database_cpu
    if failures:
        raise failures[0]
    return run


def plain_insert_rate(url: str, batch: int) -> float:
    """Rows a second of a plain SQL insert of the stored entries into a copy of the table."""
    engine = create_engine(url)
    with engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM entry"))]
        if engine.dialect.name == "postgresql":
            conn.execute(text("CREATE TABLE entry_plain (LIKE entry INCLUDING ALL)"))
        else:
            conn.execute(text("CREATE TABLE entry_plain AS SELECT * FROM entry WHERE 0"))
            conn.execute(text("CREATE UNIQUE INDEX ix_plain_client ON entry_plain (client_id)"))
    for r in rows:  # PostgreSQL hands JSON back decoded; the insert wants it as text
        if isinstance(r["metrics"], dict):
            r["metrics"] = json.dumps(r["metrics"])
    columns = list(rows[0])
    names, binds = ", ".join(columns), ", ".join(f":{c}" for c in columns)
    insert = text(f"INSERT INTO entry_plain ({names}) VALUES ({binds})")
    began = time.perf_counter()
    for i in range(0, len(rows), batch):
        with engine.begin() as conn:
            conn.execute(insert, rows[i : i + batch])
    seconds = time.perf_counter() - began
    engine.dispose()
    return len(rows) / seconds


def split(entries: list[dict], n: int) -> list[list[dict]]:
    """``entries`` dealt out to ``n`` phones."""
    return [entries[i::n] for i in range(n)]


def bench(kind: str, args, rng: random.Random) -> None:
    """Every run on one database; prints its table."""
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(kind, "bench_sync", Path(tmp), args.pg_url)
        _, tokens = prepare(url, roles=("officer",))
        token = tokens["officer"]
        n, b, four = args.single, args.batch * args.batches, args.phones
        env = {"FIELDLOG_COUNT_SQL": "1"}
        with (
            open(Path(tmp) / "gunicorn.log", "wb") as log,
            served(url, args.workers, env, log) as server,
        ):
            warm = Run("warm-up", 0)  # every worker has loaded what it keeps
            phones(server, token, split(make_entries(40, rng), four), 1, "created", warm)
            phones(server, token, [make_entries(args.batch, rng)], args.batch, "created", warm)
            many = make_entries(b, rng)
            runs = [
                phones(server, token, [make_entries(n, rng)], 1, "created",
                       Run("one entry a request, 1 phone", n)),
                phones(server, token, split(make_entries(n, rng), four), 1, "created",
                       Run(f"one entry a request, {four} phones", n)),
                phones(server, token, [many], args.batch, "created",
                       Run(f"{args.batch} a request, 1 phone", b)),
                phones(server, token, split(make_entries(b, rng), four), args.batch, "created",
                       Run(f"{args.batch} a request, {four} phones", b)),
                phones(server, token, [many], args.batch, "duplicate",
                       Run(f"{args.batch} a request, replays", b)),
            ]  # fmt: skip
        plain = plain_insert_rate(url, args.batch) if args.plain else None

    print(f"database: {kind}, gunicorn workers: {args.workers}")
    print(machine_line())
    print(HEADER)
    for run in runs:
        print(run.row())
    if plain:
        print(f"{'plain SQL insert, same rows':<32} {plain:9,.0f}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", help="a PostgreSQL database to drop and make anew")
    parser.add_argument("--single", type=int, default=200, help="entries sent one a request")
    parser.add_argument("--batch", type=int, default=500, help="entries in a batch")
    parser.add_argument("--batches", type=int, default=4, help="batches in a batch run")
    parser.add_argument("--phones", type=int, default=4, help="phones syncing at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--plain", action="store_true", help="also time a plain SQL insert")
    args = parser.parse_args()

    rng = random.Random(2506)
    for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        bench(kind, args, rng)
    print(
        "goals: one entry a request ≤ 8 ms server CPU and ≤ 4 SQL statements (PostgreSQL); "
        "batches ≥ 8,000 entries/s from 4 phones (PostgreSQL)"
    )


if __name__ == "__main__":
    main()
