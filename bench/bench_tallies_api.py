"""p50/p95 of GET /api/v1/tallies (and ?period=T2) with 1,000,000 entries stored, under gunicorn.

    .venv/bin/python bench/bench_tallies_api.py --db sqlite
    .venv/bin/python bench/bench_tallies_api.py --db postgres [--pg-url postgresql+psycopg://…/bench_tallies]
    .venv/bin/python bench/bench_tallies_api.py --db sqlite --entries 50000     (a quick run)

Besides the bundled agreements, imports a district agreement of Arjeplog with weekly
targets (one with places), so that a quarter of the entries lie on weekly promises.
Bulk-loads the entries with plain SQL (executemany on SQLite, COPY on PostgreSQL), runs
`flask tally rebuild`, then times the API as a coordinator of Piteå älvdal, for the year
and for its second tertial, and, for the ratio, a plain SQL recount (GROUP BY over the
entries) of the same promises and year. Target: p95 at most 50 ms for both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from _sync_common import ROOT, call, fresh_database, gunicorn, percentile, prepare
from sqlalchemy import create_engine, text

from fieldlog.services.imports import plan_and_apply

YEAR = 2024
COLUMNS = (
    "client_id author_id promise_id municipality_id started_at ended_at day year in_window "
    "place officers metrics status version content_hash created_at updated_at"
).split()
WEEKLY = """
version: 2
commitments:
  - key: bench-arjeplog-centrum
    municipalities: ["2506"]
    district: Centrum
    title: Bench, weekly targets in Arjeplog centrum
    valid_from: 2021-01-01
    valid_to: 2025-12-31
    promises:
      - {key: bench-vecka, area: Centrum, text: Två fotpatruller i veckan., owner: polisen,
         activity: fotpatrull, target: {count: 2, per: week}}
      - {key: bench-vecka-platser, area: Centrum, text: En trygghetsvandring i veckan per plats.,
         owner: polisen, activity: fotpatrull, places: [Torget, Skolan, Hamnen],
         target: {count: 1, per: week, each_place: true}}
"""
STATUSES = ["approved"] * 6 + ["pending"] * 2 + ["rejected", "withdrawn"]


def promise_ids(engine, weekly: bool) -> list[tuple[int, int, bool]]:
    """(promise, its municipality, whether it lists places) of Piteå älvdal's countable
    promises, on weekly targets or the others."""
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT p.id, c.municipality_id, p.key FROM promise p "
                "JOIN commitment c ON c.id = p.commitment_id "
                "JOIN municipality m ON m.id = c.municipality_id "
                "JOIN police_area a ON a.id = m.police_area_id "
                "WHERE a.name = 'Piteå älvdal' AND p.activity_type_id IS NOT NULL"
            )
        ).all()
    return [
        (pid, mid, key == "bench-vecka-platser")
        for pid, mid, key in found
        if key.startswith("bench-vecka") == weekly
    ]


def rows(n: int, author: int, promises: list, weekly: list, rng: random.Random):
    """``n`` plausible stored entries of 2021–2025, a quarter on weekly promises, as tuples
    in COLUMNS order."""
    epoch = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    span = 5 * 365 * 24 * 60
    zone = ZoneInfo("Europe/Stockholm")
    for i in range(n):
        start = epoch + dt.timedelta(minutes=rng.randrange(span))
        naive = start.replace(tzinfo=None)
        day = start.astimezone(zone).date()
        pid, mid, has_places = rng.choice(weekly if i % 4 == 0 else promises)
        place = rng.choice(("Torget", "Skolan", "Hamnen")) if has_places else "Torget"
        yield (
            str(uuid.uuid4()), author, pid, mid, naive, naive + dt.timedelta(minutes=45), day,
            day.year, True, place, 1, '{"contacts": 3}', rng.choice(STATUSES), 1, "0" * 64,
            now, now,
        )  # fmt: skip


def bulk_load(url: str, n: int, chunk: int = 50_000) -> float:
    """Load ``n`` entries with plain SQL; seconds taken."""
    engine = create_engine(url)
    with engine.connect() as conn:
        author = conn.scalar(text("SELECT id FROM user_account WHERE role = 'officer'"))
    promises, weekly = promise_ids(engine, False), promise_ids(engine, True)
    rng = random.Random(2506)
    began = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY entry ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows(n, author, promises, weekly, rng):
                    copy.write_row(row)
        else:
            sql = (
                f"INSERT INTO entry ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            )
            cur.execute("BEGIN")
            batch = []
            for row in rows(n, author, promises, weekly, rng):
                batch.append(row)
                if len(batch) == chunk:
                    cur.executemany(sql, batch)
                    batch.clear()
            cur.executemany(sql, batch)
        raw.commit()
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True
            raw.cursor().execute("VACUUM ANALYZE entry")
        else:
            raw.cursor().execute("ANALYZE")
    finally:
        raw.close()
    engine.dispose()
    return time.perf_counter() - began


def analyze(url: str) -> None:
    """Vacuum and analyze the rebuilt tallies, so the timing is of a settled database."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True
            raw.cursor().execute("VACUUM ANALYZE tally")
        else:
            raw.cursor().execute("ANALYZE")
    finally:
        raw.close()
    engine.dispose()


def tally_rebuild(url: str) -> float:
    """Run `flask --app wsgi tally rebuild` on the database; seconds taken."""
    env = {**os.environ, "FIELDLOG_DATABASE_URL": url, "FIELDLOG_SECRET_KEY": "bench"}
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "tally", "rebuild"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - began


def recount_times(url: str, repeats: int) -> list[float]:
    """Seconds of a plain SQL recount of the same promises and year, ``repeats`` times."""
    engine = create_engine(url)
    promises = [pid for pid, _, _ in promise_ids(engine, False) + promise_ids(engine, True)]
    query = text(
        "SELECT e.promise_id, "
        "SUM(CASE WHEN e.status = 'approved' AND e.in_window "
        "THEN 1 ELSE 0 END), SUM(CASE WHEN e.status = 'approved' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.status = 'pending' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN e.status = 'rejected' THEN 1 ELSE 0 END) "
        f"FROM entry e JOIN promise p ON p.id = e.promise_id WHERE e.year = {YEAR} "
        f"AND e.promise_id IN ({', '.join(map(str, promises))}) GROUP BY e.promise_id"
    )
    times = []
    with engine.connect() as conn:
        for _ in range(repeats):
            began = time.perf_counter()
            conn.execute(query).all()
            times.append(time.perf_counter() - began)
    engine.dispose()
    return times


def api_times(
    host: str, port: int, token: str, requests: int, query: str = ""
) -> tuple[list[float], dict]:
    """Seconds of ``requests`` sequential GET /api/v1/tallies, after a warm-up; and one body."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    path = f"/api/v1/tallies?year={YEAR}{query}"
    for _ in range(20):
        status, body = call(conn, "GET", path, token)
        assert status == 200, body
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        status, body = call(conn, "GET", path, token)
        times.append(time.perf_counter() - began)
        assert status == 200
    conn.close()
    return times, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", help="a PostgreSQL database to drop and make anew")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(args.db, "bench_tallies", Path(tmp), args.pg_url)
        app, tokens = prepare(url)
        with app.app_context():
            plan_and_apply(yaml.safe_load(WEEKLY), apply=True)
        loaded = bulk_load(url, args.entries)
        rebuilt = tally_rebuild(url)
        analyze(url)  # as after any bulk change: autovacuum would otherwise run during the timing
        with gunicorn(url, args.workers) as (host, port):
            times, body = api_times(host, port, tokens["coordinator"], args.requests)
            t2_times, _ = api_times(host, port, tokens["coordinator"], args.requests, "&period=T2")
        recount = recount_times(url, 20)

    ms = [t * 1000 for t in times]
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    r50 = percentile([t * 1000 for t in recount], 50)
    print(f"database: {args.db}, entries: {args.entries:,}, gunicorn workers: {args.workers}")
    print(f"bulk load {loaded:.1f} s, tally rebuild {rebuilt:.1f} s")
    print(f"GET /api/v1/tallies?year={YEAR}: {len(body['tallies'])} rows, {args.requests} requests")
    print(f"  p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (target: p95 ≤ 50 ms)")
    weekly = [r for r in body["tallies"] if (r["target"] or {}).get("per") == "week"]
    print(
        f"  rows on weekly targets: {len(weekly)}, e.g. {weekly[0]['periods_met']} of "
        f"{weekly[0]['periods_due']} weeks met"
        if weekly
        else "  no weekly rows!"
    )
    t2 = [t * 1000 for t in t2_times]
    print(f"GET /api/v1/tallies?year={YEAR}&period=T2:")
    t2_50, t2_95 = percentile(t2, 50), percentile(t2, 95)
    print(f"  p50 {t2_50:7.1f} ms   p95 {t2_95:7.1f} ms   (target: p95 ≤ 50 ms)")
    print(f"plain SQL recount of the same promises and year: p50 {r50:.1f} ms")
    print(f"  ratio API p50 / recount p50: {p50 / r50:.3f} (the API is {r50 / p50:.0f}× faster)")
    total = sum(r["approved"] + r["pending"] + r["rejected"] for r in body["tallies"])
    print(f"  entries counted in the API's rows: {total:,}")


if __name__ == "__main__":
    main()
