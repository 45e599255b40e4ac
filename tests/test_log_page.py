"""The log page `/` (issues 12 and 16): the municipality, then the agreement among those in
force, the promises the user logs most used first under titles of their own, the validity in
words, counts per period; the form's place list and the municipality of a joint agreement."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import Entry
from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review
from fieldlog.services.users import create_user

from .factories import PASSWORD, TODAY, csrf_from, entry_data
from .log_page_data import import_joint_and_district

CARD = re.compile(
    r'<a class="promise" href="([^"]+)" data-promise="([^"]+)">\s*'
    r'<span class="promise-what">(.*?)</span>\s*<span class="promise-count">',
    re.S,
)


def cards(html: str) -> list[tuple[str, str, str]]:
    """(href, key, title as read) of every promise card, in the order shown."""
    return [
        (href, key, " ".join(re.sub(r"<[^>]+>", "", title).split()))
        for href, key, title in CARD.findall(html)
    ]


@pytest.fixture
def kust(app, users, tmp_path):
    return import_joint_and_district(tmp_path)


def test_an_officer_sees_the_police_promises_with_titles_of_their_own(client, auth, users):
    auth.login("officer")
    html = client.get("/?municipality=2506").get_data(as_text=True)
    shown = cards(html)
    keys = [key for _href, key, _title in shown]
    assert "arjeplog-fotpatrull" in keys
    # The municipality's own promises are not the officer's to log.
    assert "arjeplog-foraldrakvall" not in keys and "arjeplog-drogutbildning" not in keys
    titles = [title for _href, _key, title in shown]
    assert len(set(titles)) == len(titles)
    assert "Fotpatrull · centrala Arjeplog" in titles
    assert "2023–2024, gäller tills ett nytt löfte tecknas" in html
    assert "0 av 5 i år" in html


def test_the_most_used_promise_comes_first(client, auth, users):
    auth.login("officer")
    sync_entries(
        users["officer"],
        [entry_data("arjeplog-trafikkontroll", f"2026-06-0{d}T10:00") for d in (1, 2, 3)],
    )
    sync_entries(users["officer2"], [entry_data("arjeplog-fotpatrull") for _ in range(5)])
    keys = [key for _h, key, _t in cards(client.get("/?municipality=2506").get_data(as_text=True))]
    # Only the user's own entries decide: another officer's foot patrols do not.
    assert keys[0] == "arjeplog-trafikkontroll"


def test_municipal_staff_see_their_promises_each_titled_apart(client, auth, users):
    create_user("kommun", "municipal", None, PASSWORD, "Kim Kommun", None, ["2506"])
    auth.login("kommun")
    html = client.get("/").get_data(as_text=True)
    shown = cards(html)
    keys = {key for _h, key, _t in shown}
    assert {"arjeplog-foraldrakvall", "arjeplog-drogutbildning", "arjeplog-information"} <= keys
    assert "arjeplog-fotpatrull" not in keys
    titles = [title for _h, _k, title in shown]
    assert len(set(titles)) == len(titles), titles


def test_the_count_line_reads_per_period(client, auth, users, kust):
    auth.login("kust_officer")
    html = client.get("/?municipality=9001&agreement=norrby-centrum-2026").get_data(as_text=True)
    assert "0 av 2 den här veckan" in html
    done = sync_entries(kust["kust_officer"], [entry_data("norrby-fotpatrull", place="Hamnen")])
    record_review(kust["kust_supervisor"], done[0].entry_id, "approve", None)
    html = client.get("/?municipality=9001&agreement=norrby-centrum-2026").get_data(as_text=True)
    assert "1 av 2 den här veckan" in html


def test_the_agreements_in_force_are_offered_whole_area_first(client, auth, users, kust):
    auth.login("kust_officer")
    html = client.get("/?municipality=9001").get_data(as_text=True)
    choices = re.findall(r'agreement=([a-z0-9-]+)"[^>]*>([^<]+)</a>', html)
    assert [key for key, _name in choices] == ["kust-2026", "norrby-centrum-2026"]
    assert choices[1][1] == "Centrum"
    # The joint agreement is shown first, and its cards log for the chosen municipality.
    assert 'href="/log/kust-trafik?municipality=9001"' in html
    assert "Loggas för Norrby" in html
    # The agreement chosen is kept when the officer comes back from the form.
    client.get("/?municipality=9001&agreement=norrby-centrum-2026")
    assert 'href="/log/norrby-fotpatrull"' in client.get("/").get_data(as_text=True)
    # Söderby has only the joint agreement: nothing to choose.
    html = client.get("/?municipality=9002").get_data(as_text=True)
    assert "agreement=" not in html
    assert 'href="/log/kust-trafik?municipality=9002"' in html


def form_post(client, key: str, query: str = "", **fields) -> tuple:
    page = client.get(f"/log/{key}{query}")
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_from(page)}
    for name in ("client_id", "date", "time", "base_version", "lat", "lon"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
        data[name] = match.group(1) if match else ""
    # A start on the tests' today, not the form's default (the real now): the agreements
    # here are those of 2026, whatever the date the suite runs on.
    data.update(date=TODAY.isoformat(), time="09:00", duration="60", officers="2", notes="")
    data.update(fields)
    return html, client.post(f"/log/{key}{query}", data=data)


def test_a_joint_promise_is_logged_for_the_chosen_municipality(client, auth, users, kust):
    auth.login("kust_officer")
    html, response = form_post(
        client,
        "kust-trafik",
        "?municipality=9002",
        municipality="9002",
        place="E6",
        metric_vehicles_checked="10",
        metric_breath_tests="8",
        metric_fines="1",
        metric_reports="0",
    )
    # The form offers the agreement's municipalities, the chosen one selected.
    assert re.search(r'<option value="9002" selected>Söderby</option>', html)
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalar(select(Entry))
    assert (entry.municipality.code, entry.place) == ("9002", "E6")


def test_a_promise_with_places_offers_them_and_needs_one(client, auth, users, kust):
    auth.login("kust_officer")
    html, response = form_post(client, "norrby-fotpatrull", metric_contacts="3")
    assert 'type="radio" name="place" value="Torget"' in html
    assert 'type="radio" name="place" value="Hamnen"' in html
    assert response.status_code == 422  # no place chosen
    assert db.session.scalar(select(Entry)) is None
    _html, response = form_post(client, "norrby-fotpatrull", place="Hamnen", metric_contacts="3")
    assert response.status_code == 302
    assert db.session.scalar(select(Entry)).place == "Hamnen"
    # The next form has the place logged last already chosen.
    html = client.get("/log/norrby-fotpatrull").get_data(as_text=True)
    assert 'value="Hamnen" checked' in html


def test_no_agreement_in_force_says_so(client, auth, users):
    auth.login("other_officer")
    html = client.get("/").get_data(as_text=True)
    assert "Inget medborgarlöfte gäller i Arboga i dag." in html
    # Which one ended, and when: Arboga's of 2024 (the page's day is in 2025 or later).
    assert re.search(
        r'class="agreement-ended">Det senaste, Medborgarlöfte Arboga 2024, gällde '
        r"2024-01-01 – 2024-12-31\.<",
        html,
    )
    assert "agreement-coming" not in html


def test_municipal_staff_count_their_colleagues_not_police_officers(client, auth, users):
    """The form asks municipal staff "Antal medarbetare"; the review card says "Medarbetare"."""
    kim = create_user("kommun", "municipal", None, PASSWORD, "Kim Kommun", None, ["2506"])
    auth.login("kommun")
    form = client.get("/log/arjeplog-foraldrakvall").get_data(as_text=True)
    assert '<label for="f-officers">Antal medarbetare</label>' in form
    assert "Antal poliser" not in form
    [result] = sync_entries(
        kim, [entry_data(promise="arjeplog-foraldrakvall", started_at="2026-06-09T18:00")]
    )
    assert result.status == "created", result.errors
    [refused] = sync_entries(
        kim,
        [entry_data(promise="arjeplog-foraldrakvall", started_at="2026-06-09T18:30", officers=0)],
    )
    assert refused.errors["officers"] == "Antal medarbetare måste vara 1 eller mer."
    auth.logout()
    auth.login("officer")
    assert "Antal poliser" in client.get("/log/arjeplog-fotpatrull").get_data(as_text=True)
    auth.logout()
    auth.login("supervisor")
    queue = client.get("/review").get_data(as_text=True)
    card = queue[queue.index(f"#{result.entry_id}") :]
    assert "<dt>Medarbetare</dt>" in card[: card.index("Loggad av")]
