"""Migrations: the data migration of 0002 applies the corrected rules to entries already stored."""

from __future__ import annotations

import datetime as dt

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from fieldlog.extensions import db
from fieldlog.models import Entry, Municipality, Promise, Tally

from .review_helpers import log, tally


def test_0002_recomputes_the_window_of_stored_entries_and_recounts(app, users):
    eve, friday = (
        log(
            users["officer"], promise="arjeplog-trafikinsats-obekvam", started_at="2026-06-19T10:00"
        ),
        log(
            users["officer"], promise="arjeplog-trafikinsats-obekvam", started_at="2026-06-05T10:00"
        ),
    )
    (patrol,) = log(users["officer"], promise="arjeplog-fotpatrull", started_at="2026-06-05T10:00")
    db.session.execute(text("UPDATE entry SET status = 'approved'"))
    db.session.commit()
    db.session.remove()

    downgrade(revision="0001")
    # As the first version stored them: the flag meant "inconvenient hours", and its
    # calendar took 5 June 2026 for midsummer eve in most processes.
    db.session.execute(
        text("UPDATE entry SET inconvenient = :yes WHERE id = :id"), {"yes": True, "id": friday[0]}
    )
    db.session.execute(
        text("UPDATE entry SET inconvenient = :no WHERE id IN (:a, :b)"),
        {"no": False, "a": eve[0], "b": patrol},
    )
    db.session.execute(text("UPDATE tally SET counted = 7"))
    db.session.commit()
    db.session.remove()

    upgrade()
    stored = dict(db.session.execute(select(Entry.id, Entry.in_window)).all())
    assert stored == {eve[0]: True, friday[0]: False, patrol: True}
    assert tally("arjeplog-trafikinsats-obekvam", 2026)["counted"] == 1
    assert tally("arjeplog-fotpatrull", 2026)["counted"] == 1
    # Kept per promise and local day (migration 0006): two days of one promise, one of the
    # other; and per promise and year.
    days = select(db.func.count()).select_from(Tally).where(Tally.span == "day")
    assert db.session.scalar(days) == 3
    years = select(db.func.count()).select_from(Tally).where(Tally.span == "year")
    assert db.session.scalar(years) == 2
    # 0006 gave each entry its municipality and day, and each yearly target a first year.
    arjeplog = db.session.scalar(select(Municipality.id).where(Municipality.code == "2506"))
    assert set(db.session.execute(select(Entry.municipality_id, Entry.day)).all()) == {
        (arjeplog, dt.date(2026, 6, 19)),
        (arjeplog, dt.date(2026, 6, 5)),
    }
    promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    assert [(t.from_year, t.count, t.per) for t in promise.targets] == [(2023, 5, "year")]
