"""Coordinators keep commitments in forms: the import's validation, scope, tallies and the audit."""

import datetime as dt

from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Commitment, Promise, Tally
from fieldlog.services import tallies
from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review

from .admin_helpers import (
    THIS_YEAR,
    VALID_FROM,
    VALID_TO,
    commitment_form,
)
from .admin_helpers import stored_form as _form_of
from .factories import csrf_from, entry_data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_coordinator_creates_a_commitment_an_officer_can_log_against_at_once(client, auth, users):
    auth.login("coordinator")
    response = client.post(
        "/admin/commitments/new", data=commitment_form(client, "/admin/commitments/new")
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    commitment = db.session.scalar(
        select(Commitment).where(Commitment.title == "Nya medborgarlöften Arjeplog")
    )
    key = f"arjeplog-{THIS_YEAR - 1}-{THIS_YEAR + 1}"
    assert commitment.key == key
    assert [p.key for p in commitment.promises] == [f"{key}-1", f"{key}-2", f"{key}-3"]
    assert commitment.promises[0].yearly_target_in(2026) == 12
    assert commitment.promises[2].activity_type is None
    assert commitment.signatories == ["Kommunalråd", "Lokalpolisområdeschef"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "commitment.created"))
    assert event.actor.username == "coordinator" and event.before is None
    assert [p["key"] for p in event.after["promises"]] == [f"{key}-1", f"{key}-2", f"{key}-3"]

    [result] = sync_entries(users["officer"], [entry_data(promise=f"{key}-1")])
    assert result.status == "created", result.errors


def test_bad_fields_are_named_and_nothing_is_stored(client, auth, users):
    auth.login("coordinator")
    before = (count(Commitment), count(Promise))
    promises = [
        {"text": "Fotpatrull", "area": "Trygghet", "activity": "fotpatrull", "yearly_target": "0"},
        {"text": "", "area": "Trafik", "activity": "trafikkontroll"},
    ]
    data = commitment_form(
        client,
        "/admin/commitments/new",
        promises,
        title="",
        valid_from=VALID_TO,
        valid_to=VALID_FROM,
    )
    # A target out of the field's range is named by the field, before the rest is judged.
    response = client.post("/admin/commitments/new", data=data)
    assert response.status_code == 422
    assert "Löfte 1 – Mål, antal: måste vara 1 eller mer." in response.get_data(as_text=True)
    data["promises-0-target_count"] = "12"
    response = client.post("/admin/commitments/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Titel: måste fyllas i." in page
    assert "Gäller till: får inte vara före startdatumet." in page
    assert "Löfte 2 – Löftets text: måste fyllas i." in page
    assert (count(Commitment), count(Promise)) == before
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("commitment.%")))


def test_a_promise_key_used_twice_or_elsewhere_is_refused(client, auth, users):
    auth.login("coordinator")
    before = count(Promise)
    promises = [
        {"key": "ny-patrull", "text": "A", "area": "X"},
        {"key": "ny-patrull", "text": "B", "area": "X"},
        {"key": "arjeplog-fotpatrull", "text": "C", "area": "X"},
    ]
    response = client.post(
        "/admin/commitments/new", data=commitment_form(client, "/admin/commitments/new", promises)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Löfte 2 – Nyckel: används två gånger." in page
    assert "Löfte 3 – Nyckel: används redan i arjeplog-2023-2024." in page
    assert count(Promise) == before


def _approved_daytime_entry(users, promise_key: str) -> None:
    # The default start: a working weekday morning, no holiday, outside inconvenient hours.
    [result] = sync_entries(users["officer"], [entry_data(promise=promise_key)])
    assert result.status == "created", result.errors
    record_review(users["supervisor"], result.entry_id, "approve", None)


def _counted(promise_id: int, year: int) -> int:
    db.session.expire_all()
    return tallies.tally_for([promise_id], year)[promise_id]["counted"]


def test_changing_a_time_rule_changes_the_tally_at_once(client, auth, users):
    _approved_daytime_entry(users, "arjeplog-fotpatrull")
    promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    commitment = promise.commitment
    year = db.session.scalar(select(Tally.day).where(Tally.promise_id == promise.id)).year
    assert _counted(promise.id, year) == 1
    auth.login("coordinator")
    url = f"/admin/commitments/{commitment.id}"
    page = client.get(url)
    assert page.status_code == 200
    row = [p.key for p in commitment.promises].index("arjeplog-fotpatrull")
    data = _form_of(commitment, csrf_from(page))
    data[f"promises-{row}-time_rule"] = "obekvam_tid"
    data[f"promises-{row}-target_count"] = "7"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _counted(promise.id, year) == 0  # the daytime entry no longer counts
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "promise.changed"))
    assert event.before["time_rule"] is None and event.after["time_rule"] == "obekvam_tid"
    assert event.before["yearly_target"] == 5 and event.after["yearly_target"] == 7
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "commitment.changed"))


def test_ending_a_commitment_early_is_audited_and_entries_keep_their_promise(client, auth, users):
    _approved_daytime_entry(users, "arjeplog-fotpatrull")
    commitment = db.session.scalar(select(Commitment).where(Commitment.key == "arjeplog-2023-2024"))
    auth.login("coordinator")
    url = f"/admin/commitments/{commitment.id}/end"
    response = client.post(
        url,
        data={"csrf_token": csrf_from(client.get(url)), "last_day": "2024-06-30", "successor": "0"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "arjeplog-2023-2024 gäller nu till och med 2024-06-30." in page
    assert "1 post ligger utanför den nya perioden. Den behåller sitt löfte" in page
    db.session.expire_all()
    commitment = db.session.get(Commitment, commitment.id)
    assert commitment.valid_to == dt.date(2024, 6, 30) and not commitment.until_superseded
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "commitment.ended"))
    assert event.before["valid_to"] == "2024-12-31" and event.before["until_superseded"] is True
    assert event.after["valid_to"] == "2024-06-30" and event.after["entries_outside_period"] == 1
    promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    assert promise.commitment_id == commitment.id


def test_a_commitment_marked_superseded_ends_the_day_before_its_successor(client, auth, users):
    older = db.session.scalar(select(Commitment).where(Commitment.key == "alvsbyn-2021-2022"))
    newer = db.session.scalar(select(Commitment).where(Commitment.key == "alvsbyn-2023-2025"))
    auth.login("coordinator")
    url = f"/admin/commitments/{older.id}/end"
    response = client.post(
        url,
        data={"csrf_token": csrf_from(client.get(url)), "last_day": "", "successor": str(newer.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    older = db.session.get(Commitment, older.id)
    assert older.valid_to == dt.date(2022, 12, 31) and not older.until_superseded
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "commitment.superseded")
    )
    assert event.after["superseded_by"] == "alvsbyn-2023-2025"


def test_an_end_before_the_start_is_refused(client, auth, users):
    commitment = db.session.scalar(select(Commitment).where(Commitment.key == "arjeplog-2023-2024"))
    auth.login("coordinator")
    url = f"/admin/commitments/{commitment.id}/end"
    response = client.post(
        url,
        data={"csrf_token": csrf_from(client.get(url)), "last_day": "2020-01-01", "successor": "0"},
    )
    assert response.status_code == 422
    assert "Sista dag: får inte vara före startdatumet." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).valid_to == dt.date(2024, 12, 31)


def test_saving_an_unchanged_commitment_records_nothing(client, auth, users):
    commitment = db.session.scalar(select(Commitment).where(Commitment.key == "arboga-2024"))
    auth.login("other_coordinator")
    url = f"/admin/commitments/{commitment.id}"
    response = client.post(url, data=_form_of(commitment, csrf_from(client.get(url))))
    assert response.status_code == 302
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert not {"commitment.changed", "promise.changed"} & actions


def test_a_promise_without_entries_can_be_removed_one_with_entries_cannot(client, auth, users):
    [result] = sync_entries(users["officer"], [entry_data(promise="arjeplog-fotpatrull")])
    assert result.status == "created"
    commitment = db.session.scalar(select(Commitment).where(Commitment.key == "arjeplog-2023-2024"))
    keys = [p.key for p in commitment.promises]
    auth.login("coordinator")
    url = f"/admin/commitments/{commitment.id}"
    data = _form_of(commitment, csrf_from(client.get(url)))
    data[f"promises-{keys.index('arjeplog-fotpatrull')}-remove"] = "y"
    data[f"promises-{keys.index('arjeplog-drogutbildning')}-remove"] = "y"
    response = client.post(url, data=data)
    assert response.status_code == 422
    row = keys.index("arjeplog-fotpatrull") + 1
    assert f"Löfte {row} – Ta bort löftet" in response.get_data(as_text=True)
    assert "har 1 post och kan inte tas bort." in response.get_data(as_text=True)
    assert count(Promise) == 28

    del data[f"promises-{keys.index('arjeplog-fotpatrull')}-remove"]
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert count(Promise) == 27
    assert not db.session.scalar(select(Promise).where(Promise.key == "arjeplog-drogutbildning"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "promise.removed"))
    assert event.before["key"] == "arjeplog-drogutbildning"
