"""Soak: simulated phones and a supervisor against gunicorn; nothing lost, nothing doubled, no 5xx.

    .venv/bin/python bench/soak.py                              (SQLite in a temporary folder)
    .venv/bin/python bench/soak.py --phones 8 --seconds 60 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/soak --wipe

Each phone is an officer logging entries through POST /api/v1/entries. Now and
then it drops the answer (closes the connection unread, as a phone losing
coverage does) and sends the same request again until it gets one; it
replays entries already stored, edits its own entries with the version it
last saw, and sends stale edits (an old base_version) that must be refused.
A supervisor meanwhile approves and rejects pending entries. At the end the
server's entries are compared with what each phone was told: an entry or edit
the phone was answered for and the server lacks is *lost*; a stored entry no
phone was answered for, or one answered `created` twice, is *doubled*. Then
`tally check` and `audit verify` run on the database.

Prints the figures; exits 1 on any loss, double, 5xx, unexpected answer, tally
difference or break in the audit chain. ``--wipe`` empties the database first
(it refuses a database that has tables without it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _soak_clients import Phone, Supervisor, Tally  # noqa: E402
from sqlalchemy import create_engine, inspect, make_url, select, text  # noqa: E402

from fieldlog import create_app  # noqa: E402
from fieldlog.extensions import db  # noqa: E402
from tests.server import gunicorn  # noqa: E402

BUNDLED = ROOT / "fieldlog" / "data" / "medborgarloften.yaml"


def prepare(url: str, phones: int, wipe: bool) -> tuple[list[str], str]:
    """A migrated database with the bundled commitments; the phones' and the supervisor's tokens."""
    from flask_migrate import upgrade

    from fieldlog.services.imports import import_commitments
    from fieldlog.services.users import create_user, issue_token

    engine = create_engine(url)
    if inspect(engine).get_table_names():
        if not wipe:
            engine.dispose()
            raise SystemExit(f"error: {make_url(url).database} has tables; --wipe to empty it")
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "soak"})
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2"
    with app.app_context():
        upgrade()
        import_commitments(BUNDLED)
        tokens = [
            issue_token(create_user(f"soak{i}", "officer", "Piteå älvdal", "soak password"))
            for i in range(phones)
        ]
        boss = issue_token(create_user("soakboss", "supervisor", "Piteå älvdal", "soak password"))
        db.session.remove()
        db.engine.dispose()
    return tokens, boss


def judge(url: str, phones: list[Phone]) -> dict[str, object]:
    """Compare the server's entries with what the phones were told; tallies and audit chain."""
    from fieldlog.models import Entry, User
    from fieldlog.services import tallies
    from fieldlog.services.audit_chain import verify

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "soak"})
    with app.app_context():
        rows = db.session.execute(
            select(User.username, Entry.client_id, Entry.version, Entry.place, Entry.notes).join(
                User, User.id == Entry.author_id
            )
        ).all()
        diffs = len(tallies.check())
        chain = verify()
        db.session.remove()
        db.engine.dispose()
    stored: dict[str, dict] = {}
    for row in rows:
        stored.setdefault(row.username, {})[row.client_id] = row
    lost = doubled = 0
    for i, phone in enumerate(phones):
        mine = stored.get(f"soak{i}", {})
        for client_id, known in phone.known.items():
            row = mine.get(client_id)
            told = (known.version, known.item["place"], known.item["notes"])
            if row is None or (row.version, row.place, row.notes) != told:
                lost += 1
        doubled += len(set(mine) - set(phone.known))
        doubled += sum(1 for n in phone.created.values() if n > 1)
    return {"lost": lost, "doubled": doubled, "tally differences": diffs, "chain": chain}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--wipe", action="store_true", help="empty the database first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'soak.sqlite3'}"
        tokens, boss = prepare(url, args.phones, args.wipe)
        seen = Tally()
        with gunicorn(url, Path(folder) / "gunicorn.log", workers=args.workers) as base:
            port = int(base.rsplit(":", 1)[1])
            deadline = time.monotonic() + args.seconds
            phones = [Phone(port, t, i, deadline, seen) for i, t in enumerate(tokens)]
            workers = [*phones, Supervisor(port, boss, deadline, seen)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            log = (Path(folder) / "gunicorn.log").read_text()
        verdict = judge(url, phones)
    chain = verdict["chain"]
    c = seen.counts
    kind = make_url(url).get_backend_name()
    print(f"soak: {args.phones} phones and a supervisor, {args.seconds:g} s, {kind}")
    print(
        f"requests {c['requests']} (lost answers {c['lost answers']}, network errors "
        f"{c['network errors']}); entries made {c['entries made']}, replays {c['replays']}, "
        f"edits {c['edits']}, stale edits {c['stale edits']}, reviews {c['reviews']}"
    )
    print(
        f"lost {verdict['lost']}, doubled {verdict['doubled']}, 5xx {c['5xx']}, unexpected "
        f"{c['unexpected']}, tally differences {verdict['tally differences']}, audit chain "
        + (f"intact ({chain.events} events)" if chain.intact else f"BROKEN: {chain.problem}")
    )
    for what in seen.unexpected:
        print(f"  unexpected: {what}")
    if c["5xx"] and log.strip():
        print("gunicorn's log:\n" + log[-3000:])
    failed = (
        verdict["lost"] or verdict["doubled"] or c["5xx"] or c["unexpected"]
        or verdict["tally differences"] or not chain.intact or not c["entries made"]
    )  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
