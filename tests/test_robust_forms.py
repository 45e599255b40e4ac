"""No input breaks the web forms: each bad value is a 422 (or 400) naming the field, nothing stored.

The measured faults ("²" as a count or a length on the log form, "x" as the
version of a correction, a vertical tab in a follow-up text) and their kind in
the review queue, the audit search, the tallies and the admin forms.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import ActivityType, Entry, Promise, PromiseFollowUp, User
from fieldlog.services.review import record_review

from .admin_helpers import commitment_form
from .factories import csrf_from
from .review_helpers import log, status_of


def entries() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Entry))


def log_form(client, **overrides) -> dict:
    """The log form of Arjeplog's foot patrols, filled in for 2026-03-03 10:00."""
    page = client.get("/log/arjeplog-fotpatrull")
    assert page.status_code == 200
    fields = {
        "csrf_token": csrf_from(page),
        "client_id": "6f1d2a3e-0000-4000-8000-000000000001",
        "date": "2026-03-03",
        "time": "10:00",
        "duration": "60",
        "place": "Torget",
        "officers": "2",
        "metric_contacts": "4",
        "notes": "",
        "lat": "",
        "lon": "",
        "base_version": "",
    }
    return {**fields, **overrides}


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("metric_contacts", "²", "Antal"),
        ("metric_contacts", "١٢", "Antal"),
        ("duration", "²", "Längd"),
        ("duration", "99999999999999999999999", "Längd"),
        ("officers", "³", "Antal poliser"),
        ("notes", "en\x0bvertikal tabb", "Anteckningar"),
        ("place", "Tor\x1fget", "Plats"),
        ("date", "9999-12-31", "Starttid"),
    ],
)
def test_the_log_form_names_the_bad_field_and_stores_nothing(
    client, auth, users, field, value, label
):
    auth.login("officer")
    response = client.post("/log/arjeplog-fotpatrull", data=log_form(client, **{field: value}))
    assert response.status_code == 422
    assert f"<li>{label}" in response.get_data(as_text=True)  # named first
    assert entries() == 0


def test_the_log_form_takes_tabs_and_the_browsers_line_ends_as_newlines(client, auth, users):
    auth.login("officer")
    notes = "Rad ett\r\nRad två\tmed tabb"
    response = client.post("/log/arjeplog-fotpatrull", data=log_form(client, notes=notes))
    assert response.status_code == 302
    assert db.session.scalar(select(Entry.notes)) == "Rad ett\nRad två\tmed tabb"


@pytest.mark.parametrize(
    ("field", "value", "label", "words"),
    [
        (
            "officers",
            "1001",
            "Antal poliser",
            "Antal poliser måste vara ett heltal mellan 1 och 1\xa0000.",
        ),
        ("officers", "0", "Antal poliser", "Antal poliser måste vara 1 eller mer."),
        (
            "metric_contacts",
            "2000000",
            "Antal",
            "Kontakter måste vara ett heltal mellan 0 och 1\xa0000\xa0000.",
        ),
        ("date", "0001-01-01", "Starttid", "Starttiden ligger utanför åren 1900–2199."),
        ("date", "9999-12-31", "Starttid", "Starttiden ligger utanför åren 1900–2199."),
        ("date", "2025-02-29", "Starttid", "Ange datum (ÅÅÅÅ-MM-DD) och klockslag (TT:MM)"),
        ("time", "25:00", "Starttid", "Ange datum (ÅÅÅÅ-MM-DD) och klockslag (TT:MM)"),
        ("notes", "rad ett\rrad två", "Anteckningar", "Innehåller tecken som inte kan sparas."),
        ("place", "Tor\rget", "Plats", "Innehåller tecken som inte kan sparas."),
    ],
)
def test_the_log_form_says_what_is_wrong_in_its_own_words(
    client, auth, users, field, value, label, words
):
    auth.login("officer")
    response = client.post("/log/arjeplog-fotpatrull", data=log_form(client, **{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # The field named once: before the reason, or by the reason itself.
    assert f"<li>{words if words.startswith(label) else f'{label}: {words}'}" in page
    assert f"{label}: {label}" not in page
    assert "ISO 8601" not in page
    assert entries() == 0


def test_nul_in_a_form_field_is_400_naming_it(client, auth, users):
    auth.login("officer")
    response = client.post("/log/arjeplog-fotpatrull", data=log_form(client, notes="nul\x00"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Anteckningar: innehåller otillåtna tecken (styrtecken). Gå tillbaka" in page
    assert entries() == 0


@pytest.mark.parametrize("version", ["x", "²", "", "2147483648"])
def test_a_correction_with_a_garbled_version_is_422_naming_it(client, auth, users, version):
    (entry_id,) = log(users["officer"], started_at="2026-03-03T10:00")
    record_review(users["supervisor"], entry_id, "approve", None)
    auth.login("supervisor")
    page = client.get(f"/entries/{entry_id}/history")
    data = {
        "csrf_token": csrf_from(page),
        "version": version,
        "promise": "arjeplog-fotpatrull",
        "started_at": "2026-03-03T11:00",
        "officers": "2",
        "reason": "Fel tid",
    }
    response = client.post(f"/review/entries/{entry_id}/correct", data=data)
    assert response.status_code == 422
    assert 'id="c-version-error">Version: ' in response.get_data(as_text=True)
    db.session.commit()
    assert db.session.get(Entry, entry_id).version == 1


def test_the_review_queue_refuses_garbled_ids_and_control_characters(client, auth, users):
    (entry_id,) = log(users["officer"])
    auth.login("supervisor")
    token = csrf_from(client.get("/review"))
    garbled = {"csrf_token": token, "decision": "approve", "entry_id": ["²", "2147483648"]}
    assert client.post("/review", data={**garbled, "v²": "1"}).status_code == 422
    reject = {"csrf_token": token, "decision": "reject", "entry_id": str(entry_id)}
    response = client.post("/review", data={**reject, "comment": "fel\x0bplats"})
    assert response.status_code == 422
    assert "comment: innehåller otillåtna tecken" in response.get_data(as_text=True)
    assert client.post("/review", data={**reject, "comment": "nul\x00"}).status_code == 400
    assert status_of(entry_id) == "pending"


def test_a_follow_up_text_with_a_control_character_is_422_and_not_stored(client, auth, users, app):
    app.config["FIELDLOG_TODAY"] = "2024-07-01"
    auth.login("coordinator")
    form = {
        "csrf_token": csrf_from(client.get("/tallies?year=2024")),
        "promise": "arjeplog-felanmalan",
        "year": "2024",
        "state": "pagar",
        "text": "Halvvägs\x0b klart",
    }
    response = client.post("/tallies/follow-up", data=form)
    assert response.status_code == 422
    assert "text: innehåller otillåtna tecken" in response.get_data(as_text=True)
    assert client.post("/tallies/follow-up", data={**form, "year": "²⁰²⁴"}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(PromiseFollowUp)) == 0


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/audit?page=²", "page"),
        ("/audit?page=99999999999999999999", "page"),
        ("/tallies/entries?promise=arjeplog-fotpatrull&page=²", "page"),
        ("/tallies/entries?promise=arjeplog-fotpatrull&page=9223372036854775808", "page"),
        ("/tallies?year=²⁰²⁴", "year"),
        ("/exports/tallies.xlsx?year=٢٠٢٤", "year"),
        ("/audit?page=+2", "page"),
        ("/tallies/entries?promise=arjeplog-fotpatrull&page=+2", "page"),
        ("/tallies?year=+2026", "year"),
        ("/exports/tallies.csv?year=+2026", "year"),
    ],
)
def test_a_garbled_page_or_year_is_400_naming_it(client, auth, users, url, name):
    auth.login("supervisor")
    response = client.get(url)
    assert response.status_code == 400
    assert f"{name}: " in response.get_data(as_text=True)


def test_admin_forms_name_garbled_numbers_and_control_characters(client, auth, users):
    auth.login("admin")

    def post(url, **data):
        return client.post(url, data={"csrf_token": csrf_from(client.get("/admin/")), **data})

    activity = {"code": "cykel", "label": "Cykel", "label_en": "Bike", "metrics": "contacts"}
    minutes = post("/admin/activity-types/new", **activity, default_minutes="²")
    assert minutes.status_code == 422
    assert "måste vara ett heltal skrivet med siffrorna 0–9" in minutes.get_data(as_text=True)
    label = post(
        "/admin/activity-types/new", **{**activity, "label": "Cy\x0bkel"}, default_minutes="60"
    )
    assert label.status_code == 422 and "innehåller otillåtna tecken" in label.get_data(
        as_text=True
    )
    assert db.session.scalar(select(ActivityType).where(ActivityType.code == "cykel")) is None

    area = str(users["officer"].police_area_id)
    person = {"username": "kalle", "role": "officer", "password": "long enough"}
    named = post("/admin/users/new", **person, display_name="Kalle\x07", area=area)
    assert named.status_code == 422 and "innehåller otillåtna tecken" in named.get_data(
        as_text=True
    )
    garbled = post("/admin/users/new", **person, display_name="Kalle", area="١")
    assert garbled.status_code == 422
    assert db.session.scalar(select(User).where(User.username == "kalle")) is None


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ({"text": "Minst 12\x0b fotpatruller."}, "innehåller otillåtna tecken"),
        ({"yearly_target": "²"}, "måste vara ett heltal skrivet med siffrorna 0–9"),
        ({"yearly_target": "99999999999"}, "måste vara ett heltal mellan 1 och 1\xa0000\xa0000."),
        ({"yearly_target": "9" * 30}, "måste vara ett heltal mellan 1 och 1\xa0000\xa0000."),
        ({"yearly_target": "-5"}, "måste vara 1 eller mer."),
        ({"yearly_target": "0"}, "måste vara 1 eller mer."),
    ],
)
def test_the_commitment_form_names_a_bad_promise_field(client, auth, users, row, needle):
    auth.login("coordinator")
    promise = {"text": "Minst 12 fotpatruller.", "area": "Trygghet", "activity": "fotpatrull"}
    data = commitment_form(client, "/admin/commitments/new", [{**promise, **row}])
    response = client.post("/admin/commitments/new", data=data)
    assert response.status_code == 422
    assert needle in response.get_data(as_text=True)
    assert db.session.scalar(select(Promise).where(Promise.text.like("%12%fotpatruller%"))) is None


def test_the_commitment_form_reads_a_target_with_a_stray_space(client, auth, users):
    auth.login("coordinator")
    promise = {"text": "Minst 12 fotpatruller.", "area": "Trygghet", "activity": "fotpatrull"}
    data = commitment_form(client, "/admin/commitments/new", [{**promise, "yearly_target": " 12 "}])
    assert client.post("/admin/commitments/new", data=data).status_code == 302
    stored = db.session.scalar(select(Promise).where(Promise.text == "Minst 12 fotpatruller."))
    assert stored.target_in(stored.commitment.valid_from.year).count == 12


@pytest.mark.parametrize(
    ("language", "choice", "too_long"),
    [
        ("sv", "Välj ett av alternativen i listan.", "Fältet får inte vara längre än 4000 tecken."),
        ("en", "Choose one of the options in the list.", "cannot be longer than 4000 characters."),
    ],
)
def test_wtforms_own_messages_speak_the_pages_language(
    app, client, auth, users, language, choice, too_long
):
    auth.login("admin")
    client.get(f"/lang/{language}?next=/admin/")
    with app.app_context():  # a fresh context, as each real request has: no cached language
        pages = _wtforms_pages(client)
    assert all(choice in page for page in pages) and too_long in pages[0]
    assert "Not a valid choice" not in pages[0] if language == "sv" else "Välj" not in pages[0]
    assert f"{'Polisområde' if language == 'sv' else 'Police area'}: {choice}" in pages[1]
    assert "ceorce" not in pages[1]
    assert db.session.scalar(select(User).where(User.username == "kalle")) is None


def _wtforms_pages(client) -> list[str]:
    """The answers to a promise row with an unknown owner and a text too long, and to a
    user form with a police area out of range."""
    promise = {"text": "t" * 4001, "area": "Trygghet", "owner": "x", "activity": "fotpatrull"}
    data = commitment_form(client, "/admin/commitments/new", [promise])
    pages = [client.post("/admin/commitments/new", data=data).get_data(as_text=True)]

    person = {"username": "kalle", "role": "officer", "password": "long enough"}
    token = csrf_from(client.get("/admin/users/new"))
    data = {"csrf_token": token, **person, "display_name": "Kalle", "area": "9" * 20}
    pages.append(client.post("/admin/users/new", data=data).get_data(as_text=True))
    return pages


def test_the_own_entries_page_refuses_a_padded_page_number(client, auth, users):
    auth.login("officer")
    response = client.get("/entries?status=pending&page=+2")
    assert response.status_code == 422
    assert client.get("/entries?status=pending&page=2").status_code == 200


def test_the_commitment_form_says_a_targets_range_in_english(app, client, auth, users):
    auth.login("coordinator")
    client.get("/lang/en?next=/admin/")
    promise = {"text": "Minst 12 fotpatruller.", "area": "Trygghet", "activity": "fotpatrull"}
    for target, words in (("-5", "must be 1 or more."), ("9" * 30, "between 1 and 1,000,000.")):
        with app.app_context():  # a fresh context, as each real request has: no cached language
            data = commitment_form(
                client, "/admin/commitments/new", [{**promise, "yearly_target": target}]
            )
            page = client.post("/admin/commitments/new", data=data).get_data(as_text=True)
        assert words in page and "digits 0–9" not in page
