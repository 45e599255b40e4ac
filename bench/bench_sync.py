"""Entries per second synced through POST /api/v1/entries in 500-entry batches, under gunicorn.

    .venv/bin/python bench/bench_sync.py --db sqlite
    .venv/bin/python bench/bench_sync.py --db postgres [--pg-url postgresql+psycopg://…/bench_sync]
    .venv/bin/python bench/bench_sync.py --db sqlite --entries 2000      (a quick run)

Prints the rate of new entries (one phone, then several at once), of replays (all
`duplicate`), and the ratio against a plain SQL insert of the same rows (executemany,
one transaction per 500 rows, into a copy of the entry table with its unique client_id).
Target: at least 2,000 entries a second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import random
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _sync_common import call, fresh_database, gunicorn, prepare
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


def send_batches(host, port, token, entries, batch: int, expect: str) -> None:
    """POST ``entries`` in batches on one kept-alive connection, checking every result."""
    conn = http.client.HTTPConnection(host, port, timeout=120)
    for i in range(0, len(entries), batch):
        status, body = call(
            conn, "POST", "/api/v1/entries", token, {"entries": entries[i : i + batch]}
        )
        assert status == 200, body
        bad = [r for r in body["results"] if r["status"] != expect]
        assert not bad, bad[:3]
    conn.close()


def timed_parallel(host, port, token, chunks, batch, expect) -> float:
    """Seconds for each chunk to be sent by its own phone (thread), all at once."""
    failures = []

    def phone(chunk):
        try:
            send_batches(host, port, token, chunk, batch, expect)
        except Exception as exc:  # noqa: BLE001  (raised again below, in the main thread)
            failures.append(exc)

    threads = [threading.Thread(target=phone, args=(c,)) for c in chunks]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - began


def plain_insert_seconds(url: str, batch: int) -> tuple[float, int]:
    """Insert the stored rows again with plain SQL into a copy of the table; (seconds, rows)."""
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
    return seconds, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", help="a PostgreSQL database to drop and make anew")
    parser.add_argument("--entries", type=int, default=20_000, help="entries per run")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--phones", type=int, default=4, help="phones syncing at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()

    rng = random.Random(2506)
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(args.db, "bench_sync", Path(tmp), args.pg_url)
        _, tokens = prepare(url, roles=("officer",))
        token = tokens["officer"]
        one = make_entries(args.entries, rng)
        many = make_entries(args.entries, rng)
        with gunicorn(url, args.workers) as (host, port):
            send_batches(host, port, token, make_entries(args.batch, rng), args.batch, "created")
            single = timed_parallel(host, port, token, [one], args.batch, "created")
            chunks = [many[i :: args.phones] for i in range(args.phones)]
            parallel = timed_parallel(host, port, token, chunks, args.batch, "created")
            replay = timed_parallel(host, port, token, [one], args.batch, "duplicate")
        plain, rows = plain_insert_seconds(url, args.batch)

    plain_rate = rows / plain
    print(f"database: {args.db}, gunicorn workers: {args.workers}, batch: {args.batch}")
    for label, seconds in [
        ("new entries, one phone", single),
        (f"new entries, {args.phones} phones at once", parallel),
        ("replays (all duplicate), one phone", replay),
    ]:
        rate = args.entries / seconds
        print(f"{label:<40} {rate:9,.0f} entries/s   {rate / plain_rate:6.2f}× plain SQL insert")
    print(f"{'plain SQL insert of the same rows':<40} {plain_rate:9,.0f} rows/s ({rows:,} rows)")
    print("target: at least 2,000 entries/s")


if __name__ == "__main__":
    main()
