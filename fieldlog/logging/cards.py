"""The log page's model: the agreements in force in a municipality, the one chosen, and the
cards of the promises the user logs, most used first, each with a title of its own and its
count in the period of its target."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import target_words
from ..extensions import db
from ..labels import activity_name, excerpt
from ..models import (
    Commitment,
    Entry,
    Municipality,
    Promise,
    TimeWindow,
    User,
    commitment_municipality,
)
from ..rules.periods import CALENDAR_PERS, Period, calendar_year, period_holding
from ..services import scope, tallies
from ..services.commitments import agreements_in_force


@dataclass
class Card:
    """One promise as the log page shows it."""

    promise: Promise
    title: str  # its activity and where: "Fotpatrull · centrala Arjeplog"
    progress: str
    pending: int = 0
    hints: list[str] = field(default_factory=list)

    @property
    def activity(self) -> str:
        """The title's first part: the activity."""
        return self.title.split(" · ", 1)[0]

    @property
    def where(self) -> str:
        """The title's second part: the place, area or words that tell it apart."""
        return self.title.split(" · ", 1)[1] if " · " in self.title else ""


def chosen_agreement(
    municipality: Municipality, day: dt.date, key: str | None
) -> tuple[list[Commitment], Commitment | None]:
    """The agreements in force in the municipality on ``day`` (whole area first, then
    districts by name) and the one asked for by key, else the first."""
    found = agreements_in_force(municipality, day)
    chosen = next((c for c in found if c.key == key), found[0] if found else None)
    return found, chosen


def around_today(
    municipality: Municipality, day: dt.date
) -> tuple[Commitment | None, Commitment | None]:
    """When none is in force on ``day``: the agreement of the municipality that ended last
    before it, and the next one to begin after it (either may be None)."""
    covers = select(commitment_municipality.c.commitment_id).where(
        commitment_municipality.c.municipality_id == municipality.id
    )
    mine = select(Commitment).where(Commitment.id.in_(covers))
    ended = db.session.scalar(
        mine.where(Commitment.valid_to < day).order_by(Commitment.valid_to.desc()).limit(1)
    )
    coming = db.session.scalar(
        mine.where(Commitment.valid_from > day).order_by(Commitment.valid_from).limit(1)
    )
    return ended, coming


def agreement_name(commitment: Commitment) -> str:
    """A short name for telling agreements in force in one municipality apart."""
    if commitment.district:
        return commitment.district
    if commitment.joint:
        return _("Gemensamt: %(names)s", names=", ".join(m.name for m in commitment.municipalities))
    return _("Hela kommunen")


def validity_words(commitment: Commitment) -> str:
    """The agreement's validity in words: "2023–2024, gäller tills ett nytt löfte tecknas"."""
    first, last = commitment.valid_from, commitment.valid_to
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        span = str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    else:
        span = f"{first.isoformat()} – {last.isoformat()}"
    if commitment.until_superseded:
        return _("%(span)s, gäller tills ett nytt löfte tecknas", span=span)
    return span


def distinct_titles(promises: list[Promise]) -> dict[int, str]:
    """A title per promise, its activity and where it is kept (place hint, places or
    area); where two would read the same, the start of the promise's own text instead."""

    def where(p: Promise) -> str:
        return p.place_hint or " · ".join(p.places or []) or p.area

    titles = {p.id: f"{activity_name(p)} · {where(p)}" for p in promises}
    seen = Counter(titles.values())
    for p in promises:
        if seen[titles[p.id]] > 1:
            titles[p.id] = f"{activity_name(p)} · {excerpt(p.text, 48)}"
    return titles


def usage(user: User, promise_ids: list[int]) -> dict[int, int]:
    """How many entries the user has logged for each promise (withdrawn ones left out)."""
    if not promise_ids:
        return {}
    stmt = (
        select(Entry.promise_id, func.count())
        .where(
            Entry.author_id == user.id,
            Entry.promise_id.in_(promise_ids),
            Entry.status != "withdrawn",
        )
        .group_by(Entry.promise_id)
    )
    return dict(db.session.execute(stmt).all())


def _span(promise: Promise, per: str | None, today: dt.date) -> Period:
    if per in CALENDAR_PERS:
        return period_holding(per, today)
    if per == "period":
        c = promise.commitment
        return Period("period", c.valid_from, max(c.valid_from, min(today, c.valid_to)))
    return calendar_year(today.year)


def _counted(
    promise: Promise, rows: dict[tuple, dict[str, int]], each_place: bool
) -> tuple[int, int]:
    """Counted and pending entries of a promise from its span's summed tally ``rows``, all
    municipalities together (a joint agreement counts jointly); with ``each_place``, the
    least-served place's count."""
    counted: Counter = Counter()
    pending = 0
    for (pid, _mid, place, _measure), n in rows.items():
        if pid == promise.id:
            counted[place] += n["counted"]
            pending += n["pending"]
    if each_place and promise.places:
        return min(counted.get(p, 0) for p in promise.places), pending
    return sum(counted.values()), pending


def progress_words(promises: list[Promise], today: dt.date) -> dict[int, tuple[str, int]]:
    """Each card's count line ("3 av 5 i år", "1 av 2 den här veckan") and pending entries,
    by promise id; the tallies read once per distinct period of the promises' targets."""
    targets = {p.id: p.target_in(today.year) for p in promises}
    spans = {p.id: _span(p, targets[p.id].per if targets[p.id] else None, today) for p in promises}
    rows: dict[Period, dict] = {}
    for span in set(spans.values()):
        ids = [pid for pid, s in spans.items() if s == span]
        rows[span] = tallies.sums(ids, span.start, span.end, entries_only=True)
    found = {}
    for p in promises:
        target = targets[p.id]
        each_place = bool(target and target.each_place)
        counted, pending = _counted(p, rows[spans[p.id]], each_place)
        if target is None:
            found[p.id] = (_("%(n)d i år", n=counted), pending)
            continue
        words = target_words.count_in_period(target.per, counted, target.count)
        if each_place and p.places:
            words = _("%(words)s på varje plats", words=words)
        # The pending count beside it covers the same period as the count.
        found[p.id] = (words, pending)
    return found


def hints(promise: Promise, windows: dict[str, str]) -> list[str]:
    """What the officer should know before logging: the promise's hours."""
    if not promise.time_rule:
        return []
    if promise.time_rule == "obekvam_tid":
        return [_("Räknas bara på obekväm tid")]
    label = windows.get(promise.time_rule)
    return [_("Räknas bara: %(window)s", window=label)] if label else []


def promise_cards(commitment: Commitment, user: User, today: dt.date) -> tuple[list[Card], list]:
    """The cards of the countable promises the user logs (all for those who do not log),
    most used by the user first; and the promises followed up in words."""
    promises = commitment.promises
    if user.role in scope.LOGGERS:
        promises = [p for p in promises if scope.may_log(user, p)]
    countable = [p for p in promises if p.activity_type is not None]
    words_only = [p for p in promises if p.activity_type is None]
    titles = distinct_titles(countable)
    used = usage(user, [p.id for p in countable])
    # Most used first; among those used alike, the ones with a target to reach.
    countable.sort(
        key=lambda p: (-used.get(p.id, 0), p.target_in(today.year) is None, p.position, p.id)
    )
    english = str(get_locale()) == "en"
    windows = {
        w.code: (w.label_en if english and w.label_en else w.label)
        for w in db.session.scalars(select(TimeWindow))
    }
    progress = progress_words(countable, today)
    cards = []
    for p in countable:
        words, pending = progress[p.id]
        cards.append(Card(p, titles[p.id], words, pending, hints(p, windows)))
    return cards, words_only
