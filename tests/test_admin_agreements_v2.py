"""The admin pages edit Version 2's fields: covered municipalities, districts, targets per
period from a chosen year (rule 5), places and time windows; checked by the import's rules."""

import re

import pytest
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Commitment, Promise, TimeWindow
from fieldlog.services import tallies
from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review

from .admin_helpers import commitment_form, stored_form
from .apiclient import ApiClient
from .factories import csrf_from, entry_data

NEW = "/admin/commitments/new"
PATROL = {
    "text": "Fotpatrull i centrala Arjeplog.",
    "area": "Trygghet",
    "activity": "fotpatrull",
    "target_count": "12",
}


def _commitment(title: str) -> Commitment:
    db.session.expire_all()
    return db.session.scalar(select(Commitment).where(Commitment.title == title))


def _events(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _create(client, promises, **fields) -> Commitment:
    response = client.post(NEW, data=commitment_form(client, NEW, promises, **fields))
    assert response.status_code == 302, response.get_data(as_text=True)
    return _commitment(fields.get("title", "Nya medborgarlöften Arjeplog"))


def test_a_target_changed_from_next_year_leaves_this_year_as_it_was(app, client, auth, users):
    auth.login("coordinator")
    commitment = _create(client, [PATROL], valid_from="2026-01-01", valid_to="2027-12-31")
    [promise] = commitment.promises
    assert [(t.from_year, t.count, t.per) for t in promise.targets] == [(2026, 12, "year")]

    url = f"/admin/commitments/{commitment.id}"
    page = client.get(url)
    assert 'name="promises-0-target_from" type="number" value="2026"' in page.get_data(as_text=True)
    data = stored_form(commitment, csrf_from(page))
    data |= {"promises-0-target_count": "2", "promises-0-target_per": "week"}
    data["promises-0-target_from"] = "2027"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)

    db.session.expire_all()
    promise = db.session.get(Promise, promise.id)
    assert (promise.target_in(2026).count, promise.target_in(2026).per) == (12, "year")
    assert (promise.target_in(2027).count, promise.target_in(2027).per) == (2, "week")
    api = ApiClient(app, client)
    for year, target in ((2026, {"count": 12, "per": "year"}), (2027, {"count": 2, "per": "week"})):
        body = api.get(f"/api/v1/tallies?year={year}&municipality=2506", users["admin"]).get_json()
        row = next(r for r in body["tallies"] if r["promise"] == promise.key)
        assert {k: row["target"][k] for k in ("count", "per")} == target
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "promise.changed"))
    assert event.before["targets"] == [[2026, 12, "year", False]]
    assert event.after["targets"] == [[2026, 12, "year", False], [2027, 2, "week", False]]

    # the page now shows this year's target again; posting it back records nothing
    changes = _events("promise.changed") + _events("commitment.changed")
    commitment = _commitment(commitment.title)
    response = client.post(url, data=stored_form(commitment, csrf_from(client.get(url))))
    assert response.status_code == 302
    assert _events("promise.changed") + _events("commitment.changed") == changes


def test_a_joint_agreement_is_created_through_the_form(client, auth, users):
    auth.login("coordinator")
    commitment = _create(
        client,
        [PATROL],
        municipality=["2506", "2560"],
        title="Gemensamma medborgarlöften",
        valid_from="2027-01-01",
        valid_to="2028-12-31",
    )
    assert [m.code for m in commitment.municipalities] == ["2506", "2560"]
    assert commitment.joint and commitment.municipality.code == "2506"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "commitment.created"))
    assert event.after["municipalities"] == ["2506", "2560"]
    page = client.get("/admin/").get_data(as_text=True)
    assert "Gemensamt för Arjeplog, Älvsbyn" in page


def test_a_joint_agreement_across_police_areas_is_refused_naming_the_field(client, auth, users):
    auth.login("admin")
    data = commitment_form(client, NEW, [PATROL], municipality=["2506", "1984"])
    data |= {"valid_from": "2027-01-01", "valid_to": "2028-12-31"}
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Kommun: måste vara kända kommuner i ett och samma polisområde." in page
    assert _commitment("Nya medborgarlöften Arjeplog") is None


def test_a_district_is_only_for_a_single_municipality(client, auth, users):
    auth.login("coordinator")
    data = commitment_form(client, NEW, [PATROL], municipality=["2506", "2560"])
    data |= {"district": "Centrum", "valid_from": "2027-01-01", "valid_to": "2028-12-31"}
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Del av kommunen: gäller bara ett medborgarlöfte för en enda kommun." in page

    commitment = _create(client, [PATROL], district="Centrum")
    assert commitment.district == "Centrum" and not commitment.joint
    url = f"/admin/commitments/{commitment.id}"
    assert 'value="Centrum"' in client.get(url).get_data(as_text=True)


def test_places_and_a_target_for_each_place(client, auth, users):
    auth.login("coordinator")
    walk = {
        **PATROL,
        "target_count": "1",
        "target_per": "tertial",
        "places": "Arjeplog\n  Slagnäs \n\nLaisvall",
        "each_place": "y",
    }
    commitment = _create(client, [walk])
    [promise] = commitment.promises
    assert promise.places == ["Arjeplog", "Slagnäs", "Laisvall"]
    target = promise.target_in(2026)
    assert (target.count, target.per, target.each_place) == (1, "tertial", True)
    [result] = sync_entries(users["officer"], [entry_data(promise=promise.key, place="Slagnäs")])
    assert result.status == "created", result.errors
    [result] = sync_entries(users["officer"], [entry_data(promise=promise.key, place="Piteå")])
    assert result.status == "invalid" and "place" in result.errors


def test_a_bad_value_names_the_field_on_its_row(client, auth, users):
    auth.login("coordinator")
    promises = [
        PATROL,
        {**PATROL, "target_count": "0", "target_per": "week"},
        {**PATROL, "each_place": "y"},
        {**PATROL, "places": "Slagnäs\nSlagnäs", "time_rule": "ingen_sadan"},
    ]
    # A target out of the field's range is named by the field, before the rest is judged.
    response = client.post(NEW, data=commitment_form(client, NEW, promises))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Löfte 2 – Mål, antal: måste vara 1 eller mer." in page
    assert 'id="promises-1-target_count-error"' in page
    promises[1] = {**PATROL, "target_count": "2", "target_per": "fortnight"}
    response = client.post(NEW, data=commitment_form(client, NEW, promises))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Löfte 2 – Mål per: måste vara år, tertial, kvartal, månad, vecka eller" in page
    assert "Löfte 3 – Målet gäller för varje plats: kräver att löftet har platser." in page
    assert "Löfte 4 – Platser: måste vara olika platser, en per rad." in page
    assert "Löfte 4 – Tidsregel: måste vara obekväm tid, ett tidsfönster eller ingen regel." in page
    assert "Löfte 1 –" not in page
    assert _commitment("Nya medborgarlöften Arjeplog") is None


def test_a_target_from_after_the_last_year_is_refused(client, auth, users):
    auth.login("coordinator")
    commitment = _create(client, [PATROL], valid_from="2026-01-01", valid_to="2027-12-31")
    url = f"/admin/commitments/{commitment.id}"
    data = stored_form(commitment, csrf_from(client.get(url)))
    data |= {"promises-0-target_count": "20", "promises-0-target_from": "2031"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        "Löfte 1 – Ett ändrat mål gäller från år: måste öka, börja med startåret "
        "och inte passera slutåret." in page
    )
    db.session.expire_all()
    assert db.session.get(Promise, commitment.promises[0].id).target_in(2027).count == 12


@pytest.fixture
def evening(client, auth, users):
    """An admin-made window, weekday evenings 18–22, that arjeplog-fotpatrull counts in."""
    auth.login("admin")
    token = csrf_from(client.get("/admin/time-windows/new"))
    window = {
        "csrf_token": token,
        "code": "vardagskvall",
        "label": "Vardagskvällar",
        "label_en": "Weekday evenings",
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "starts": "18:00",
        "ends": "22:00",
    }
    assert client.post("/admin/time-windows/new", data=window).status_code == 302
    commitment = db.session.scalar(select(Commitment).where(Commitment.key == "arjeplog-2023-2024"))
    url = f"/admin/commitments/{commitment.id}"
    page = client.get(url).get_data(as_text=True)
    assert '<option value="vardagskvall">Vardagskvällar</option>' in page
    data = stored_form(commitment, csrf_from(client.get(url)))
    row = [p.key for p in commitment.promises].index("arjeplog-fotpatrull")
    data[f"promises-{row}-time_rule"] = "vardagskvall"
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    return db.session.scalar(select(TimeWindow).where(TimeWindow.code == "vardagskvall"))


def _approve(users, started_at: str) -> None:
    [result] = sync_entries(
        users["officer"], [entry_data(promise="arjeplog-fotpatrull", started_at=started_at)]
    )
    assert result.status == "created", result.errors
    record_review(users["supervisor"], result.entry_id, "approve", None)


def _counted(client, users, key: str) -> int:
    db.session.expire_all()
    api = ApiClient(client.application, client)
    body = api.get("/api/v1/tallies?year=2026&municipality=2506", users["admin"]).get_json()
    return next(r for r in body["tallies"] if r["promise"] == key)["counted"]


def test_an_edited_time_window_recounts_the_promises_using_it(client, auth, users, evening):
    promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    _approve(users, "2026-06-09T19:00")  # a Tuesday evening: inside
    _approve(users, "2026-06-09T10:00")  # the same morning: outside
    assert _counted(client, users, promise.key) == 1

    url = f"/admin/time-windows/{evening.id}"
    data = {
        "csrf_token": csrf_from(client.get(url)),
        "code": "annan",
        "label": "Vardagar",
        "label_en": "Weekdays",
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "starts": "08:00",
        "ends": "22:00",
    }
    response = client.post(url, data=data, follow_redirects=True)
    assert "1 löfte är omräknat." in response.get_data(as_text=True)
    assert _counted(client, users, promise.key) == 2
    assert tallies.check() == []
    window = db.session.get(TimeWindow, evening.id)
    assert (window.code, window.starts, window.label) == ("vardagskvall", "08:00", "Vardagar")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "time_window.changed"))
    assert event.before["from"] == "18:00" and event.after["from"] == "08:00"
    assert event.after["promises_recounted"] == 1


def test_a_bad_time_window_is_refused_naming_the_field(client, auth, users):
    auth.login("admin")
    data = {
        "csrf_token": csrf_from(client.get("/admin/time-windows/new")),
        "code": "obekvam_tid",
        "label": "",
        "label_en": "Nights",
        "days": ["mon", "funday"],
        "starts": "25:00",
        "ends": "06:00",
    }
    response = client.post("/admin/time-windows/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Kod: är reserverad för obekväm tid." in page
    assert "Namn på svenska: måste fyllas i." in page
    assert "Dagar: måste vara en eller flera av mon, tue, wed, thu, fri, sat, sun." in page
    assert "Från klockan: måste vara en tid TT:MM (midnatt är 00:00)." in page
    assert db.session.scalar(select(func.count(TimeWindow.id))) == 0


def test_only_admins_keep_time_windows(client, auth, users):
    auth.login("coordinator")
    assert client.get("/admin/time-windows").status_code == 403


def test_the_window_list_counts_in_words_and_names_a_whole_day(client, auth, users, evening):
    """ "1 löfte", not "1 löften"; a window from 00:00 to 00:00 reads "hela dygnet"."""
    token = csrf_from(client.get("/admin/time-windows/new"))
    whole = {
        "csrf_token": token,
        "code": "helg",
        "label": "Helger",
        "label_en": "Weekends",
        "days": ["sat", "sun"],
        "starts": "00:00",
        "ends": "00:00",
    }
    assert client.post("/admin/time-windows/new", data=whole).status_code == 302
    page = client.get("/admin/time-windows").get_data(as_text=True)
    assert "<code>vardagskvall</code> · 1 löfte<" in page
    assert "<code>helg</code> · 0 löften<" in page
    assert "lördag, söndag · hela dygnet ·" in page and "00:00–00:00" not in page
    assert re.search(
        r" · \d+ löften · <code>arjeplog-2023-2024</code>",
        client.get("/admin/").get_data(as_text=True),
    )


def test_arjeplogs_patrol_target_raised_from_this_year_leaves_2024_as_it_was(
    app, client, auth, users
):
    """Issue 12's own case: Arjeplog 2023–2024 stays in force until superseded; raising its
    foot-patrol target from 5 to 12 applies from the current year (2026) by default, and the
    finished year 2024 keeps "5 av 5"."""
    api = ApiClient(app, client)
    officer, supervisor = users["officer"], users["supervisor"]
    for day in range(1, 6):
        entry = entry_data(started_at=f"2024-03-0{day}T10:00")
        (result,) = sync_entries(officer, [entry])
        record_review(supervisor, result.entry_id, "approve", None)
    commitment = db.session.scalar(select(Commitment).where(Commitment.key == "arjeplog-2023-2024"))
    url = f"/admin/commitments/{commitment.id}"
    auth.login("coordinator")
    page = client.get(url)
    row = next(i for i, p in enumerate(commitment.promises) if p.key == "arjeplog-fotpatrull")
    assert f'name="promises-{row}-target_from" type="number" value="2026"' in page.get_data(
        as_text=True
    )
    data = stored_form(commitment, csrf_from(page)) | {f"promises-{row}-target_count": "12"}
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)

    def target_and_status(year: int) -> tuple:
        body = api.get(f"/api/v1/tallies?year={year}&municipality=2506", users["admin"])
        found = next(r for r in body.get_json()["tallies"] if r["promise"] == "arjeplog-fotpatrull")
        return found["counted"], found["yearly_target"], found["status"]

    assert target_and_status(2024) == (5, 5, "met")
    assert target_and_status(2025)[1] == 5
    assert target_and_status(2026)[1] == 12
    public = client.get("/public/2506?year=2024").get_data(as_text=True)
    assert "Målet är minst 12" not in public
