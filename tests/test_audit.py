"""The audit trail: append-only in the database, every change recorded, searchable, per entry."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import current_app
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from fieldlog.extensions import db
from fieldlog.models import AuditEvent
from fieldlog.services.entries import sync_entries, withdraw_entry
from fieldlog.services.review import record_review, review_many

from .factories import entry_data, import_bundled
from .review_helpers import log


def _actions(object_id=None) -> list[str]:
    db.session.commit()
    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_type == "entry", AuditEvent.object_id == str(object_id))
    return list(db.session.scalars(stmt))


@pytest.mark.commits
@pytest.mark.parametrize(
    "statement",
    [
        lambda: update(AuditEvent).values(action="entry.approved"),
        lambda: delete(AuditEvent),
        lambda: text("UPDATE audit_event SET actor_name = 'nobody'"),
        lambda: text("DELETE FROM audit_event WHERE id = (SELECT min(id) FROM audit_event)"),
    ],
    ids=["orm-update", "orm-delete", "sql-update", "sql-delete"],
)
def test_the_database_refuses_to_change_or_remove_an_audit_row(users, statement):
    before = db.session.execute(
        select(AuditEvent.id, AuditEvent.action, AuditEvent.actor_name)
    ).all()
    assert before  # user.created events
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(statement())
        db.session.commit()
    db.session.rollback()
    assert (
        db.session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.actor_name)).all()
        == before
    )


def test_an_entry_life_is_audited_created_edited_rejected_corrected(client, auth, users):
    item = entry_data()
    with current_app.test_request_context():
        (created,) = sync_entries(users["officer"], [item])
        (edited,) = sync_entries(users["officer"], [{**item, "place": "Skolan", "base_version": 1}])
    assert edited.status == "updated"
    record_review(users["supervisor"], created.entry_id, "reject", "Fel plats")
    with current_app.test_request_context():
        (again,) = sync_entries(users["officer"], [{**item, "place": "Torget", "base_version": 2}])
    review_many(users["supervisor"], [created.entry_id], "approve", None)
    auth.login("supervisor")
    from .factories import csrf_from

    page = client.get(f"/entries/{created.entry_id}/history")
    client.post(
        f"/review/entries/{created.entry_id}/correct",
        data={
            "csrf_token": csrf_from(page),
            "version": "3",
            "promise": "arjeplog-fotpatrull",
            "started_at": item["started_at"][:16],
            "place": "Torget",
            "officers": "3",
            "reason": "Tre var med",
        },
    )
    assert _actions(created.entry_id) == [
        "entry.created",
        "entry.edited",
        "entry.rejected",
        "entry.resent",
        "entry.approved",
        "entry.corrected",
    ]
    history = client.get(f"/entries/{created.entry_id}/history").get_data(as_text=True)
    for label in (
        "Post skapad",
        "Post ändrad",
        "Post avslagen",
        "Post skickad igen efter avslag",
        "Post godkänd",
        "Post rättad",
    ):
        assert label in history
    assert "Tre var med" in history and "Fel plats" in history


def test_withdrawal_is_audited(users):
    (entry_id,) = log(users["officer"])
    with current_app.test_request_context():
        withdraw_entry(users["officer"], entry_id)
    assert _actions(entry_id) == ["entry.created", "entry.withdrawn"]


def test_imports_users_and_logins_are_audited(client, auth, app):
    import_bundled()
    from .factories import make_user

    make_user("kalle", "officer")
    auth.login("kalle", "wrong password")
    auth.login("kalle")
    assert {"commitments.imported", "user.created", "login.failed", "login"} <= set(_actions())
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert event.after == {"username": "kalle", "role": "officer", "area": "Piteå älvdal"}


def test_the_history_page_is_for_the_author_and_the_areas_staff(client, auth, users):
    (entry_id,) = log(users["officer"])
    for who, status in [
        ("officer", 200),
        ("supervisor", 200),
        ("coordinator", 200),
        ("admin", 200),
        ("officer2", 404),
        ("other_supervisor", 404),
        ("other_coordinator", 404),
    ]:
        auth.login(who)
        assert client.get(f"/entries/{entry_id}/history").status_code == status, who
        auth.logout()
    assert client.get(f"/entries/{entry_id}/history").status_code == 302  # to the login


def test_audit_search_by_action_user_object_and_date(client, auth, users):
    ids = log(users["officer"], 2)
    record_review(users["supervisor"], ids[0], "approve", None)
    record_review(users["supervisor"], ids[1], "reject", "Dubblett")
    auth.login("coordinator")
    page = client.get("/audit?action=entry.rejected").get_data(as_text=True)
    assert page.count('class="audit-action"') == 1 and "Dubblett" in page
    page = client.get("/audit?user=SUPERV").get_data(as_text=True)
    assert page.count("Post godkänd</strong>") == 1 and page.count("Post avslagen</strong>") == 1
    page = client.get(f"/audit?object_id={ids[0]}").get_data(as_text=True)
    assert page.count(f'href="/entries/{ids[0]}/history"') == 2  # created and approved
    assert f'href="/entries/{ids[1]}/history"' not in page
    today = dt.date.today()
    assert "Post godkänd</strong>" in client.get(
        f"/audit?from={today - dt.timedelta(days=1)}&to={today + dt.timedelta(days=1)}"
    ).get_data(as_text=True)
    old = client.get("/audit?from=2020-01-01&to=2020-01-31").get_data(as_text=True)
    assert "Inga händelser matchar sökningen." in old


def test_audit_is_scoped_to_the_police_area(client, auth, users):
    log(users["other_officer"], promise="arboga-medborgardialog", started_at="2024-06-03T10:00")
    auth.login("supervisor")
    page = client.get("/audit?action=entry.created").get_data(as_text=True)
    assert "Inga händelser matchar sökningen." in page
    auth.logout()
    auth.login("other_coordinator")
    page = client.get("/audit?action=entry.created").get_data(as_text=True)
    assert page.count('class="audit-action"') == 1


def test_audit_is_paginated(client, auth, users):
    log(users["officer"], 60)
    auth.login("supervisor")
    first = client.get("/audit?action=entry.created").get_data(as_text=True)
    assert first.count('class="audit-action"') == 50 and 'rel="next"' in first
    second = client.get("/audit?action=entry.created&page=2").get_data(as_text=True)
    assert second.count('class="audit-action"') == 10 and 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_audit_is_for_supervisors_and_coordinators(client, auth, users):
    auth.login("officer")
    assert client.get("/audit").status_code == 403


def test_a_bad_date_is_named(client, auth, users):
    auth.login("supervisor")
    response = client.get("/audit?from=yesterday")
    assert response.status_code == 422
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in response.get_data(as_text=True)
