"""Demo data: the bundled commitments, one account per role and a year of plausible entries."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update

from . import clock
from .database import begin_write
from .extensions import db
from .models import Entry, User
from .services import scope, tallies
from .services.commitments import active_commitment
from .services.entries import sync_entries
from .services.imports import import_commitments
from .services.users import create_user

BUNDLED = Path(__file__).parent / "data" / "medborgarloften.yaml"
AREA = "Piteå älvdal"
PASSWORD = "fieldlog-demo"
ACCOUNTS = (
    ("polis", "officer", "Anna Polis"),
    ("polis2", "officer", "Erik Polis"),
    ("gruppchef", "supervisor", "Maria Gruppchef"),
    ("samordnare", "coordinator", "Lars Samordnare"),
    ("admin", "admin", "Admin"),
    ("kommun", "municipal", "Karin Kommun"),
)
# The municipalities of the demo's municipal account (Arjeplog and Älvsbyn).
MUNICIPAL_CODES = ["2506", "2560"]
PLACES = ("Torget", "Skolan", "Storgatan", "Idrottshallen", "Busstationen", "Ungdomsgården")


def demo_logins() -> list[str]:
    """The demo accounts, for printing."""
    return [f"  {name:<11} {role:<12} lösenord: {PASSWORD}" for name, role, _ in ACCOUNTS]


def load_demo(if_new: bool = False, with_entries: bool = True) -> list[str]:
    """Load the demo data; lines to print."""
    if if_new and db.session.scalar(select(func.count()).select_from(User)):
        return [
            "Databasen har redan användare; inga demodata laddades.",
            "Demoinloggningar (om de finns):",
            *demo_logins(),
        ]
    lines = [f"import: {len(import_commitments(BUNDLED))} ändringar"]
    for username, role, name in ACCOUNTS:
        if db.session.scalar(select(User).where(User.username == username)) is None:
            if role == "municipal":
                create_user(username, role, None, PASSWORD, name, None, MUNICIPAL_CODES)
            else:
                create_user(username, role, AREA, PASSWORD, name)
    if with_entries:
        lines.append(f"exempelposter: {make_sample_entries()}")
    return [*lines, "Demoinloggningar:", *demo_logins()]


def make_sample_entries(days: int = 365, seed: int = 2506) -> int:
    """Log, approve and reject a year of plausible entries for the demo officers and the
    municipal account, each its own promises; how many."""
    rng = random.Random(seed)
    zone = ZoneInfo(current_app.config["FIELDLOG_TIMEZONE"])
    officers = list(
        db.session.scalars(select(User).where(User.username.in_(["polis", "polis2", "kommun"])))
    )
    supervisor = db.session.scalar(select(User).where(User.username == "gruppchef"))
    if not officers or supervisor is None:
        return 0
    today = clock.today()
    made = 0
    for officer in officers:
        batch = []
        for municipality in scope.visible_municipalities(officer):
            for back in range(days, 0, -1):
                day = today - dt.timedelta(days=back)
                commitment = active_commitment(municipality, day)
                if commitment is None or rng.random() > 0.12:
                    continue
                countable = [
                    p for p in commitment.promises if p.activity_type and scope.may_log(officer, p)
                ]
                if not countable:
                    continue
                promise = rng.choice(countable)
                hour = rng.choice([6, 9, 10, 13, 15, 20, 22])
                start = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 15, 30, 45])), zone)
                batch.append(
                    {
                        "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
                        "promise": promise.key,
                        "started_at": start.isoformat(),
                        "ended_at": (
                            start + dt.timedelta(minutes=rng.choice([30, 45, 60, 90]))
                        ).isoformat(),
                        "place": rng.choice(PLACES),
                        "officers": rng.choice([1, 2, 2]),
                        "metrics": {m: rng.randint(0, 12) for m in promise.activity_type.metrics},
                    }
                )
        results = sync_entries(officer, batch)
        made += sum(r.status == "created" for r in results)
    # Most older entries have been reviewed; the last week waits in the queue.
    begin_write()
    cutoff = dt.datetime.combine(today - dt.timedelta(days=7), dt.time(), zone)
    ids = list(db.session.scalars(select(Entry.id).where(Entry.started_at < cutoff)))
    rejected = set(rng.sample(ids, k=len(ids) // 20)) if ids else set()
    now = dt.datetime.now(dt.UTC)
    for status, chosen, comment in (
        ("approved", set(ids) - rejected, None),
        ("rejected", rejected, "Ange plats och antal kontakter."),
    ):
        if chosen:
            db.session.execute(
                update(Entry)
                .where(Entry.id.in_(chosen))
                .values(
                    status=status,
                    reviewer_id=supervisor.id,
                    reviewed_at=now,
                    review_comment=comment,
                )
                .execution_options(synchronize_session=False)
            )
    tallies.rebuild()
    db.session.commit()
    return made
