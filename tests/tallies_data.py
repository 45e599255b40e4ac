"""Generated entries for the tallies tests: logged by sync, reviewed by a supervisor."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import Entry, Promise
from fieldlog.rules import is_inconvenient
from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review

ZONE = ZoneInfo("Europe/Stockholm")
# Countable promises of Piteå älvdal in force in 2024 that officers log (polisen, gemensamt).
PITEA_PROMISES = (
    "arjeplog-information",
    "arjeplog-problembild",
    "arjeplog-ungdomsbesok",
    "arjeplog-fotpatrull",
    "arjeplog-trafikkontroll",
    "arjeplog-trafikinsats-obekvam",
    "arjeplog-aktorsdialog",
    "alvsbyn23-hundsok",
    "alvsbyn23-problembild",
)


def log(officer, supervisor, specs: list[dict]) -> list[Entry]:
    """Log entries (promise, start, decision, place, notes) and review each as its spec says."""
    items = []
    for s in specs:
        item = {
            "client_id": str(uuid.uuid4()),
            "promise": s["promise"],
            "started_at": s["start"].isoformat(),
        }
        for field in ("place", "notes"):
            if s.get(field):
                item[field] = s[field]
        items.append(item)
    results = sync_entries(officer, items)
    assert [r.status for r in results] == ["created"] * len(items), [r.errors for r in results]
    for s, r in zip(specs, results, strict=True):
        if s.get("decision") == "approve":
            record_review(supervisor, r.entry_id, "approve", None)
        elif s.get("decision") == "reject":
            record_review(supervisor, r.entry_id, "reject", "Ange plats.")
    return list(db.session.scalars(select(Entry).order_by(Entry.id)))


def generated_specs(year: int, n: int, seed: int = 6, promises=PITEA_PROMISES) -> list[dict]:
    """``n`` entries over ``year`` at assorted hours; most approved, some rejected or pending."""
    rng = random.Random(seed)
    specs = []
    for _ in range(n):
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360))
        start = dt.datetime.combine(day, dt.time(rng.choice([6, 10, 14, 20]), 15), ZONE)
        specs.append(
            {
                "promise": rng.choice(promises),
                "start": start,
                "decision": rng.choice(["approve"] * 6 + ["reject", None, None]),
                "place": rng.choice(["Torget", "Skolan"]),
                "notes": "hemlig anteckning",
            }
        )
    return specs


def expected_counts(specs: list[dict]) -> dict[str, dict[str, int]]:
    """Recount by hand, from the specs alone: promise key → counted, approved, pending, rejected."""
    rules = {p.key: p.time_rule for p in db.session.scalars(select(Promise))}
    found: dict[str, dict[str, int]] = {}
    for s in specs:
        counts = found.setdefault(
            s["promise"], {"counted": 0, "approved": 0, "pending": 0, "rejected": 0}
        )
        status = {"approve": "approved", "reject": "rejected"}.get(s.get("decision"), "pending")
        counts[status] += 1
        if status == "approved" and (rules[s["promise"]] is None or is_inconvenient(s["start"])):
            counts["counted"] += 1
    return found
