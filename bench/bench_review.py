"""How fast a supervisor's queue renders and a bulk review commits, with many pending entries.

    .venv/bin/python bench/bench_review.py [N]     (FIELDLOG_BENCH_DATABASE_URL for PostgreSQL)

Uses a fresh SQLite file in a temporary folder unless a database URL is given
(that database is emptied first).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldlog import create_app  # noqa: E402
from fieldlog.extensions import db  # noqa: E402


def timed(label: str, fn, repeat: int = 1):
    start = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    ms = (time.perf_counter() - start) * 1000 / repeat
    print(f"{label:<52} {ms:9.1f} ms")
    return result


def main(n: int) -> None:
    url = os.environ.get("FIELDLOG_BENCH_DATABASE_URL")
    tmp = tempfile.mkdtemp()
    url = url or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context(), app.test_request_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        from fieldlog.review.queue import QueueFilters, queue_page
        from fieldlog.services.entries import sync_entries
        from fieldlog.services.imports import import_commitments
        from fieldlog.services.review import record_review, review_many
        from fieldlog.services.tallies import check
        from fieldlog.services.users import create_user

        import_commitments(ROOT / "fieldlog" / "data" / "medborgarloften.yaml")
        officer = create_user("o", "officer", "Piteå älvdal", "password1")
        boss = create_user("s", "supervisor", "Piteå älvdal", "password1")
        now = dt.datetime.now(dt.UTC)
        items = [
            {
                "client_id": str(uuid.uuid4()),
                "promise": "arjeplog-fotpatrull",
                "started_at": (now - dt.timedelta(minutes=7 * i + 60)).isoformat(),
                "metrics": {"contacts": i % 9},
            }
            for i in range(n)
        ]
        for i in range(0, n, 500):
            sync_entries(officer, items[i : i + 500])
        print(f"{n} pending entries on {db.engine.dialect.name}")
        page = timed(
            "queue page (200 oldest of all, with filters)",
            lambda: queue_page(boss, QueueFilters()),
            repeat=5,
        )
        ids = [e.id for e in page.entries]
        outcome = timed(
            "approve 200 in one action", lambda: review_many(boss, ids, "approve", None)
        )
        assert len(outcome.done) == 200
        rest = [e.id for e in queue_page(boss, QueueFilters()).entries[:50]]
        start = time.perf_counter()
        for entry_id in rest:
            record_review(boss, entry_id, "reject", "Dubblett")
        ms = (time.perf_counter() - start) * 1000 / len(rest)
        print(f"{'reject one (API service), mean of 50':<52} {ms:9.1f} ms")
        assert check() == [], "tallies differ from a recount"
        print("tally check: stored tallies equal a recount")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
