"""What the demo's sample entries look like: for each activity the days and hours it is done
on, how long, by how many, where (per municipality), its counts (that agree with each other)
and a note now and then; and why a supervisor would reject one.

Plain data and functions of a random generator; the demo (demo.py) decides how many.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random

from .rules import is_holiday_or_eve

Metrics = Callable[[Random], dict[str, int]]


def traffic(low: int, high: int, fines: int) -> Metrics:
    """Vehicles checked; breath tests and fines never more than the vehicles checked."""

    def make(rng: Random) -> dict[str, int]:
        vehicles = rng.randint(low, high)
        breath = rng.randint(vehicles * 6 // 10, vehicles)
        fined = min(vehicles, rng.randint(0, fines))
        return {
            "vehicles_checked": vehicles,
            "breath_tests": breath,
            "fines": fined,
            "reports": rng.choice([0, 0, 0, 1]) if breath else 0,
        }

    return make


def drugs(rng: Random) -> dict[str, int]:
    """Persons checked; reports and seizures never more than those checked."""
    persons = rng.randint(6, 30)
    reports = rng.randint(1, min(8, persons))
    return {"persons_checked": persons, "reports": reports, "seizures": rng.randint(0, reports)}


def counts(name: str, low: int, high: int) -> Metrics:
    return lambda rng: {name: rng.randint(low, high)}


@dataclass(frozen=True)
class Activity:
    """How one kind of activity is done: on which days, starting when, for how long."""

    # "any", "weekday" (not a holiday or eve), "school" (weekday in term), "frisat"
    days: str
    starts: tuple[str, ...]  # local HH:MM
    minutes: tuple[int, ...]
    officers: tuple[int, ...]
    metrics: Metrics = field(default=lambda rng: {})
    notes: tuple[str, ...] = ()


ACTIVITIES: dict[str, Activity] = {
    "fotpatrull": Activity(
        "any",
        ("10:30", "13:00", "15:30", "18:00", "20:00", "21:30"),
        (60, 90, 120),
        (2, 2, 3),
        counts("contacts", 4, 25),
        ("Lugnt i centrum.", "Pratade med handlare om snatterier.", "Många ute, god stämning."),
    ),
    "skolbesok": Activity(
        "school",
        ("09:00", "10:15", "12:30", "13:30"),
        (45, 60, 90),
        (1, 2),
        counts("contacts", 12, 60),
        ("Rastvakt med elevrådet.", "Frågor om mopedtrimning."),
    ),
    "trafikkontroll": Activity(
        "school",
        ("07:15", "07:30", "07:45", "14:30", "15:00"),
        (45, 60, 90),
        (2, 3),
        traffic(12, 45, 4),
    ),
    "trafikinsats": Activity(
        "any",
        ("19:30", "20:00", "21:00", "22:00", "23:00"),
        (120, 180, 240),
        (2, 3, 4),
        traffic(25, 90, 9),
        ("Samordnat med trafikpolisen.",),
    ),
    "problembildsinsats": Activity(
        "any",
        ("11:00", "16:00", "19:00", "21:00"),
        (120, 180, 240),
        (2, 3),
        lambda rng: {"contacts": rng.randint(3, 20), "reports": rng.choice([0, 0, 1, 2])},
    ),
    "medborgardialog": Activity(
        "weekday", ("17:30", "18:00", "18:30"), (90, 120), (1, 2), counts("participants", 8, 45)
    ),
    "aktorsdialog": Activity(
        "weekday", ("08:30", "10:00", "13:00"), (60, 90), (1,), counts("participants", 4, 14)
    ),
    "hundsok": Activity(
        "school",
        ("08:30", "10:00"),
        (90, 120),
        (2,),
        lambda rng: {"reports": rng.choice([0, 0, 0, 1])},
        ("Inga fynd.", "Sökte skåp och omklädningsrum med rektors medgivande."),
    ),
    "utbildning": Activity(
        "school", ("09:00", "13:00", "18:00"), (90, 120), (1,), counts("participants", 15, 70)
    ),
    "drogvaneundersokning": Activity("school", ("09:00", "10:00"), (60, 120), (1,)),
    "information": Activity(
        "weekday",
        ("10:00", "13:00", "15:00"),
        (60, 90),
        (1,),
        notes=("Information i kommunens kanaler och på torget.",),
    ),
    "narkotikainsats": Activity(
        "any", ("20:00", "21:00", "22:00"), (180, 240, 300), (4, 6, 8), drugs
    ),
    "narvaro": Activity(
        "frisat", ("19:00", "20:00", "21:00"), (240, 300), (4, 6), counts("contacts", 30, 140)
    ),
}

# Where each activity is done, per municipality code (the promise's own places list wins).
PLACES: dict[str, dict[str, tuple[str, ...]]] = {
    "2506": {  # Arjeplog
        "fotpatrull": ("Storgatan", "Torget", "Centrum"),
        "skolbesok": ("Hornavanskolan", "Ungdomsgården", "Sporthallen"),
        "trafikkontroll": ("Vid Hornavanskolan", "Vid förskolan", "Slagnäs", "Laisvall", "Jäckvik"),
        "trafikinsats": ("Silvervägen (väg 95)", "Centrum", "Väg 95 mot Jäckvik"),
        "problembildsinsats": ("Centrum", "Campingen", "Skolområdet"),
        "aktorsdialog": ("Kommunhuset", "Hotellet"),
        "utbildning": ("Hornavanskolan, aulan", "Kommunhuset"),
        "information": ("Kommunhuset", "Torget"),
    },
    "2560": {  # Älvsbyn
        "fotpatrull": ("Storgatan", "Centrum"),
        "trafikkontroll": ("Vid högstadieskolan", "Vid låg- och mellanstadieskolan"),
        "hundsok": ("Högstadieskolan", "Gymnasiet"),
        "medborgardialog": ("Folkets hus", "Torget"),
        "drogvaneundersokning": ("Högstadieskolan", "Gymnasiet"),
        "problembildsinsats": ("Centrum", "Järnvägsstationen", "Skolområdet"),
    },
    "1984": {  # Arboga
        "medborgardialog": ("Stora torget", "Biblioteket"),
        "information": ("Seniorträffen", "Biblioteket", "Träffpunkten"),
        "trafikkontroll": ("Genomfarten", "Vid skolan", "Köpingsvägen"),
        "skolbesok": ("Högstadieskolan", "Fritidsgården"),
    },
    "1282": {  # Landskrona
        "trafikkontroll": ("Centrum", "Öster", "Väster"),
    },
    "1480": {  # Göteborg
        "narkotikainsats": ("Nordstan", "Centralstationen", "Kungsportsavenyn"),
        "trafikinsats": ("Kungsportsavenyn", "Första Långgatan", "Järntorget"),
        "narvaro": ("Nordstan", "Kungsportsavenyn"),
    },
    "1415": {
        "trafikinsats": ("Stenungsund centrum", "Stenungsunds torg"),
        "information": ("Kommunhuset",),
    },
    "1421": {"trafikinsats": ("Henån", "Ellös"), "information": ("Kommunhuset",)},
    "1407": {"trafikinsats": ("Skärhamn", "Kållekärr"), "information": ("Kommunhuset",)},
}

# Why a supervisor rejects an entry of an activity, and what in the entry shows it: "dup" for a
# copy of an entry already logged, else the fields that differ from the entry it copies.
DUPLICATE = ("Dubblett: samma insats är redan loggad.", "dup")
REJECTIONS: dict[str, tuple[tuple[str, str | dict], ...]] = {
    "": (DUPLICATE,),
    "fotpatrull": (("Dubblett: samma fotpatrull är redan loggad av din kollega.", "dup"),),
    "skolbesok": (
        (
            "Besöket var ett möte på polisstationen, inte där unga vistas. Logga det inte här.",
            {"place": "Polisstationen"},
        ),
    ),
    "trafikkontroll": (
        (
            "Kontrollen var inte vid en skola, förskola eller by. Logga den som trafikinsats.",
            {"place": "Väg 95, Kasatjåkk"},
        ),
        ("Dubblett: kontrollen är redan loggad av din kollega.", "dup"),
    ),
    "trafikinsats": (("Dubblett: insatsen är redan loggad av din kollega.", "dup"),),
    "problembildsinsats": (
        ("Skriv i anteckningen vilken problembild insatsen gällde.", {"notes": ""}),
    ),
    "medborgardialog": (("Mötet ställdes in. Ta bort posten.", {"metrics": {"participants": 0}}),),
}


def is_school_day(day: dt.date) -> bool:
    """A weekday in term: not in summer (mid-June to mid-August) nor around Christmas."""
    if day.weekday() >= 5 or is_holiday_or_eve(day):
        return False
    if (6, 15) <= (day.month, day.day) <= (8, 18):
        return False
    return not ((day.month, day.day) >= (12, 21) or (day.month, day.day) <= (1, 7))


def suits(activity: Activity, day: dt.date) -> bool:
    """Whether the activity is done on ``day``."""
    if activity.days == "school":
        return is_school_day(day)
    if activity.days == "frisat":
        return day.weekday() in (4, 5)
    if activity.days == "weekday":
        return day.weekday() < 5 and not is_holiday_or_eve(day)
    return True


def place_for(rng: Random, activity_code: str, code: str, promise_places: list[str]) -> str | None:
    """A fitting place: one of the promise's places, else one for the activity there."""
    if promise_places:
        return rng.choice(promise_places)
    choices = PLACES.get(code, {}).get(activity_code)
    return rng.choice(choices) if choices else None
