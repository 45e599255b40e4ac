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
import http.client
import json
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, inspect, make_url, select, text  # noqa: E402

from fieldlog import create_app  # noqa: E402
from fieldlog.extensions import db  # noqa: E402
from tests.server import gunicorn  # noqa: E402

BUNDLED = ROOT / "fieldlog" / "data" / "medborgarloften.yaml"
PROMISES = ("arjeplog-fotpatrull", "arjeplog-trafikkontroll", "arjeplog-ungdomsbesok")
PLACES = ("Torget", "Skolan", "Storgatan", "Silvervägen", "Busstationen")
DROP_CHANCE = 0.2


@dataclass
class Tally:
    """What the simulated clients saw, added up across threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def odd(self, what: str) -> None:
        with self.lock:
            self.counts["unexpected"] += 1
            if len(self.unexpected) < 10:
                self.unexpected.append(what)


class Client:
    """One device's connection: a request answered, or dropped unread and sent again."""

    def __init__(self, port: int, token: str, rng: random.Random, seen: Tally) -> None:
        self.port, self.token, self.rng, self.seen = port, token, rng, seen
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self.conn

    def _reset(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """The answer to one request; lost answers and broken connections are retried."""
        payload = json.dumps(body) if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        for _ in range(50):
            self.seen.add("requests")
            try:
                conn = self._connection()
                conn.request(method, path, body=payload, headers=headers)
                if method == "POST" and self.rng.random() < DROP_CHANCE:
                    self.seen.add("lost answers")
                    self._reset()  # the answer never reaches the phone; it tries again
                    continue
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException):
                self.seen.add("network errors")
                self._reset()
                continue
            if response.status >= 500:
                self.seen.add("5xx")
                continue
            return response.status, json.loads(raw) if raw else {}
        raise RuntimeError(f"{method} {path}: no answer after 50 tries")


@dataclass
class Known:
    """What a phone was last told about one of its entries."""

    item: dict
    version: int


class Phone(threading.Thread):
    """An officer's phone: new entries, replays, edits and stale edits until the deadline."""

    def __init__(self, port: int, token: str, seed: int, deadline: float, seen: Tally) -> None:
        super().__init__(daemon=True)
        self.rng = random.Random(seed)
        self.client = Client(port, token, self.rng, seen)
        self.deadline, self.seen = deadline, seen
        self.known: dict[str, Known] = {}
        self.created: Counter = Counter()

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                action = self.rng.choices(
                    (self.new, self.replay, self.edit, self.stale_edit), (50, 15, 20, 15)
                )[0]
                action()
        except Exception as exc:  # noqa: BLE001  (counted and shown at the end)
            self.seen.odd(f"phone stopped: {exc!r}")
        finally:
            self.client._reset()

    def _sync(self, items: list[dict]) -> list[dict]:
        status, body = self.client.call("POST", "/api/v1/entries", {"entries": items})
        if status != 200:
            self.seen.odd(f"sync answered {status}: {str(body)[:200]}")
            return []
        return body["results"]

    def new(self) -> None:
        items = [self._entry() for _ in range(self.rng.randint(1, 5))]
        for item, result in zip(items, self._sync(items), strict=False):
            if result["status"] not in ("created", "duplicate"):  # duplicate: a lost answer's
                self.seen.odd(f"new entry: {result}")
                continue
            self.created[item["client_id"]] += result["status"] == "created"
            self.known[item["client_id"]] = Known(item, result["version"])
            self.seen.add("entries made")

    def replay(self) -> None:
        items = [self.known[c].item for c in self._some(5)]
        if not items:
            return
        for result in self._sync(items):
            self.seen.add("replays")
            if result["status"] != "duplicate":
                self.seen.odd(f"replay: {result}")

    def edit(self) -> None:
        for client_id in self._some(1):
            known = self.known[client_id]
            item = {**known.item, "place": self.rng.choice(PLACES), "notes": uuid.uuid4().hex}
            (result,) = self._sync([{**item, "base_version": known.version}]) or [None]
            if result is None:
                return
            self.seen.add("edits")
            if result["status"] in ("updated", "duplicate"):  # duplicate: a lost answer's
                self.known[client_id] = Known(item, result["version"])
            elif result["status"] != "conflict":  # approved meanwhile
                self.seen.odd(f"edit: {result}")

    def stale_edit(self) -> None:
        edited = [c for c, k in self.known.items() if k.version > 1]
        for client_id in self.rng.sample(edited, min(1, len(edited))):
            known = self.known[client_id]
            item = {**known.item, "notes": "stale " + uuid.uuid4().hex}
            (result,) = self._sync([{**item, "base_version": known.version - 1}]) or [None]
            if result is None:
                return
            self.seen.add("stale edits")
            if result["status"] != "conflict":
                self.seen.odd(f"stale edit: {result}")

    def _some(self, n: int) -> list[str]:
        ids = list(self.known)
        return self.rng.sample(ids, min(n, len(ids)))

    def _entry(self) -> dict:
        day = self.rng.randrange(1, 28)
        return {
            "client_id": str(uuid.uuid4()),
            "promise": self.rng.choice(PROMISES),
            "started_at": f"2026-02-{day:02d}T{self.rng.randrange(6, 22):02d}:15",
            "place": self.rng.choice(PLACES),
            "officers": self.rng.randint(1, 3),
            "notes": uuid.uuid4().hex,
        }


class Supervisor(threading.Thread):
    """Approves and rejects pending entries of the area until the deadline."""

    def __init__(self, port: int, token: str, deadline: float, seen: Tally) -> None:
        super().__init__(daemon=True)
        self.rng = random.Random(2506)
        self.client = Client(port, token, self.rng, seen)
        self.deadline, self.seen = deadline, seen

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                status, body = self.client.call("GET", "/api/v1/entries?status=pending")
                if status != 200:
                    self.seen.odd(f"pending list answered {status}")
                    return
                pending = [e["entry_id"] for e in body["entries"]]
                for entry_id in self.rng.sample(pending, min(10, len(pending))):
                    self.review(entry_id)
        except Exception as exc:  # noqa: BLE001  (counted and shown at the end)
            self.seen.odd(f"supervisor stopped: {exc!r}")
        finally:
            self.client._reset()

    def review(self, entry_id: int) -> None:
        approve = self.rng.random() < 0.7
        decision = {"decision": "approve"} if approve else {"decision": "reject", "comment": "Fel"}
        status, body = self.client.call("POST", f"/api/v1/entries/{entry_id}/review", decision)
        self.seen.add("reviews")
        if status not in (200, 409):  # 409: reviewed already (a lost answer's retry)
            self.seen.odd(f"review answered {status}: {body}")


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
