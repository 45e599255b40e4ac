"""The tallies page: counts against targets, statuses, the entries behind each number, scope."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent

from .factories import csrf_from
from .tallies_data import ZONE, expected_counts, generated_specs, log

LABELS = {
    "Räknade": "counted",
    "Väntar på granskning": "pending",
    "Godkända men inte räknade": "not_counted",
    "Godkända": "approved",
    "Avslagna": "rejected",
}
WORDS = {
    "Uppnått": "met",
    "I fas": "on_track",
    "Efter plan": "behind",
    "Inte uppnått": "missed",
    "Inget mål": "no_target",
}


def csrf(client) -> str:
    """The CSRF token the tallies page gives the logged-in user."""
    return csrf_from(client.get("/tallies"))


def page_numbers(html: str) -> dict[str, dict]:
    """Each counted promise's numbers as the tallies page shows them, in the page's order."""
    found = {}
    pattern = r'<article class="promise promise-(\w+)" id="p-([\w-]+)"[^>]*>(.*?)</article>'
    for status, key, body in re.findall(pattern, html, re.S):
        numbers = {
            LABELS[label]: int(n) for label, n in re.findall(r'aria-label="([^"]+): (\d+)"', body)
        }
        target = re.search(r'<span class="target">(\d+)</span>', body)
        word = re.search(r'<span class="status status-\w+">([^<]+)</span>', body).group(1)
        found[key] = {
            "status": status,
            "word": WORDS[word],
            "yearly_target": int(target.group(1)) if target else None,
            **numbers,
        }
    return found


@pytest.fixture
def year_2024(app, users):
    """About 150 entries of 2024 in Piteå älvdal, reviewed; 'today' fixed at 2025-03-01."""
    app.config["FIELDLOG_TODAY"] = "2025-03-01"
    specs = generated_specs(2024, 150)
    log(users["officer"], users["supervisor"], specs)
    return specs


def test_page_csv_xlsx_and_public_api_agree_number_by_number(client, auth, year_2024):
    expected = expected_counts(year_2024)
    auth.login("coordinator")
    page = page_numbers(client.get("/tallies?year=2024").get_data(as_text=True))
    csv_text = client.get("/exports/tallies.csv?year=2024").get_data().decode("utf-8-sig")
    header, *lines = csv_text.splitlines()
    csv_rows = {
        r["promise"]: r
        for r in (dict(zip(header.split(";"), line.split(";"), strict=True)) for line in lines)
    }
    book = load_workbook(io.BytesIO(client.get("/exports/tallies.xlsx?year=2024").data))
    xlsx_rows = {}
    for sheet in book.worksheets[1:]:
        heads = [c.value for c in sheet[3]]
        for row in sheet.iter_rows(min_row=4, values_only=True):
            named = dict(zip(heads, row, strict=False))
            if named["Löftets id"] and isinstance(named["Räknade"], int):
                xlsx_rows[named["Löftets id"]] = named
    api = {
        r["promise"]: r
        for code in ("2506", "2560")
        for r in client.get(f"/api/v1/public/{code}?year=2024").get_json()["tallies"]
    }

    assert set(page) == set(csv_rows) == set(xlsx_rows) == set(api)
    assert set(expected) <= set(page) and len(page) >= 10
    for key, shown in page.items():
        want = expected.get(key, {"counted": 0, "approved": 0, "pending": 0, "rejected": 0})
        c, x, a = csv_rows[key], xlsx_rows[key], api[key]
        xlsx_heads = {"counted": "Räknade", "approved": "Godkända", "pending": "Väntande"}
        xlsx_heads["rejected"] = "Avslagna"
        for col in ("counted", "approved", "pending", "rejected"):
            assert shown[col] == int(c[col]) == x[xlsx_heads[col]] == a[col] == want[col], (
                key,
                col,
            )
        assert shown["not_counted"] == want["approved"] - want["counted"]
        assert shown["yearly_target"] == a["yearly_target"] == x["Årsmål"]
        assert c["yearly_target"] == ("" if a["yearly_target"] is None else str(a["yearly_target"]))
        assert shown["status"] == shown["word"] == c["status"] == a["status"] == WORDS[x["Läge"]]
    # The printable report shows the same counted figures and pending entries.
    report = client.get("/tallies/report?year=2024").get_data(as_text=True)
    shown_in_report = {
        key: (int(counted), int(pending))
        for key, counted, pending in re.findall(
            r'<tr data-promise="([\w-]+)">(?:(?!</tr>).)*?data-label="Räknade">(\d+)<'
            r'(?:(?!</tr>).)*?data-label="Väntar">(\d+)<',
            report,
            re.S,
        )
    }
    assert shown_in_report == {k: (v["counted"], v["pending"]) for k, v in page.items()}
    assert 'style="' not in report
    # 2024 is over on the fixed day: nothing can be on track or behind any longer.
    assert {r["status"] for r in api.values()} <= {"met", "missed", "no_target"}
    assert "missed" in {r["status"] for r in api.values()}


def test_the_running_year_on_a_fixed_day(app, client, auth, users):
    # 2024-07-01 is day 183 of 366: half the year is gone.
    app.config["FIELDLOG_TODAY"] = "2024-07-01"
    weekday_noon = [dt.datetime(2024, 3, d, 12, 0, tzinfo=ZONE) for d in range(4, 9)]
    specs = (
        [
            {"promise": "arjeplog-trafikkontroll", "start": t, "decision": "approve"}
            for t in weekday_noon
        ]  # 5 of 10: on track
        + [
            {"promise": "arjeplog-ungdomsbesok", "start": t, "decision": "approve"}
            for t in weekday_noon[:2]
        ]  # 2 of 5: behind (2.5 expected)
        + [
            {"promise": "arjeplog-fotpatrull", "start": t, "decision": "approve"}
            for t in weekday_noon
        ]  # 5 of 5: met
        # at inconvenient hours only: one on a weekday noon (not counted), one on a Saturday
        + [
            {
                "promise": "arjeplog-trafikinsats-obekvam",
                "start": weekday_noon[0],
                "decision": "approve",
            },
            {
                "promise": "arjeplog-trafikinsats-obekvam",
                "start": dt.datetime(2024, 3, 9, 12, 0, tzinfo=ZONE),
                "decision": "approve",
            },
            {"promise": "arjeplog-fotpatrull", "start": weekday_noon[0], "decision": None},
        ]
    )
    log(users["officer"], users["supervisor"], specs)
    auth.login("supervisor")
    html = client.get("/tallies?year=2024").get_data(as_text=True)
    page = page_numbers(html)
    assert page["arjeplog-trafikkontroll"]["status"] == "on_track"
    assert page["arjeplog-ungdomsbesok"]["status"] == "behind"
    assert page["arjeplog-fotpatrull"]["status"] == "met"
    assert page["arjeplog-fotpatrull"]["pending"] == 1
    assert page["arjeplog-problembild"]["status"] == "behind"  # 0 of 3
    assert page["arjeplog-aktorsdialog"]["status"] == "no_target"
    obekvam = page["arjeplog-trafikinsats-obekvam"]
    assert (obekvam["counted"], obekvam["approved"], obekvam["not_counted"]) == (1, 2, 1)
    # Behind first, within the commitment.
    order = [k for k in page if k.startswith("arjeplog-")]
    statuses = [page[k]["status"] for k in order]
    assert statuses[: statuses.count("behind")] == ["behind"] * statuses.count("behind")
    assert "Efter plan" in html and "I fas" in html and "Uppnått" in html
    assert "I fas vore 3 hittills." in html  # ungdomsbesök: 5 × ½ rounded up
    # The next day it is still on track, the same counts; a year later 2024 is missed.
    app.config["FIELDLOG_TODAY"] = "2025-01-02"
    page = page_numbers(client.get("/tallies?year=2024").get_data(as_text=True))
    assert page["arjeplog-trafikkontroll"]["status"] == "missed"
    assert page["arjeplog-fotpatrull"]["status"] == "met"


def test_every_number_links_to_the_entries_behind_it(client, auth, users, app):
    app.config["FIELDLOG_TODAY"] = "2024-07-01"
    monday, saturday = (dt.datetime(2024, 3, d, 12, 0, tzinfo=ZONE) for d in (4, 9))
    log(
        users["officer"],
        users["supervisor"],
        [
            {
                "promise": "arjeplog-trafikinsats-obekvam",
                "start": monday,
                "decision": "approve",
                "place": "Storgatan",
            },
            {
                "promise": "arjeplog-trafikinsats-obekvam",
                "start": saturday,
                "decision": "approve",
                "place": "Torget",
            },
            {"promise": "arjeplog-trafikinsats-obekvam", "start": saturday, "decision": "reject"},
        ],
    )
    auth.login("coordinator")
    html = client.get("/tallies?year=2024").get_data(as_text=True)
    chunk = re.search(r'id="p-arjeplog-trafikinsats-obekvam".*?</article>', html, re.S).group(0)
    links = {
        status: href.replace("&amp;", "&")
        for href, status in re.findall(r'href="([^"]+status=(\w+)[^"]*)"', chunk)
    }
    assert set(links) == {"counted", "pending", "not_counted", "approved", "rejected"}
    listing = client.get(links["not_counted"]).get_data(as_text=True)
    assert 'class="total">1<' in listing and "Storgatan" in listing and "Torget" not in listing
    assert "inte obekväm tid" in listing
    counted = client.get(
        "/tallies/entries?promise=arjeplog-trafikinsats-obekvam&year=2024&status=counted"
    ).get_data(as_text=True)
    assert 'class="total">1<' in counted and "Torget" in counted
    rejected = client.get(
        "/tallies/entries?promise=arjeplog-trafikinsats-obekvam&year=2024&status=rejected"
    ).get_data(as_text=True)
    assert 'class="total">1<' in rejected
    bad = client.get("/tallies/entries?promise=arjeplog-fotpatrull&year=2024&status=bogus")
    assert bad.status_code == 400


def test_scope_another_areas_data_is_refused(client, auth, users, app):
    app.config["FIELDLOG_TODAY"] = "2024-07-01"
    log(
        users["officer"],
        users["supervisor"],
        [
            {
                "promise": "arjeplog-fotpatrull",
                "start": dt.datetime(2024, 3, 4, 12, tzinfo=ZONE),
                "decision": "approve",
                "place": "Torget",
            }
        ],
    )
    auth.login("other_coordinator")
    html = client.get("/tallies?year=2024").get_data(as_text=True)
    assert "Arboga" in html and "Arjeplog" not in html and "Älvsbyn" not in html
    assert client.get("/tallies?year=2024&municipality=2506").status_code == 403
    assert client.get("/tallies/report?year=2024&municipality=2506").status_code == 403
    behind = client.get("/tallies/entries?promise=arjeplog-fotpatrull&year=2024&status=counted")
    assert behind.status_code == 404 and "Torget" not in behind.get_data(as_text=True)
    auth.logout()
    auth.login("officer")
    assert client.get("/tallies?year=2024").status_code == 403
    auth.logout()
    anonymous = client.get("/tallies?year=2024")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_bad_year_is_refused_with_the_field_named(client, auth, users):
    auth.login("coordinator")
    response = client.get("/tallies?year=20x4")
    assert response.status_code == 400 and "year" in response.get_data(as_text=True)


def test_a_coordinator_records_a_promise_followed_up_in_words(client, auth, users, app):
    app.config["FIELDLOG_TODAY"] = "2024-07-01"
    auth.login("coordinator")
    form = {
        "csrf_token": csrf(client),
        "promise": "arjeplog-felanmalan",
        "year": "2024",
        "state": "pagar",
        "text": "Rutinen är skriven, utbildning i höst.",
    }
    response = client.post("/tallies/follow-up", data=form, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Uppföljningen sparades." in html
    chunk = re.search(r'id="p-arjeplog-felanmalan".*?</article>', html, re.S).group(0)
    assert "Pågår" in chunk and "Rutinen är skriven" in chunk
    report = client.get("/tallies/report?year=2024").get_data(as_text=True)
    assert "Pågår" in report and "Rutinen är skriven, utbildning i höst." in report
    # Changing it is audited with the before and after.
    client.post("/tallies/follow-up", data={**form, "state": "genomfort", "text": "Klart."})
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "follow_up.recorded")
            .order_by(AuditEvent.id)
        )
    )
    assert [e.after["state"] for e in events] == ["pagar", "genomfort"]
    assert events[1].before == {"state": "pagar", "text": "Rutinen är skriven, utbildning i höst."}
    assert events[1].actor_name == "coordinator"
    # In the workbook too, on Arjeplog's sheet.
    book = load_workbook(io.BytesIO(client.get("/exports/tallies.xlsx?year=2024").data))
    cells = [c for row in book["2506 Arjeplog"].iter_rows(values_only=True) for c in row]
    assert "Genomfört" in cells and "Klart." in cells


def test_follow_up_refuses_bad_input_and_other_areas(client, auth, users, app):
    app.config["FIELDLOG_TODAY"] = "2024-07-01"
    auth.login("coordinator")
    token = csrf(client)
    base = {"csrf_token": token, "promise": "arjeplog-felanmalan", "year": "2024", "text": "x"}
    bad_state = client.post(
        "/tallies/follow-up", data={**base, "state": "klart"}, follow_redirects=True
    )
    assert "state: välj genomfört, pågår eller ej påbörjat." in bad_state.get_data(as_text=True)
    too_long = client.post(
        "/tallies/follow-up",
        data={**base, "state": "pagar", "text": "x" * 501},
        follow_redirects=True,
    )
    assert "text: högst 500 tecken." in too_long.get_data(as_text=True)
    counted = client.post(
        "/tallies/follow-up",
        data={**base, "state": "pagar", "promise": "arjeplog-fotpatrull"},
        follow_redirects=True,
    )
    assert "promise:" in counted.get_data(as_text=True)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "follow_up.recorded"))
        is None
    )
    auth.logout()
    auth.login("other_coordinator")
    other = client.post(
        "/tallies/follow-up", data={**base, "csrf_token": csrf(client), "state": "pagar"}
    )
    assert other.status_code == 404
    auth.logout()
    auth.login("supervisor")
    assert (
        client.post(
            "/tallies/follow-up", data={**base, "csrf_token": csrf(client), "state": "pagar"}
        ).status_code
        == 403
    )


def test_commitments_in_force_are_loaded_at_once_as_day_by_day(bundled):
    from fieldlog.models import Commitment, Municipality
    from fieldlog.rules import commitment_in_force
    from fieldlog.services.commitments import commitments_during_year_for

    municipalities = list(db.session.scalars(select(Municipality)))
    for year in range(2020, 2028):
        at_once = commitments_during_year_for(municipalities, year)
        for m in municipalities:
            own = list(db.session.scalars(select(Commitment).where(Commitment.municipality == m)))
            days = [dt.date(year, 1, 1) + dt.timedelta(n) for n in range(366)]
            in_force = {commitment_in_force(own, d) for d in days if d.year == year} - {None}
            day_by_day = sorted(in_force, key=lambda c: c.valid_from)
            assert [c.id for c in at_once[m.id]] == [c.id for c in day_by_day], (m.code, year)


def test_the_report_reads_as_a_published_follow_up(client, auth, year_2024):
    auth.login("coordinator")
    report = client.get("/tallies/report?year=2024").get_data(as_text=True)
    # The date and who produced it, said once.
    assert report.count("2025-03-01") == 1 and "Räknat den" not in report
    assert "Sammanställd av " in report
    # Per municipality: how many promises count and how they stand, in words.
    assert re.search(r'class="report-summary">\s*\d+ löften räknas: \d+ ', report)
    # The outcome sums with their Swedish labels equal those of outcomes.csv.
    body = client.get("/exports/outcomes.csv?year=2024").get_data().decode("utf-8-sig")
    header, *lines = body.splitlines()
    sums: dict[str, dict[str, int]] = {}
    for line in lines:
        r = dict(zip(header.split(";"), line.split(";"), strict=True))
        sums.setdefault(r["promise"], {})[r["metric_label"]] = int(r["sum"])
    shown = {}
    for key, row in re.findall(r'<tr data-promise="([\w-]+)">(.*?)</tr>', report, re.S):
        cell = re.search(r'<td class="outcome-cell">(.*?)</td>', row, re.S)
        if cell:
            found = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", cell.group(1))
            shown[key] = {label: int(n) for label, n in found}
    assert shown and all(shown[k] == sums.get(k, {}) for k in shown)
    assert any(v for v in shown.values())
    # On A4, paged cleanly: no row split across pages, each municipality from a new page.
    css = (Path(__file__).resolve().parent.parent / "static/css/tallies.css").read_text("utf-8")
    assert re.search(r"@page \{\s*size: A4;", css)
    assert ".report-table tr { break-inside: avoid; }" in css
    assert "tallies.css" in report
