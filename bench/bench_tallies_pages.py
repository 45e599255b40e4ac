"""p50/p95 of GET /tallies and GET /api/v1/public/<code> with many entries, SQLite and PostgreSQL.

    .venv/bin/python bench/bench_tallies_pages.py                    # 1,000,000 entries, SQLite
    .venv/bin/python bench/bench_tallies_pages.py --pg postgresql+psycopg://postgres@127.0.0.1/db
    .venv/bin/python bench/bench_tallies_pages.py --quick            # 20,000 entries

The PostgreSQL database given is emptied (its public schema dropped). Entries are bulk-loaded
(executemany on SQLite, COPY on PostgreSQL), then ``tally rebuild`` recounts them; the requests go
through the whole Flask app (test client, bearer token), so the figures are server time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text  # noqa: E402

from fieldlog import create_app  # noqa: E402
from fieldlog.extensions import db  # noqa: E402
from fieldlog.models import Municipality  # noqa: E402
from fieldlog.rules import is_inconvenient  # noqa: E402
from fieldlog.services.commitments import commitments_during_year  # noqa: E402

BUNDLED = Path(__file__).resolve().parent.parent / "fieldlog" / "data" / "medborgarloften.yaml"
ZONE = ZoneInfo("Europe/Stockholm")
COLUMNS = (
    "client_id",
    "author_id",
    "promise_id",
    "started_at",
    "ended_at",
    "year",
    "in_window",
    "officers",
    "metrics",
    "status",
    "reviewer_id",
    "version",
    "content_hash",
    "created_at",
    "updated_at",
)
YEARS = (2024, 2025)


def make_app(url: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )


def fresh_schema(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def entry_rows(n: int, promises_by_year: dict[int, list[int]], author: int, reviewer: int):
    """``n`` plausible entries over the years, as tuples in COLUMNS order (UTC, naive)."""
    rng = random.Random(2506)
    slots = {}  # (year, day, hour) → (utc start, inconvenient), computed once each
    statuses = ["approved"] * 8 + ["pending", "rejected"]
    for i in range(n):
        year = rng.choice(YEARS)
        key = (year, rng.randrange(365), rng.randrange(24))
        if key not in slots:
            local = dt.datetime(year, 1, 1, key[2], 5, tzinfo=ZONE) + dt.timedelta(days=key[1])
            slots[key] = (local.astimezone(dt.UTC).replace(tzinfo=None), is_inconvenient(local))
        start, inconvenient = slots[key]
        status = rng.choice(statuses)
        yield (
            str(uuid.UUID(int=i + 1)),
            author,
            rng.choice(promises_by_year[year]),
            start,
            start + dt.timedelta(hours=1),
            year,
            inconvenient,
            1,
            "{}",
            status,
            reviewer if status != "pending" else None,
            1,
            "0" * 64,
            start,
            start,
        )


def load(app, n: int) -> None:
    """Commitments, two users, ``n`` entries, then ``tally rebuild``."""
    from flask_migrate import upgrade

    from fieldlog.services.imports import import_commitments
    from fieldlog.services.users import create_user

    upgrade()
    import_commitments(BUNDLED)
    officer = create_user("bench_officer", "officer", "Piteå älvdal", "bench-password")
    create_user("bench_coordinator", "coordinator", "Piteå älvdal", "bench-password")
    supervisor = create_user("bench_supervisor", "supervisor", "Piteå älvdal", "bench-password")
    promises_by_year = {
        y: [
            p.id
            for m in db.session.scalars(select(Municipality))
            for c in commitments_during_year(m, y)
            for p in c.promises
            if p.activity_type
        ]
        for y in YEARS
    }
    db.session.commit()
    rows = entry_rows(n, promises_by_year, officer.id, supervisor.id)
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.engine.dialect.name == "postgresql":
            with cur.copy(f"COPY entry ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            fmt = "%Y-%m-%d %H:%M:%S.%f"
            sql = (
                f"INSERT INTO entry ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            )
            cur.execute("BEGIN")
            batch = []
            for r in rows:
                batch.append(
                    (
                        *r[:3],
                        r[3].strftime(fmt),
                        r[4].strftime(fmt),
                        r[5],
                        int(r[6]),
                        *r[7:13],
                        r[13].strftime(fmt),
                        r[14].strftime(fmt),
                    )
                )
                if len(batch) == 50_000:
                    cur.executemany(sql, batch)
                    batch = []
            cur.executemany(sql, batch)
        raw.commit()
    finally:
        raw.close()
    print(f"  loaded {n:,} entries in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["tally", "rebuild"])
    assert result.exit_code == 0, result.output
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"  tally rebuild (and ANALYZE) in {time.perf_counter() - started:.1f} s")


def measure(client, path: str, headers: dict, count: int) -> tuple[float, float]:
    for _ in range(10):
        assert client.get(path, headers=headers).status_code == 200, path
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def run(url: str, n: int, count: int) -> None:
    print(f"== {url.split('://')[0]}: {n:,} entries")
    fresh_schema(url)
    app = make_app(url)
    with app.app_context():
        from fieldlog.models import User
        from fieldlog.services.users import issue_token

        load(app, n)
        user = db.session.scalar(select(User).where(User.username == "bench_coordinator"))
        headers = {"Authorization": f"Bearer {issue_token(user)}"}
        client = app.test_client()
        for path in ("/tallies?year=2025", "/api/v1/public/2506?year=2025"):
            p50, p95 = measure(client, path, headers if path.startswith("/tallies") else {}, count)
            print(f"  GET {path:<32} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({count} requests)")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 entries, 100 requests")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL (it is emptied)")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    n, count = (20_000, 100) if args.quick else (args.entries, args.requests)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.sqlite3", n, count)
    if args.pg:
        run(args.pg, n, count)


if __name__ == "__main__":
    main()
