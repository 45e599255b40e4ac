"""A supervisor corrects an approved entry, with a reason; version + 1, tallies follow, audited."""

from __future__ import annotations

from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry
from fieldlog.services.review import record_review
from fieldlog.services.tallies import check

from .factories import csrf_from
from .review_helpers import log, tally


def _approved(users, **fields) -> int:
    (entry_id,) = log(users["officer"], **fields)
    record_review(users["supervisor"], entry_id, "approve", None)
    return entry_id


def _correct(client, entry_id: int, **fields):
    page = client.get(f"/entries/{entry_id}/history")
    data = {
        "csrf_token": csrf_from(page),
        "version": "1",
        "promise": "arjeplog-fotpatrull",
        "started_at": "2026-03-02T21:00",
        "ended_at": "",
        "place": "Torget",
        "officers": "2",
        "metric_contacts": "5",
        "notes": "",
        "reason": "Fel löfte valt av misstag",
        **fields,
    }
    return client.post(f"/review/entries/{entry_id}/correct", data=data)


def test_correcting_moves_the_count_to_the_new_promise(client, auth, users):
    entry_id = _approved(users, promise="arjeplog-trafikkontroll", started_at="2026-03-02T21:00")
    assert tally("arjeplog-trafikkontroll", 2026)["counted"] == 1
    auth.login("supervisor")
    page = client.get(f"/entries/{entry_id}/history").get_data(as_text=True)
    assert "Rätta den godkända posten" in page
    response = _correct(client, entry_id)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Posten är rättad." in page and "Fel löfte valt av misstag" in page
    entry = db.session.get(Entry, entry_id)
    db.session.refresh(entry)
    assert (
        entry.version,
        entry.status,
        entry.promise.key,
        entry.place,
        entry.officers,
        entry.metrics,
    ) == (2, "approved", "arjeplog-fotpatrull", "Torget", 2, {"contacts": 5})
    assert tally("arjeplog-trafikkontroll", 2026) == {
        "counted": 0,
        "approved": 0,
        "pending": 0,
        "rejected": 0,
    }
    assert tally("arjeplog-fotpatrull", 2026) == {
        "counted": 1,
        "approved": 1,
        "pending": 0,
        "rejected": 0,
    }
    assert check() == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "entry.corrected"))
    assert event.actor_name == "supervisor" and event.object_id == str(entry_id)
    assert event.before["promise"] == "arjeplog-trafikkontroll"
    assert event.after["promise"] == "arjeplog-fotpatrull" and event.after["version"] == 2
    assert event.after["reason"] == "Fel löfte valt av misstag"


def test_a_start_moved_out_of_inconvenient_hours_stops_counting(client, auth, users):
    entry_id = _approved(
        users, promise="arjeplog-trafikinsats-obekvam", started_at="2026-03-02T21:00"
    )
    assert tally("arjeplog-trafikinsats-obekvam", 2026)["counted"] == 1
    auth.login("supervisor")
    response = _correct(
        client,
        entry_id,
        promise="arjeplog-trafikinsats-obekvam",
        started_at="2026-03-02T10:00",
        metric_contacts="",
        reason="Rätt tid",
    )
    assert response.status_code == 302
    assert tally("arjeplog-trafikinsats-obekvam", 2026) == {
        "counted": 0,
        "approved": 1,
        "pending": 0,
        "rejected": 0,
    }


def test_a_correction_needs_a_reason(client, auth, users):
    entry_id = _approved(users)
    auth.login("supervisor")
    response = _correct(client, entry_id, reason=" ")
    assert response.status_code == 422
    assert "Ange varför posten rättas." in response.get_data(as_text=True)
    assert db.session.get(Entry, entry_id).version == 1


def test_bad_fields_are_named_and_nothing_changes(client, auth, users):
    entry_id = _approved(users)
    auth.login("supervisor")
    response = _correct(client, entry_id, officers="0", started_at="not a time")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Antal poliser måste vara 1 eller mer." in page
    assert "Starttid saknas eller är ingen tid" in page
    db.session.commit()
    assert db.session.get(Entry, entry_id).version == 1
    assert tally("arjeplog-fotpatrull", 2026)["counted"] == 1


def test_only_approved_entries_are_corrected(client, auth, users):
    (entry_id,) = log(users["officer"])
    auth.login("supervisor")
    assert "Rätta den godkända posten" not in client.get(f"/entries/{entry_id}/history").get_data(
        as_text=True
    )
    response = _correct(client, entry_id)
    assert response.status_code == 409


def test_a_stale_form_is_refused(client, auth, users):
    entry_id = _approved(users)
    auth.login("supervisor")
    assert _correct(client, entry_id, place="Först").status_code == 302
    response = _correct(client, entry_id, place="Sedan")  # still says version 1
    assert response.status_code == 409
    assert db.session.get(Entry, entry_id).place == "Först"


def test_others_may_not_correct(client, auth, users):
    own = log(users["supervisor"])[0]
    record_review(
        users["supervisor2"] if "supervisor2" in users else _second_supervisor(),
        own,
        "approve",
        None,
    )
    entry_id = _approved(users)
    auth.login("supervisor")
    assert _correct(client, own).status_code == 403  # four eyes: not one's own entry
    auth.logout()
    auth.login("coordinator")
    assert _correct(client, entry_id).status_code == 403
    auth.logout()
    auth.login("other_supervisor")
    assert client.get(f"/entries/{entry_id}/history").status_code == 404


def _second_supervisor():
    from .factories import make_user

    return make_user("supervisor2", "supervisor")
