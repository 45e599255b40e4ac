"""Demo data: the bundled agreements, accounts for every police area in them, and entries that
a coordinator would believe (demo_plan.py says what each activity looks like).

Every agreement gets entries in each year it was in force, up to yesterday: most
promises meet their target, the current year's are on track or behind, and a few
are missed. Entries are checked by the one validation, then stored with one
multi-row insert, their audit events after them, and the tallies rebuilt.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from . import clock
from .database import begin_write
from .demo_plan import ACTIVITIES, DUPLICATE, REJECTIONS, place_for, suits
from .extensions import db
from .models import Commitment, Entry, Municipality, Promise, User
from .rules import is_holiday_or_eve
from .rules.periods import iso_weeks
from .services import audit, bulk, tallies
from .services.commitments import InForce, PromiseResolver, commitments_naming
from .services.imports import import_commitments
from .services.users import create_user
from .services.validation import validate_entry

DATA = Path(__file__).parent / "data"
BUNDLED = DATA / "medborgarloften.yaml"
MORE = DATA / "more-agreements.yaml"
PASSWORD = "fieldlog-demo"
PITEA, ARBOGA = "Piteå älvdal", "Västra Mälardalen"
# username, role, name, police area (or the municipalities of a municipal account)
ACCOUNTS: tuple[tuple[str, str, str, str | list[str]], ...] = (
    ("polis", "officer", "Anna Lind", PITEA),
    ("polis2", "officer", "Erik Nilsson", PITEA),
    ("gruppchef", "supervisor", "Maria Berg", PITEA),
    ("samordnare", "coordinator", "Lars Holm", PITEA),
    ("admin", "admin", "Admin", PITEA),
    ("kommun", "municipal", "Karin Ek (Arjeplog, Älvsbyn)", ["2506", "2560"]),
    ("arboga", "coordinator", "Sara Wik (Arboga)", ARBOGA),
    ("arboga-polis", "officer", "Johan Ström", ARBOGA),
    ("arboga-chef", "supervisor", "Eva Sund", ARBOGA),
    ("landskrona", "officer", "Ali Hassan", "Landskrona"),
    ("landskrona-chef", "supervisor", "Petra Åkesson", "Landskrona"),
    ("goteborg", "officer", "Jonas Ekberg", "Göteborg City"),
    ("goteborg-chef", "supervisor", "Linnea Falk", "Göteborg City"),
    ("fyrbodal", "officer", "Mikael Strand", "Södra Fyrbodal"),
    ("fyrbodal-chef", "supervisor", "Helena Ros", "Södra Fyrbodal"),
    (
        "fyrbodal-kommun",
        "municipal",
        "Tove Lund (Stenungsund, Orust, Tjörn)",
        ["1415", "1421", "1407"],
    ),
)
# The current year's promises that are behind; the years in which a promise was missed;
# and promises with a weekly target that missed some weeks.
BEHIND_NOW = {"arjeplog-trafikkontroll", "arjeplog-drogutbildning"}
MISSED = {("arjeplog-trafikinsats-obekvam", 2024), ("alvsbyn21-medborgardialog", 2022)}
MISSED_WEEKS = {"landskrona-fotpatrull": 3}
# An entry at daytime for a promise counted only at inconvenient hours: approved, not counted.
OUTSIDE_WINDOW = {"arjeplog-trafikinsats-obekvam": 2025}
# Entries that started this close to today still wait for their review.
QUEUE_DAYS = 7
# Activities a year where a promise names no number.
RATE = {
    "aktorsdialog": 4,
    "information": 5,
    "medborgardialog": 4,
    "trafikinsats": 6,
    "skolbesok": 8,
    "trafikkontroll": 12,
    "hundsok": 3,
    "drogvaneundersokning": 1,
    "problembildsinsats": 4,
}
# In Piteå älvdal one officer works mostly with traffic, the other with the rest.
TRAFFIC = {"trafikkontroll", "trafikinsats"}


def demo_logins() -> list[str]:
    """The demo accounts, for printing."""
    return [f"  {name:<16} {role:<12} lösenord: {PASSWORD}" for name, role, _, _ in ACCOUNTS]


def load_demo(if_new: bool = False, with_entries: bool = True) -> list[str]:
    """Load the demo data; lines to print."""
    if if_new and db.session.scalar(select(func.count()).select_from(User)):
        return [
            "Databasen har redan användare; inga demodata laddades.",
            "Demoinloggningar (om de finns):",
            *demo_logins(),
        ]
    changes = len(import_commitments(BUNDLED)) + len(import_commitments(MORE))
    lines = [f"import: {changes} ändringar"]
    for username, role, name, where in ACCOUNTS:
        if db.session.scalar(select(User).where(User.username == username)) is None:
            if isinstance(where, list):
                create_user(username, role, None, PASSWORD, name, None, where)
            else:
                create_user(username, role, where, PASSWORD, name)
    if with_entries:
        lines.append(f"exempelposter: {make_sample_entries()}")
    return [*lines, "Demoinloggningar:", *demo_logins()]


@dataclass
class Planned:
    """One sample entry before it is stored."""

    promise: Promise
    municipality: Municipality
    day: dt.date
    rejected_as: str | None = None  # the reason, for a rejected one
    copy_of: Planned | None = None  # the entry a rejected one copies
    fault: str | dict | None = None  # "dup", or the fields in which it differs from that one
    data: dict | None = None
    author: User | None = None
    start: str | None = None  # HH:MM, instead of one of the activity's usual hours


class Sampler:
    """Makes the demo's entries with one seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self.zone = ZoneInfo(current_app.config["FIELDLOG_TIMEZONE"])
        self.today = clock.today()
        # "Now" for the demo: this morning, so that nothing lies ahead of the clock.
        self.now = min(
            dt.datetime.now(dt.UTC), dt.datetime.combine(self.today, dt.time(7, 30), self.zone)
        )
        self.users = {u.username: u for u in db.session.scalars(select(User))}
        self.resolvers: dict[int, PromiseResolver] = {}

    # -- how many, and on which days -----------------------------------------------------
    def count_for(self, promise: Promise, year: int, share: float) -> int:
        """How many counted entries a promise gets in a year, ``share`` of it gone."""
        target = promise.target_in(year)
        over = share >= 1
        if target is None:
            rate = RATE.get(promise.activity_type.code, 3) * share
            return max(0, round(rate + self.rng.choice([-1, 0, 0, 1])))
        n = target.count
        if target.per == "period":
            n = math.ceil(n * share)
        if (promise.key, year) in MISSED:
            return max(0, n - 1 - (n > 4))
        if over:
            return n + (self.rng.choice([0, 0, 1, 2]) if n > 2 else 0)
        if promise.key in BEHIND_NOW and year == self.today.year:
            return math.floor(n * share * 0.5)
        # On track, with room for the last week's entries that still wait for review.
        return min(n, math.ceil(n * share) + 1) + (self.rng.choice([0, 1]) if n > 4 else 0)

    def pick_days(self, promise: Promise, days: list[dt.date], n: int) -> list[dt.date]:
        """``n`` of the days the promise's activity is done on (fewer when fewer fit)."""
        fitting = [d for d in days if suits(ACTIVITIES[promise.activity_type.code], d)]
        return sorted(self.rng.sample(fitting, min(n, len(fitting))))

    def weekly_days(self, promise: Promise, days: list[dt.date]) -> list[dt.date]:
        """Days for a weekly target: the target in most weeks, one short in a few."""
        in_force = set(days)
        chosen: list[dt.date] = []
        years = sorted({d.isocalendar().year for d in days})
        weeks = [(y, w) for y in years for w in iso_weeks(y)]
        short = set(self.rng.sample(range(len(weeks)), MISSED_WEEKS.get(promise.key, 0)))
        for i, (year, week) in enumerate(weeks):
            week_days = [week.start + dt.timedelta(days=k) for k in range(7)]
            week_days = [d for d in week_days if d in in_force]
            target = promise.target_in(year)
            n = target.count if target else 1
            n = n - 1 if i in short else n + (self.rng.random() < 0.1)
            chosen += self.pick_days(promise, week_days, n)
        return chosen

    def plan(self, commitment: Commitment, naming: dict[int, list[Commitment]]) -> list[Planned]:
        """The entries of one agreement, every year it was in force up to yesterday."""
        in_force = InForce(commitment, lambda mid: naming.get(mid, []))
        last = self.today - dt.timedelta(days=1)
        end = last if commitment.until_superseded else min(last, commitment.valid_to)
        span = [
            commitment.valid_from + dt.timedelta(days=i)
            for i in range((end - commitment.valid_from).days + 1)
        ]
        where = {
            d: [m for m in commitment.municipalities if in_force.in_municipality(m.id, d)]
            for d in span
        }
        days = [d for d in span if where[d]]
        planned: list[Planned] = []
        for promise in commitment.promises:
            if promise.activity_type is None:
                continue
            target = promise.target_in(days[0].year) if days else None
            if target is not None and target.per == "week":
                chosen = self.weekly_days(promise, days)
            else:
                chosen = []
                for year in sorted({d.year for d in days}):
                    of_year = [d for d in days if d.year == year]
                    first = max(dt.date(year, 1, 1), commitment.valid_from)
                    share = min(1.0, len(of_year) / ((dt.date(year, 12, 31) - first).days + 1))
                    chosen += self.pick_days(promise, of_year, self.count_for(promise, year, share))
            chosen += self.recent(promise, days)
            planned += [Planned(promise, self.rng.choice(where[d]), d) for d in chosen]
            if promise.key in OUTSIDE_WINDOW:
                year = OUTSIDE_WINDOW[promise.key]
                weekdays = [
                    d
                    for d in days
                    if d.year == year and d.weekday() < 5 and not is_holiday_or_eve(d)
                ]
                day = self.pick_days(promise, weekdays, 1)
                planned += [Planned(promise, where[d][0], d, start="14:00") for d in day]
        return planned

    def recent(self, promise: Promise, days: list[dt.date]) -> list[dt.date]:
        """Most often one more in the last week, still waiting for review."""
        if promise.key in BEHIND_NOW or self.rng.random() < 0.3:
            return []
        return self.pick_days(promise, [d for d in days if (self.today - d).days <= QUEUE_DAYS], 1)

    # -- who, when, where ------------------------------------------------------------------
    def author(self, promise: Promise, municipality: Municipality) -> User:
        """Who logs it: the owner's people in that municipality."""
        area = municipality.police_area.name
        police = [self.users[n] for n, role, _, a in ACCOUNTS if role == "officer" and a == area]
        staff = [
            self.users[n]
            for n, role, _, a in ACCOUNTS
            if role == "municipal" and municipality.code in a
        ]
        if promise.owner == "kommunen" or (
            promise.owner == "gemensamt" and staff and self.rng.random() < 0.3
        ):
            return staff[0]
        if area == PITEA and len(police) > 1:
            traffic = promise.activity_type.code in TRAFFIC
            main, other = (police[1], police[0]) if traffic else (police[0], police[1])
            return main if self.rng.random() < 0.85 else other
        return self.rng.choice(police)

    def reviewer(self, municipality: Municipality) -> User:
        area = municipality.police_area.name
        return next(
            self.users[n] for n, role, _, a in ACCOUNTS if role == "supervisor" and a == area
        )

    def entry_data(self, item: Planned, author: User) -> dict[str, Any]:
        """The ENTRY of CONTRACT a phone would send for it."""
        code = item.promise.activity_type.code
        activity = ACTIVITIES[code]
        hour, minute = map(int, (item.start or self.rng.choice(activity.starts)).split(":"))
        start = dt.datetime.combine(item.day, dt.time(hour, minute), self.zone)
        place = place_for(self.rng, code, item.municipality.code, item.promise.places)
        staff = author.role == "municipal"
        data = {
            "client_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "promise": item.promise.key,
            "municipality": item.municipality.code,
            "started_at": start.isoformat(),
            "ended_at": (
                start + dt.timedelta(minutes=self.rng.choice(activity.minutes))
            ).isoformat(),
            "place": place or "",
            "officers": 1 if staff else self.rng.choice(activity.officers),
            "metrics": activity.metrics(self.rng),
            "notes": self.rng.choice(activity.notes)
            if activity.notes and self.rng.random() < 0.2
            else "",
        }
        return data

    def sent_at(self, ended: dt.datetime) -> dt.datetime:
        """When the phone sent it: minutes after the end, now and then hours (no coverage)."""
        later = dt.timedelta(minutes=self.rng.randint(2, 40))
        if self.rng.random() < 0.08:
            later += dt.timedelta(hours=self.rng.randint(2, 14))
        return min(ended + later, self.now - dt.timedelta(minutes=5))

    def reviewed_at(self, sent: dt.datetime) -> dt.datetime:
        """A supervisor's working hours, on the next weekday or two after it was sent."""
        day = sent.astimezone(self.zone).date() + dt.timedelta(days=self.rng.choice([1, 1, 2, 3]))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        moment = dt.time(self.rng.randint(8, 15), self.rng.choice([0, 10, 25, 40, 55]))
        return dt.datetime.combine(day, moment, self.zone)


def _snapshot(data: dict[str, Any], clean, status: str, comment: str | None) -> dict[str, Any]:
    return {
        "client_id": data["client_id"],
        "promise": data["promise"],
        "started_at": clean.started_at.astimezone(dt.UTC).isoformat(),
        "ended_at": clean.ended_at.astimezone(dt.UTC).isoformat() if clean.ended_at else None,
        "place": clean.place,
        "officers": clean.officers,
        "metrics": clean.metrics,
        "notes": clean.notes,
        "status": status,
        "version": 1,
        "review_comment": comment,
    }


def with_rejections(sampler: Sampler, planned: list[Planned]) -> list[Planned]:
    """About one entry in fifteen also has a rejected twin: a duplicate sent by a colleague,
    or one with a fault its activity's reason names."""
    extra = []
    for item in planned:
        if sampler.rng.random() >= 1 / 15:
            continue
        code = item.promise.activity_type.code
        reason, fault = sampler.rng.choice(REJECTIONS.get(code, REJECTIONS[""]))
        if isinstance(fault, dict) and item.promise.places and "place" in fault:
            reason, fault = DUPLICATE
        extra.append(Planned(item.promise, item.municipality, item.day, reason, item, fault))
    return planned + extra


def make_sample_entries(seed: int = 2506) -> int:
    """Store the demo's entries with their reviews and audit events; how many."""
    sampler = Sampler(seed)
    # The catalogue's commitments, with everything they are asked for loaded.
    naming = commitments_naming(list(db.session.scalars(select(Municipality.id))))
    commitments = sorted(
        {c.id: c for cs in naming.values() for c in cs}.values(), key=lambda c: c.id
    )
    if not commitments or "gruppchef" not in sampler.users:
        return 0
    planned = [p for c in commitments for p in sampler.plan(c, naming)]
    planned = with_rejections(sampler, planned)
    rows, events = [], []
    for item in planned:
        author, reason = sampler.author(item.promise, item.municipality), item.rejected_as
        data = sampler.entry_data(item, author)
        if item.copy_of is not None:
            author = item.copy_of.author
            if isinstance(item.fault, dict):
                data.update(item.fault)  # another time that day, with what the reason names
            else:
                twin = item.copy_of.data
                keep = ("started_at", "ended_at", "place", "officers", "metrics")
                data.update({k: twin[k] for k in keep})
                author = _colleague(sampler, author, item.municipality)
                if author is item.copy_of.author:
                    reason = DUPLICATE[0]
            data["officers"] = 1 if author.role == "municipal" else data["officers"]
        item.data, item.author = data, author
        resolver = sampler.resolvers.setdefault(author.id, PromiseResolver(author))
        clean, errors = validate_entry(data, resolver, now=sampler.now)
        if errors:
            raise ValueError(f"demo entry {data} refused: {errors}")
        sent = sampler.sent_at(clean.ended_at or clean.started_at)
        reviewed = sampler.reviewed_at(sent)
        waiting = reviewed > sampler.now or (sampler.today - item.day).days <= QUEUE_DAYS
        status = "pending" if waiting else ("rejected" if reason else "approved")
        reviewer = sampler.reviewer(item.municipality)
        rows.append(
            {
                **clean.columns(),
                "client_id": clean.client_id,
                "author_id": author.id,
                "status": status,
                "reviewer_id": None if status == "pending" else reviewer.id,
                "reviewed_at": None if status == "pending" else reviewed,
                "review_comment": reason if status == "rejected" else None,
                "version": 1,
                "created_at": sent,
                "updated_at": sent if status == "pending" else reviewed,
            }
        )
        area = item.municipality.police_area_id
        events.append(
            (
                clean.client_id,
                audit.event_row(
                    "entry.created",
                    "entry",
                    "",
                    actor=author,
                    police_area_id=area,
                    at=sent,
                    after={
                        "client_id": clean.client_id,
                        "promise": data["promise"],
                        "started_at": clean.started_at.isoformat(),
                    },
                ),
            )
        )
        if status != "pending":
            comment = reason if status == "rejected" else None
            events.append(
                (
                    clean.client_id,
                    audit.event_row(
                        f"entry.{status}",
                        "entry",
                        "",
                        actor=reviewer,
                        police_area_id=area,
                        at=reviewed,
                        before=_snapshot(data, clean, "pending", None),
                        after=_snapshot(data, clean, status, comment),
                    ),
                )
            )
    begin_write()
    stored = bulk.insert_rows(Entry.__table__, rows, returning=("client_id", "id"))
    ids = {row.client_id: row.id for row in stored}
    for client_id, event in events:
        event["object_id"] = str(ids[client_id])
    audit.record_rows([e for _c, e in sorted(events, key=lambda ce: ce[1]["at"])])
    tallies.rebuild()
    db.session.commit()
    return len(rows)


def _colleague(sampler: Sampler, author: User, municipality: Municipality) -> User:
    """Another account of the author's kind in the same police area, else the author."""
    area = municipality.police_area.name
    others = [
        sampler.users[n]
        for n, role, _, a in ACCOUNTS
        if role == author.role and n != author.username and (a == area or municipality.code in a)
    ]
    return others[0] if others else author
