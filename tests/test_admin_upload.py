"""Uploading a commitments file: a preview that writes nothing, then the import, whole or not."""

import io
import re

import yaml
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Commitment, PoliceArea, Promise
from fieldlog.services.entries import sync_entries
from fieldlog.services.users import create_user

from .factories import BUNDLED, PASSWORD, PITEA, csrf_from, entry_data
from .test_imports import with_valid_from


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, text: str, name: str = "loften.yaml"):
    token = csrf_from(client.get("/admin/commitments/upload"))
    data = {"csrf_token": token, "file": (io.BytesIO(text.encode()), name)}
    return client.post("/admin/commitments/upload", data=data, content_type="multipart/form-data")


def _apply(client, preview_page: str):
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview_page)
    assert payload, "the preview offers no apply button"
    token = csrf_from(client.get("/admin/"))
    return client.post(
        "/admin/commitments/upload/apply", data={"csrf_token": token, "payload": payload.group(1)}
    )


def _empty_database_with_an_admin():
    db.session.add(PoliceArea(name=PITEA))
    db.session.commit()
    create_user("admin", "admin", PITEA, PASSWORD)


def test_a_preview_writes_nothing_then_the_import_applies_it(client, auth, app):
    _empty_database_with_an_admin()
    auth.login("admin")
    text = BUNDLED.read_text(encoding="utf-8")
    response = _upload(client, text)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    doc = yaml.safe_load(text)
    for c in doc["commitments"]:
        assert f'data-key="{c["key"]}"' in page
        for p in c["promises"]:
            assert f'data-key="{p["key"]}"' in page
    assert "Nytt polisområde" in page and "Västra Mälardalen" in page
    # 11 activity types, 1 police area, 3 municipalities, 4 commitments and 28 promises
    assert "Filen lägger till 47 och ändrar 0." in page
    assert count(Commitment) == 0 and count(Promise) == 0

    response = _apply(client, page)
    assert response.status_code == 302
    assert count(Commitment) == 4 and count(Promise) == 28
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "commitments.imported"))
    assert (
        event.actor.username == "admin" and "added commitment arboga-2024" in event.after["changes"]
    )


def test_a_bad_file_names_the_field_and_stores_nothing(client, auth, users):
    auth.login("coordinator")
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"][0]["promises"][0]["yearly_target"] = 0
    response = _upload(client, yaml.safe_dump(doc, allow_unicode=True))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "medborgarlöfte arjeplog-2023-2024, löfte arjeplog-drogutbildning, yearly_target" in page
    assert "Inget har sparats" in page
    response = _upload(client, "version: 1\ncommitments: [unclosed")
    assert response.status_code == 422
    assert "inte giltig YAML" in response.get_data(as_text=True)


def test_a_changed_target_is_previewed_then_recounted(client, auth, users):
    auth.login("coordinator")
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"] = [c for c in doc["commitments"] if c["key"] == "arjeplog-2023-2024"]
    del doc["police_areas"]
    fotpatrull = next(
        p for p in doc["commitments"][0]["promises"] if p["key"] == "arjeplog-fotpatrull"
    )
    fotpatrull["yearly_target"] = 9
    response = _upload(client, yaml.safe_dump(doc, allow_unicode=True))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Filen lägger till 0 och ändrar 1. Inget är sparat ännu." in page
    assert "arjeplog-fotpatrull" in page and "9" in page
    assert _apply(client, page).status_code == 302
    promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    db.session.refresh(promise)
    assert promise.yearly_target_in(2023) == 9


def test_a_coordinator_cannot_apply_a_file_touching_another_area(client, auth, users):
    auth.login("coordinator")
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"][-1]["title"] = "Ändrad av fel område"  # arboga-2024, Västra Mälardalen
    response = _upload(client, yaml.safe_dump(doc, allow_unicode=True))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "medborgarlöfte arboga-2024: kommunen är inte i ditt polisområde." in page
    assert 'name="payload"' not in page
    assert db.session.scalar(select(Commitment.title).where(Commitment.key == "arboga-2024")) != (
        "Ändrad av fel område"
    )


def test_a_forged_or_foreign_payload_is_refused(client, auth, users):
    auth.login("admin")
    text = BUNDLED.read_text(encoding="utf-8").replace("Fotpatrull\n", "Fotpatrullering\n", 1)
    page = _upload(client, text).get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    auth.logout()
    auth.login("coordinator")
    token = csrf_from(client.get("/admin/"))
    for forged in (payload, payload[:-2] + "xx"):
        response = client.post(
            "/admin/commitments/upload/apply", data={"csrf_token": token, "payload": forged}
        )
        assert response.status_code == 302 and response.headers["Location"].endswith("/upload")
    assert not db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.actor_name == "coordinator", AuditEvent.action == "commitments.imported"
        )
    )


def test_a_database_changed_since_the_preview_shows_the_new_preview(client, auth, users):
    auth.login("admin")
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"][0]["title"] = "Ny titel"
    text = yaml.safe_dump(doc, allow_unicode=True)
    page = _upload(client, text).get_data(as_text=True)
    from fieldlog.services.imports import plan_and_apply

    plan_and_apply(doc, apply=True)  # someone else applied the same change meanwhile
    response = _apply(client, page)
    assert response.status_code == 409
    assert "Databasen har ändrats sedan förhandsvisningen" in response.get_data(as_text=True)


def test_a_promise_moved_to_another_commitment_is_shown_and_audited(client, auth, users):
    [result] = sync_entries(users["officer"], [entry_data(promise="arjeplog-fotpatrull")])
    assert result.status == "created"
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    arjeplog = doc["commitments"][0]
    moved = next(p for p in arjeplog["promises"] if p["key"] == "arjeplog-fotpatrull")
    arjeplog["promises"].remove(moved)
    doc["commitments"] = [
        arjeplog,
        {
            **arjeplog,
            "key": "arjeplog-ny",
            "title": "Ny",
            "valid_from": "2030-01-01",
            "valid_to": "2031-12-31",
            "promises": [moved],
        },
    ]
    auth.login("coordinator")
    del doc["police_areas"]
    page = _upload(client, yaml.safe_dump(doc, allow_unicode=True)).get_data(as_text=True)
    assert "Flyttas från arjeplog-2023-2024; loggade poster behåller löftet (1)." in page
    assert _apply(client, page).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "promise.moved"))
    assert event.before == {"commitment": "arjeplog-2023-2024"}
    assert event.after == {"commitment": "arjeplog-ny"}
    promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    assert promise.commitment.key == "arjeplog-ny"  # its entry keeps the promise


V2_FILE = """
version: 2
time_windows:
  - {code: fre_lor_kvall, label: Fredags- och lördagskvällar, label_en: Fri and Sat evenings,
     days: [fri, sat], from: "18:00", to: "03:00"}
commitments:
  - key: pitea-gemensamt-2027
    municipalities: ["2506", "2560"]
    title: Gemensamma medborgarlöften
    valid_from: 2027-01-01
    valid_to: 2028-12-31
    promises:
      - key: pitea-gemensam-patrull
        area: Trygghet
        text: Fotpatrull två gånger i veckan.
        owner: polisen
        activity: fotpatrull
        time_rule: fre_lor_kvall
        target:
          - {from_year: 2027, count: 2, per: week}
          - {from_year: 2028, count: 3, per: week}
  - key: arjeplog-centrum-2027
    municipalities: ["2506"]
    district: Centrum
    title: Arjeplog centrum
    valid_from: 2027-01-01
    valid_to: 2027-12-31
    promises:
      - key: arjeplog-centrum-vandring
        area: Trygghet
        text: Minst en trygghetsvandring i varje tätort.
        owner: gemensamt
        activity: fotpatrull
        places: [Arjeplog, Slagnäs]
        target: {count: 1, per: year, each_place: true}
"""


def test_a_version_2_file_is_previewed_with_its_municipalities_district_and_targets(
    client, auth, users
):
    auth.login("coordinator")
    response = _upload(client, V2_FILE)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "Gemensamt för 2506 Arjeplog, 2560 Älvsbyn" in page
    assert "del av kommunen: Centrum" in page
    assert "från 2027: mål 2 per vecka · från 2028: mål 3 per vecka" in page
    assert "mål 1 per år för varje plats" in page and "platser: Arjeplog, Slagnäs" in page
    assert count(Commitment) == 4
    assert _apply(client, page).status_code == 302
    db.session.expire_all()
    joint = db.session.scalar(select(Commitment).where(Commitment.key == "pitea-gemensamt-2027"))
    assert [m.code for m in joint.municipalities] == ["2506", "2560"]


def test_a_bad_version_2_file_names_where_and_the_field(client, auth, users):
    auth.login("coordinator")
    text = V2_FILE.replace("district: Centrum", "district: Centrum\n    municipality: '2506'")
    text = text.replace("per: week}\n", "per: fortnight}\n", 1)
    response = _upload(client, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        "medborgarlöfte arjeplog-centrum-2027, municipality: hör till version 1; "
        "version 2 använder municipalities." in page
    )
    assert (
        "medborgarlöfte pitea-gemensamt-2027, löfte pitea-gemensam-patrull, target.per: "
        "måste vara år, tertial, kvartal, månad, vecka eller hela perioden." in page
    )
    assert count(Commitment) == 4


def test_a_date_that_cannot_be_names_the_field_and_stores_nothing(client, auth, users):
    auth.login("coordinator")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for day in ("2025-02-29", "2026-13-01", "2026-04-31T10:00:00"):
        response = _upload(client, with_valid_from(day))
        assert response.status_code == 422, day
        page = response.get_data(as_text=True)
        assert "medborgarlöfte arjeplog-2023-2024, valid_from" in page
        assert "Inget har sparats" in page
    first = db.session.scalar(select(Commitment).where(Commitment.key == "arjeplog-2023-2024"))
    assert first.valid_from.isoformat() == "2023-01-01"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_target_too_large_says_the_largest(client, auth, users):
    auth.login("coordinator")
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"][0]["promises"][0]["yearly_target"] = 2_000_000
    response = _upload(client, yaml.safe_dump(doc, allow_unicode=True))
    assert response.status_code == 422
    assert "yearly_target: får vara högst 1 000 000." in response.get_data(as_text=True)
