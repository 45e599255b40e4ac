"""Admins manage activity types, checked by the import's rules, audited."""

from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import ActivityType, AuditEvent

from .factories import csrf_from


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_from(client.get("/admin/")), **data})


def test_an_admin_creates_and_edits_an_activity_type(client, auth, users):
    auth.login("admin")
    response = _post(
        client,
        "/admin/activity-types/new",
        code="cykelpatrull",
        label="Cykelpatrull",
        label_en="Bicycle patrol",
        metrics="contacts, stops",
        default_minutes="90",
    )
    assert response.status_code == 302
    db.session.expire_all()
    made = db.session.scalar(select(ActivityType).where(ActivityType.code == "cykelpatrull"))
    assert made.metrics == ["contacts", "stops"] and made.default_minutes == 90
    page = client.get("/admin/activity-types").get_data(as_text=True)
    assert "Cykelpatrull" in page and "90 min" in page

    response = _post(
        client,
        f"/admin/activity-types/{made.id}",
        code="annat",
        label="Cykelpatrull",
        label_en="Bike patrol",
        metrics="contacts",
        default_minutes="60",
    )
    assert response.status_code == 302
    db.session.expire_all()
    made = db.session.get(ActivityType, made.id)
    assert made.code == "cykelpatrull" and made.label_en == "Bike patrol"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "activity_type.changed")
    )
    assert event.before["metrics"] == ["contacts", "stops"] and event.after["metrics"] == [
        "contacts"
    ]
    assert event.before["label_en"] == "Bicycle patrol" and event.after["label_en"] == "Bike patrol"


def test_bad_activity_types_are_refused_naming_the_field(client, auth, users):
    auth.login("admin")
    before = db.session.scalar(select(db.func.count(ActivityType.id)))
    response = _post(
        client,
        "/admin/activity-types/new",
        code="fotpatrull",
        label="",
        label_en="Foot",
        metrics="a, a",
        default_minutes="0",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Vanlig längd i minuter:" in page
    response = _post(
        client,
        "/admin/activity-types/new",
        code="fotpatrull",
        label="",
        label_en="Foot",
        metrics="a, a",
        default_minutes="30",
    )
    page = response.get_data(as_text=True)
    assert "Namn på svenska: måste fyllas i." in page
    assert "Kod: används redan av en annan aktivitetstyp." in page
    assert "Mått: samma mått står två gånger." in page
    assert db.session.scalar(select(db.func.count(ActivityType.id))) == before


def test_metric_labels_are_kept_in_swedish_and_checked_by_the_import_rules(client, auth, users):
    auth.login("admin")
    fields = {"code": "cykelpatrull", "label": "Cykelpatrull", "label_en": "Bicycle patrol"}
    response = _post(
        client,
        "/admin/activity-types/new",
        **fields,
        metrics="contacts, stops",
        metric_labels="contacts: Kontakter\nstops:",
        default_minutes="60",
    )
    assert response.status_code == 302
    db.session.expire_all()
    made = db.session.scalar(select(ActivityType).where(ActivityType.code == "cykelpatrull"))
    assert made.metric_labels == {"contacts": "Kontakter"}
    assert made.metric_label("stops") == "stops"
    page = client.get(f"/admin/activity-types/{made.id}").get_data(as_text=True)
    assert "contacts: Kontakter\nstops:</textarea>" in page

    for labels, needle in (
        ("fines: Böter", "Måttens namn på svenska: måste ge etiketter åt aktivitetens mått."),
        ("Kontakter", "Måttens namn på svenska: skriv en rad per mått: mått: namn på svenska."),
    ):
        response = _post(
            client,
            f"/admin/activity-types/{made.id}",
            **fields,
            metrics="contacts, stops",
            metric_labels=labels,
            default_minutes="60",
        )
        assert response.status_code == 422
        assert needle in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ActivityType, made.id).metric_labels == {"contacts": "Kontakter"}
