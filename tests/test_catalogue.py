"""The agreements each process keeps in memory (services/catalogue.py): a change to any of
their tables, by any means, reaches the next request."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from fieldlog.extensions import db
from fieldlog.models import catalogue_stamp
from fieldlog.services import catalogue

from . import factories
from .apiclient import ApiClient

# Every table of the snapshot, and a change to one of its rows that changes nothing else.
CHANGES = {
    "police_area": "UPDATE police_area SET name = name",
    "municipality": "UPDATE municipality SET name = name",
    "activity_type": "UPDATE activity_type SET label = label",
    "time_window": "INSERT INTO time_window (code, label, label_en, days, starts, ends, holidays)"
    " VALUES ('kvall', 'Kväll', 'Evening', '[\"fri\"]', '18:00', '23:00', false)",
    "commitment": "UPDATE commitment SET title = title",
    "commitment_municipality": "UPDATE commitment_municipality SET commitment_id = commitment_id",
    "promise": "UPDATE promise SET text = text",
    "promise_target": "UPDATE promise_target SET count = count",
}


def stamp() -> str | None:
    db.session.commit()
    return db.session.scalar(select(catalogue_stamp.c.stamp))


@pytest.mark.parametrize("table", sorted(CHANGES))
def test_a_change_to_any_table_of_the_agreements_sets_a_new_stamp(app, table):
    factories.import_bundled()
    before = stamp()
    db.session.execute(text(CHANGES[table]))
    db.session.commit()
    assert stamp() != before


def test_an_agreement_changed_by_hand_in_sql_reaches_the_next_request(app, client, users):
    api = ApiClient(app, client)
    officer = users["officer"]
    assert api.sync(officer, factories.entry_data())[0]["status"] == "created"
    # Someone ends the agreement's countable promise straight in the database.
    db.session.execute(
        text("UPDATE promise SET activity_type_id = NULL WHERE key = 'arjeplog-fotpatrull'")
    )
    db.session.commit()
    result = api.sync(officer, factories.entry_data())[0]
    assert result["status"] == "invalid"
    assert "följs upp i ord" in result["errors"]["promise"]


def test_a_request_uses_the_snapshot_it_has_while_nothing_changed(app, client, users):
    api = ApiClient(app, client)
    officer = users["officer"]
    api.sync(officer, factories.entry_data())
    held = app.extensions["fieldlog.catalogue"]
    api.sync(officer, factories.entry_data(started_at="2026-06-09T10:00"))
    assert app.extensions["fieldlog.catalogue"] is held
    db.session.execute(text("UPDATE commitment SET title = title || '.'"))
    db.session.commit()
    api.sync(officer, factories.entry_data(started_at="2026-06-08T10:00"))
    assert app.extensions["fieldlog.catalogue"] is not held


def test_a_transaction_that_changes_agreements_reads_its_own_change(app, users):
    # Not yet committed, so no other connection sees it: the snapshot is read in the session.
    db.session.execute(
        text("UPDATE promise SET places = '[\"Torget\"]' WHERE key = 'arjeplog-fotpatrull'")
    )
    seen = catalogue.current().promises["arjeplog-fotpatrull"]
    assert seen.places == ["Torget"]
    db.session.rollback()
    assert catalogue.current().promises["arjeplog-fotpatrull"].places != ["Torget"]


def test_the_tallies_show_a_promise_and_its_target_changed_by_hand_in_sql(app, client, users):
    api = ApiClient(app, client)
    coordinator = users["coordinator"]

    def row() -> dict:
        answer = api.get("/api/v1/tallies?year=2026&municipality=2506", coordinator)
        assert answer.status_code == 200
        return next(
            r for r in answer.get_json()["tallies"] if r["promise"] == "arjeplog-fotpatrull"
        )

    before = row()
    assert row() == before  # asked again, nothing changed: the same row
    db.session.execute(
        text(
            "UPDATE promise SET text = 'Fotpatrull i centrum, varje vecka.' "
            "WHERE key = 'arjeplog-fotpatrull'"
        )
    )
    db.session.execute(
        text(
            "UPDATE promise_target SET count = count + 7 WHERE promise_id = "
            "(SELECT id FROM promise WHERE key = 'arjeplog-fotpatrull')"
        )
    )
    db.session.commit()
    after = row()
    assert after["text"] == "Fotpatrull i centrum, varje vecka."
    assert after["target"]["count"] == before["target"]["count"] + 7


def test_the_public_answers_find_the_municipality_without_a_statement(app, client, bundled):
    from .sqlcount import statements_of

    client.get("/api/v1/public/2506")  # the process's catalogue is loaded (municipalities too)
    for path in ("/api/v1/public/2506", "/public/2506"):
        answers: list = []
        seen = statements_of(lambda path=path, answers=answers: answers.append(client.get(path)))
        assert answers[0].status_code == 200
        assert not [s for s in seen if "FROM municipality" in s], path
    assert client.get("/api/v1/public/9999").status_code == 404
