"""/entries: every section with its true count, one section page by page, search by text,
dates and promise, withdrawn entries, and bad filters named by their field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import current_app
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.logging.sections import SECTIONS, section_clause, section_of
from fieldlog.models import Entry
from fieldlog.services.entries import sync_entries, withdraw_entry
from fieldlog.services.review import record_review

from .factories import entry_data

START = dt.datetime(2026, 3, 3, 10, 0)  # local time; Arjeplog's agreement is in force


def log_many(user, n: int, first: dt.datetime = START, **fields) -> list[int]:
    """``n`` entries of ``user`` a minute apart from ``first`` (local), in batches of 500; ids."""
    ids: list[int] = []
    starts = [(first + dt.timedelta(minutes=i)).isoformat() for i in range(n)]
    with current_app.test_request_context():
        for at in range(0, n, 500):
            batch = [entry_data(started_at=s, **fields) for s in starts[at : at + 500]]
            results = sync_entries(user, batch)
            assert {r.status for r in results} == {"created"}, results[0].errors
            ids += [r.entry_id for r in results]
    return ids


def shown_ids(response, section: str | None = None) -> list[int]:
    """The entry ids a page lists, in order (within one section's markup when given)."""
    html = response.get_data(as_text=True)
    if section:
        match = re.search(rf'<section[^>]*id="section-{section}".*?</section>', html, re.S)
        html = match.group(0) if match else ""
    return [int(x) for x in re.findall(r'data-entry="(\d+)"', html)]


def heading_count(response, section: str) -> int:
    html = response.get_data(as_text=True)
    match = re.search(rf'id="section-{section}">\s*<h2>[^<]*<span class="count">\((\d+)\)', html)
    assert match, f"no heading of section {section}"
    return int(match.group(1))


def test_an_old_rejected_entry_and_its_reason_show_above_hundreds_of_newer_pending(
    client, auth, users
):
    officer = users["officer"]
    (rejected,) = log_many(officer, 1, START - dt.timedelta(days=20))
    record_review(users["supervisor"], rejected, "reject", "Ange platsen för patrullen.")
    pending = log_many(officer, 320)
    auth.login("officer")
    page = client.get("/entries")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert shown_ids(page, "rejected") == [rejected]
    assert "Ange platsen för patrullen." in html
    assert heading_count(page, "rejected") == 1
    assert heading_count(page, "pending") == 320
    # The newest few of each section, and a way to all of them that says how many.
    assert shown_ids(page, "pending") == pending[::-1][:5]
    assert "Visa alla 320" in html
    assert 'href="/entries?status=pending"' in html


def test_a_section_is_paged_and_every_entry_is_listed_once(client, auth, users):
    ids = log_many(users["officer"], 120)
    auth.login("officer")
    first = client.get("/entries?status=pending")
    assert "Visar 1–50 av 120" in first.get_data(as_text=True)
    assert "Sida 1 av 3" in first.get_data(as_text=True)
    seen = shown_ids(first)
    for number in (2, 3):
        page = client.get(f"/entries?status=pending&page={number}")
        seen += shown_ids(page)
    assert seen == ids[::-1]  # newest start first, none twice, none left out
    last = page.get_data(as_text=True)
    assert "Visar 101–120 av 120" in last and "Äldre" not in last
    beyond = client.get("/entries?status=pending&page=9").get_data(as_text=True)
    assert "Sidan 9 finns inte; det finns 3." in beyond
    assert 'href="/entries?status=pending&amp;page=3"' in beyond


def test_search_by_text_dates_and_promise_with_counts_of_what_is_found(client, auth, users):
    officer = users["officer"]
    (torget,) = log_many(officer, 1, place="Torget")
    (skolan,) = log_many(officer, 1, START + dt.timedelta(days=1), notes="Möte vid ÖSTRA skolan")
    (kontroll,) = log_many(
        officer, 1, START + dt.timedelta(days=2), promise="arjeplog-trafikkontroll", place="E45"
    )
    (other,) = log_many(users["officer2"], 1, place="Torget")
    record_review(users["supervisor"], torget, "approve", None)
    auth.login("officer")

    def found(query: str) -> set[int]:
        response = client.get("/entries" + query)
        assert response.status_code == 200, query
        return set(shown_ids(response))

    assert found("?q=torg") == {torget}  # not officer2's
    assert found("?q=%C3%B6stra") == {skolan}  # "östra" finds "ÖSTRA", on SQLite too
    assert found("?q=50%25") == set()  # a % is a character, not a wildcard
    assert found("?from=2026-03-04&to=2026-03-04") == {skolan}
    assert found("?from=2026-03-04") == {skolan, kontroll}
    assert found("?promise=arjeplog-trafikkontroll") == {kontroll}
    narrowed = client.get("/entries?q=torg")
    assert heading_count(narrowed, "approved") == 1 and heading_count(narrowed, "pending") == 0
    assert "Antalen gäller urvalet." in narrowed.get_data(as_text=True)
    # The promise choices are those the officer has logged.
    html = client.get("/entries").get_data(as_text=True)
    assert 'value="arjeplog-trafikkontroll"' in html and 'value="arjeplog-fotpatrull"' in html
    assert 'value="arjeplog-ungdomsbesok"' not in html
    assert other not in found("?status=approved")


def test_withdrawn_and_not_counted_entries_have_their_own_sections(client, auth, users):
    officer = users["officer"]
    withdrawn, kept = log_many(officer, 2, place="Hamnen")
    # 10:00 on a weekday is not inconvenient hours: approved, but it does not count.
    (daytime,) = log_many(officer, 1, promise="arjeplog-trafikinsats-obekvam")
    with current_app.test_request_context():
        withdraw_entry(officer, withdrawn)
    record_review(users["supervisor"], daytime, "approve", None)
    auth.login("officer")
    page = client.get("/entries")
    assert shown_ids(page, "withdrawn") == [withdrawn]
    assert shown_ids(page, "not_counted") == [daytime]
    assert shown_ids(page, "pending") == [kept]
    assert heading_count(page, "approved") == 0
    html = page.get_data(as_text=True)
    assert "återkallad" in html and "räknas inte" in html
    assert client.get(f"/entries/{withdrawn}/edit").status_code == 404


def test_the_section_rule_and_its_sql_twin_agree(app, users):
    officer = users["officer"]
    ids = log_many(officer, 5) + log_many(officer, 2, promise="arjeplog-trafikinsats-obekvam")
    record_review(users["supervisor"], ids[0], "approve", None)
    record_review(users["supervisor"], ids[1], "reject", "Nej.")
    record_review(users["supervisor"], ids[5], "approve", None)
    with app.test_request_context():
        withdraw_entry(officer, ids[2])
    entries = db.session.scalars(select(Entry)).all()
    by_python = {e.id: section_of(e) for e in entries}
    by_sql = {
        entry_id: name
        for name in SECTIONS
        for entry_id in db.session.scalars(select(Entry.id).where(section_clause(name)))
    }
    assert by_python == by_sql
    assert set(by_python.values()) == set(SECTIONS)


def test_a_nul_in_the_search_is_refused_at_the_edge_naming_it(client, auth, users):
    log_many(users["officer"], 1)
    auth.login("officer")
    response = client.get("/entries?q=a%00b")
    assert response.status_code == 400
    assert "q: innehåller otillåtna tecken" in response.get_data(as_text=True)
    assert shown_ids(response) == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("?from=2026-13-01", "Från och med"),
        ("?from=3.3.2026", "Från och med"),
        ("?from=%D9%A2%D9%A0%D9%A2%D9%A6-03-03", "Från och med"),  # Arabic-Indic digits
        ("?from=0001-01-01", "Från och med"),
        ("?from=2026-03-05&to=2026-03-04", "Till och med"),
        ("?q=" + "x" * 201, "Sök"),
        ("?status=everything", "Urval"),
        ("?status=pending&page=0", "Sida"),
        ("?status=pending&page=two", "Sida"),
        ("?status=pending&page=99999999999999999999", "Sida"),
        ("?promise=arboga-trafiksakerhet", "Löfte"),
    ],
)
def test_a_bad_filter_is_named_and_nothing_is_guessed(client, auth, users, query, field):
    log_many(users["officer"], 1)
    auth.login("officer")
    response = client.get("/entries" + query)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"<li>{field}: " in html
    assert shown_ids(response) == []
