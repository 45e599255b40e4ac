"""Small faults a new user meets: words that contradict or stumble, years with nothing in force,
times in the wrong zone, a missing menu link and a missing icon."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.labels import municipality_words
from fieldlog.models import ApiToken

from .factories import csrf_from
from .test_logging import outbox_texts

ROOT = Path(__file__).resolve().parent.parent


def test_a_municipality_reads_in_the_genitive_where_swedish_takes_it(app):
    with app.test_request_context():
        assert municipality_words("Arjeplog") == "Arjeplogs kommun"
        assert municipality_words("Älvsbyn") == "Älvsbyns kommun"
        assert municipality_words("Arboga") == "Arboga kommun"
        assert municipality_words("Hofors") == "Hofors kommun"
    with app.test_request_context(), force_locale("en"):
        assert municipality_words("Arjeplog") == "Arjeplog Municipality"


def test_the_public_page_names_the_municipality_in_the_genitive(client, bundled):
    page = client.get("/public/2506").get_data(as_text=True)
    assert "Polisen och Arjeplogs kommun har lovat" in page
    assert "Arjeplog kommun" not in page


def test_the_public_page_offers_only_years_with_an_agreement_in_force(client, bundled):
    def offered(code: str) -> list[int]:
        page = client.get(f"/public/{code}").get_data(as_text=True)
        nav = page[page.index('<nav class="years"') : page.index("</nav>")]
        return [int(y) for y in re.findall(r">(\d{4})</a>", nav)]

    # Arjeplog 2023–2024 holds until a new one is signed: every year since, 2026 included.
    assert offered("2506") == [2026, 2025, 2024, 2023]
    # Arboga's agreement covered 2024 alone.
    assert offered("1984") == [2024]
    assert 2020 not in offered("2560")


def test_favicon_is_served_and_linked_from_every_page(client, auth, users):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an icon file
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in client.get("/public/2506").get_data(as_text=True)


def test_the_officers_form_speaks_of_date_and_time_not_iso_8601(client, auth, users):
    auth.login("officer")
    form_page = client.get("/log/arjeplog-fotpatrull")
    token = csrf_from(form_page)
    fields = re.findall(r'name="client_id" value="([^"]+)"', form_page.get_data(as_text=True))
    response = client.post(
        "/log/arjeplog-fotpatrull",
        data={
            "csrf_token": token,
            "client_id": fields[0] if fields else "",
            "date": "",
            "time": "",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ISO 8601" not in page
    assert "Ange datum (ÅÅÅÅ-MM-DD) och klockslag (TT:MM) för starten." in page


def test_unsent_counts_have_a_singular(client, auth, users):
    auth.login("officer")
    texts = outbox_texts(client, client.get("/"))
    assert texts["unsent"] == ["{n} ej skickad", "{n} ej skickade"]
    one, many = texts["logout_confirm"]
    assert one.startswith("{n} post är inte skickad.") and many.startswith("{n} poster är inte")


def test_the_outbox_banner_never_says_waiting_and_all_sent_at_once():
    script = (ROOT / "static/js/outbox.js").read_text()
    # The saved entry's words follow from what waits: with nothing waiting it was sent.
    assert "if (said === T.saved_local && !waiting) said = T.saved_sent;" in script


def test_token_times_are_local_like_everything_else(client, auth, users):
    auth.login("admin")
    officer = users["officer"]
    page = client.get(f"/admin/users/{officer.id}/")
    if page.status_code == 404:
        page = client.get(f"/admin/users/{officer.id}")
    token = csrf_from(page)
    client.post(f"/admin/users/{officer.id}/tokens", data={"csrf_token": token, "label": "tfn"})
    issued = db.session.scalar(select(ApiToken).where(ApiToken.user_id == officer.id))
    local = issued.created_at.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M")
    shown = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert local in shown


def test_make_run_says_what_it_does_while_it_installs():
    makefile = (ROOT / "Makefile").read_text()
    assert "--quiet" not in makefile
    assert re.search(r"@echo .*[Ii]nstallerar", makefile)


def test_a_metric_reads_as_its_activity_type_names_it_on_every_page(client, auth, users):
    from fieldlog.models import ActivityType

    from .review_helpers import log

    foot = db.session.scalar(select(ActivityType).where(ActivityType.code == "fotpatrull"))
    foot.metric_labels = {"contacts": "Samtal med boende"}
    db.session.commit()
    (entry_id,) = log(users["officer"], metrics={"contacts": 3})

    auth.login("officer")
    assert "Samtal med boende 3" in client.get("/entries").get_data(as_text=True)
    assert "Samtal med boende" in client.get("/log/arjeplog-fotpatrull").get_data(as_text=True)
    auth.logout()
    auth.login("supervisor")
    for url in ("/review", f"/entries/{entry_id}/history"):
        page = client.get(url).get_data(as_text=True)
        assert re.search(r"<dt>Samtal med boende</dt><dd>3</dd>", page), url
