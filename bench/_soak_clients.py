"""The simulated devices of bench/soak.py: phones of officers and a reviewing supervisor.

Every request goes through :class:`Client`, which drops an answer now and then
(closes the connection unread) and sends the request again until it is answered,
as a phone losing coverage does. Each phone remembers what it was told about
its entries, for soak.py to compare with the server's at the end.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

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
