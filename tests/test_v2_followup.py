"""Version 2 on the pages and in the exports: the target in force and its periods, places, joint
shares, districts and outcome sums (CONTRACT.md, "Version 2"; issues 12 and 13)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry, Municipality, Promise
from fieldlog.rules import counts
from fieldlog.services.entries import sync_entries, withdraw_entry
from fieldlog.services.exports import OUTCOME_HEADER
from fieldlog.services.imports import import_commitments
from fieldlog.services.review import correct_entry, record_review
from fieldlog.services.tally_rows import yearly_rows

from . import factories
from .tallies_data import ZONE

MORE = Path(factories.BUNDLED).with_name("more-agreements.yaml")
# A Wednesday of ISO week 24 of 2016, while Landskrona's weekly agreement is in force.
LANDSKRONA_TODAY = dt.date(2016, 6, 15)


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in body
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def _log(officer, items: list[dict]) -> list[int]:
    results = sync_entries(officer, items)
    assert [r.status for r in results] == ["created"] * len(items), [r.errors for r in results]
    return [r.entry_id for r in results]


def _item(promise: str, start: dt.datetime, **fields) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "promise": promise,
        "started_at": start.isoformat(),
        **fields,
    }


@pytest.fixture
def more(app):
    """The bundled and the more agreements, and the people of Landskrona and Södra Fyrbodal."""
    factories.import_bundled()
    import_commitments(MORE)
    people = {
        "lk_officer": factories.make_user("lk_officer", "officer", "Landskrona"),
        "lk_supervisor": factories.make_user("lk_supervisor", "supervisor", "Landskrona"),
        "lk_coordinator": factories.make_user("lk_coordinator", "coordinator", "Landskrona"),
        "sf_officer": factories.make_user("sf_officer", "officer", "Södra Fyrbodal"),
        "sf_supervisor": factories.make_user("sf_supervisor", "supervisor", "Södra Fyrbodal"),
        "sf_coordinator": factories.make_user("sf_coordinator", "coordinator", "Södra Fyrbodal"),
    }
    return people


@pytest.fixture
def landskrona(app, more):
    """Foot patrols of 2016, two a week in weeks 1–21, one in weeks 22 and 23 and one so far in
    week 24 (today's), by place, with contacts; and traffic controls in T1 and T2."""
    app.config["FIELDLOG_TODAY"] = LANDSKRONA_TODAY.isoformat()
    items = []
    for week in range(1, 25):
        monday = dt.date.fromisocalendar(2016, week, 1)
        times = 2 if week <= 21 else 1
        for i in range(times):
            start = dt.datetime.combine(monday + dt.timedelta(days=i), dt.time(10), ZONE)
            items.append(
                _item(
                    "landskrona-fotpatrull",
                    start,
                    place=("Centrum", "Öster")[i],
                    metrics={"contacts": week % 4},
                    lat=(55.87, 55.88)[i],
                    lon=12.83,
                    notes="hemlig anteckning",
                )
            )
    ids = _log(more["lk_officer"], items)
    for entry_id in ids:
        record_review(more["lk_supervisor"], entry_id, "approve", None)
    return more


def _traffic(more) -> dict[str, int]:
    """Traffic controls of 2016 with their metrics, then edits, reviews and a withdrawal."""
    officer, supervisor = more["lk_officer"], more["lk_supervisor"]
    days = [dt.date(2016, 2, 3), dt.date(2016, 3, 9), dt.date(2016, 5, 4), dt.date(2016, 6, 1)]
    items = [
        _item(
            "landskrona-trafikkontroll",
            dt.datetime.combine(d, dt.time(14), ZONE),
            metrics={"vehicles_checked": 10 + i, "breath_tests": 5 + i, "fines": i, "reports": 1},
        )
        for i, d in enumerate(days)
    ]
    extra = [
        _item(
            "landskrona-trafikkontroll",
            dt.datetime.combine(dt.date(2016, 5, 18), dt.time(14), ZONE),
            metrics={"vehicles_checked": 99, "breath_tests": 99, "fines": 99, "reports": 99},
        )
        for _ in range(3)
    ]
    ids = _log(officer, items + extra)
    by = dict(
        zip(("feb", "mar", "may", "jun", "rejected", "withdrawn", "pending"), ids, strict=True)
    )
    # An edit while pending changes the sums once approved.
    edited = dict(items[1], metrics={"vehicles_checked": 40, "breath_tests": 30, "fines": 2})
    edited["base_version"] = 1
    assert sync_entries(officer, [edited])[0].status == "updated"
    for key in ("feb", "mar", "may", "jun"):
        record_review(supervisor, by[key], "approve", None)
    record_review(supervisor, by["rejected"], "reject", "Fel plats.")
    withdraw_entry(officer, by["withdrawn"])
    # A supervisor corrects an approved entry: the sums follow.
    june = db.session.get(Entry, by["jun"])
    correct_entry(
        supervisor,
        june.id,
        {
            "promise": "landskrona-trafikkontroll",
            "started_at": items[3]["started_at"],
            "metrics": {"vehicles_checked": 7, "breath_tests": 7, "fines": 7, "reports": 0},
        },
        june.version,
        "Fel antal.",
    )
    return by


def _counted_sums(promise_key: str, start: dt.date, end: dt.date) -> dict[str, int]:
    """The outcome sums by hand: the metrics of the counted entries started in the span."""
    promise = db.session.scalar(select(Promise).where(Promise.key == promise_key))
    found = dict.fromkeys(promise.activity_type.metrics, 0)
    for e in db.session.scalars(select(Entry).where(Entry.promise_id == promise.id)):
        if counts(e.status, e.in_window) and start <= e.day <= end:
            for k in found:
                found[k] += (e.metrics or {}).get(k, 0)
    return found


def test_outcome_sums_equal_the_counted_entries_metrics_per_period(app, landskrona):
    _traffic(landskrona)
    db.session.commit()
    lk = [db.session.scalar(select(Municipality).where(Municipality.code == "1282"))]
    spans = {
        None: (dt.date(2016, 1, 1), dt.date(2016, 12, 31)),
        "T1": (dt.date(2016, 1, 1), dt.date(2016, 4, 30)),
        "T2": (dt.date(2016, 5, 1), dt.date(2016, 8, 31)),
        "Q2": (dt.date(2016, 4, 1), dt.date(2016, 6, 30)),
        "M03": (dt.date(2016, 3, 1), dt.date(2016, 3, 31)),
    }
    for period, (start, end) in spans.items():
        rows = {r["promise"]: r for r in yearly_rows(lk, 2016, LANDSKRONA_TODAY, period)}
        for key in ("landskrona-trafikkontroll", "landskrona-fotpatrull"):
            assert rows[key]["outcomes"] == _counted_sums(key, start, end), (period, key)
    year = {r["promise"]: r for r in yearly_rows(lk, 2016, LANDSKRONA_TODAY)}
    # By hand: February 10+5, March edited to 40/30/2 (reports dropped), May 12/7/2/1, June
    # corrected to 7/7/7/0; the rejected, withdrawn and pending entries add nothing.
    assert year["landskrona-trafikkontroll"]["outcomes"] == {
        "vehicles_checked": 10 + 40 + 12 + 7,
        "breath_tests": 5 + 30 + 7 + 7,
        "fines": 0 + 2 + 2 + 7,
        "reports": 1 + 0 + 1 + 0,
    }


def test_outcomes_csv_has_the_header_and_a_row_per_promise_and_metric(
    app, client, auth, runner, landskrona, tmp_path
):
    _traffic(landskrona)
    db.session.commit()
    auth.login("lk_coordinator")
    response = client.get("/exports/outcomes.csv?year=2016&period=T2")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf" + ";".join(OUTCOME_HEADER).encode() + b"\r\n")
    assert ";".join(OUTCOME_HEADER) == (
        "year;period;municipality_code;municipality;commitment;promise;activity;metric;"
        "metric_label;sum"
    )
    rows = _csv(response.data)[1:]
    found = {(r[5], r[7]): r for r in rows}
    assert set(found) == {
        ("landskrona-fotpatrull", "contacts"),
        ("landskrona-trafikkontroll", "vehicles_checked"),
        ("landskrona-trafikkontroll", "breath_tests"),
        ("landskrona-trafikkontroll", "fines"),
        ("landskrona-trafikkontroll", "reports"),
    }
    assert found[("landskrona-trafikkontroll", "breath_tests")] == [
        "2016",
        "T2",
        "1282",
        "Landskrona",
        "landskrona-2016",
        "landskrona-trafikkontroll",
        "trafikkontroll",
        "breath_tests",
        "Utandningsprov",
        str(7 + 7),
    ]
    # 0 included: no reports in T2 (May's one, June's corrected to 0) → 1.
    assert found[("landskrona-trafikkontroll", "reports")][-1] == "1"
    whole = _csv(client.get("/exports/outcomes.csv?year=2016&municipality=1282").data)[1:]
    assert {r[1] for r in whole} == {""}
    assert client.get("/exports/outcomes.csv?year=2016&period=T4").status_code == 422
    # The command line writes the same bytes.
    out = tmp_path / "o.csv"
    args = ["export", "tallies", "--year", "2016", "--municipality", "1282"]
    result = runner.invoke(args=[*args, "--format", "outcomes", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == client.get("/exports/outcomes.csv?year=2016&municipality=1282").data
    result = runner.invoke(
        args=[*args, "--format", "outcomes", "--period", "T2", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    web = client.get("/exports/outcomes.csv?year=2016&municipality=1282&period=T2").data
    assert out.read_bytes() == web
    bad = runner.invoke(args=[*args, "--format", "outcomes", "--period", "X1", "--output", "x"])
    assert bad.exit_code == 1 and "--period" in bad.output
    kinds = [
        (e.object_id, (e.after or {}).get("period"))
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export"))
    ]
    assert ("outcomes.csv", "T2") in kinds and ("outcomes.csv", None) in kinds


def test_outcomes_csv_gives_a_joint_agreement_one_row_per_municipality(client, auth, more):
    _joint_entries(more)
    auth.login("sf_coordinator")
    rows = _csv(client.get("/exports/outcomes.csv?year=2024").data)[1:]
    breath = {r[2]: r[-1] for r in rows if r[5] == "sf-motorburen-ungdom" and r[7] == "fines"}
    assert breath == {"1415": "2", "1421": "3", "1407": "0"}
    one = _csv(client.get("/exports/outcomes.csv?year=2024&municipality=1415").data)[1:]
    assert {r[2] for r in one} == {"1415"}
    auth.logout()
    auth.login("lk_coordinator")
    assert client.get("/exports/outcomes.csv?year=2024&municipality=1415").status_code == 403


def test_entries_csv_has_a_column_per_metric_and_the_position(client, auth, landskrona):
    _traffic(landskrona)
    db.session.commit()
    auth.login("lk_supervisor")
    rows = _csv(client.get("/exports/entries.csv?year=2016").data)
    header, entries = rows[0], rows[1:]
    assert header[:18] == [
        "year",
        "municipality_code",
        "municipality",
        "commitment",
        "promise",
        "activity",
        "entry_id",
        "client_id",
        "author",
        "started_at",
        "ended_at",
        "status",
        "counted",
        "officers",
        "metrics",
        "place",
        "notes",
        "review_comment",
    ]
    assert {"lat", "lon", "contacts", "vehicles_checked", "breath_tests", "fines"} <= set(header)
    col = header.index
    patrols = [e for e in entries if e[col("promise")] == "landskrona-fotpatrull"]
    assert len(patrols) == 45 and {e[col("municipality_code")] for e in patrols} == {"1282"}
    assert all(e[col("vehicles_checked")] == "" for e in patrols)  # not a metric of patrols
    assert sum(int(e[col("contacts")]) for e in patrols) == sum(w % 4 for w in range(1, 25)) + sum(
        w % 4 for w in range(1, 22)
    )
    assert {e[col("lat")] for e in patrols} == {"55.87", "55.88"}
    controls = [e for e in entries if e[col("promise")] == "landskrona-trafikkontroll"]
    assert len(controls) == 6  # the withdrawn one is not listed
    march = next(e for e in controls if e[col("started_at")].startswith("2016-03-09"))
    assert (march[col("vehicles_checked")], march[col("reports")]) == ("40", "0")
    assert all(e[col("lat")] == "" for e in controls)


def test_entries_geojson_is_a_feature_collection_of_the_entries_with_a_position(
    client, auth, landskrona
):
    _traffic(landskrona)
    db.session.commit()
    auth.login("lk_coordinator")
    response = client.get("/exports/entries.geojson?year=2016")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = json.loads(response.data)
    assert body["type"] == "FeatureCollection"
    placed = {
        e.id: e
        for e in db.session.scalars(
            select(Entry).where(Entry.lat.is_not(None), Entry.status != "withdrawn")
        )
    }
    assert {f["id"] for f in body["features"]} == set(placed) and len(placed) == 45
    header = _csv(client.get("/exports/entries.csv?year=2016").data)[0]
    for f in body["features"]:
        e = placed[f["id"]]
        assert f["type"] == "Feature"
        assert f["geometry"] == {"type": "Point", "coordinates": [e.lon, e.lat]}
        assert list(f["properties"]) == [h for h in header if h != "notes"]
        assert f["properties"]["contacts"] == e.metrics["contacts"]
    assert "hemlig anteckning" not in response.get_data(as_text=True)
    assert client.get("/exports/entries.geojson?year=2017").get_json() == {
        "type": "FeatureCollection",
        "features": [],
    }
    auth.logout()
    assert client.get("/exports/entries.geojson?year=2016").status_code == 302


def _row_html(html: str, key: str, end: str = "</article>") -> str:
    """A promise's part of a page: its article (tallies), row (report) or item (public)."""
    return re.search(rf'data-promise="{key}".*?{end}', html, re.S).group(0)


def test_the_pages_show_a_weekly_target_with_its_periods_and_places(client, auth, landskrona):
    auth.login("lk_coordinator")
    page = client.get("/tallies?year=2016").get_data(as_text=True)
    chunk = _row_html(page, "landskrona-fotpatrull")
    # Weeks 1–23 are due on 15 June 2016; weeks 22 and 23 had one patrol only.
    assert "minst 2 i veckan: 21 av 23 veckor uppfyllda, den här veckan 1 av 2" in chunk
    assert re.search(r'class="name">Centrum</span> <span class="n">24</span>', chunk)
    assert re.search(r'class="name">Öster</span> <span class="n">21</span>', chunk)
    assert "Kontakter" in chunk  # the outcome sums, by the metric's Swedish word
    report = client.get("/tallies/report?year=2016").get_data(as_text=True)
    line = _row_html(report, "landskrona-fotpatrull", "</tr>")
    assert "minst 2 i veckan" in line and "21 av 23 veckor uppfyllda" in line
    assert "Sammanställd av Lk_Coordinator den 2016-06-15." in report
    public = client.get("/public/1282?year=2016").get_data(as_text=True)
    item = _row_html(public, "landskrona-fotpatrull", '<p class="status')
    assert 'minst <span class="target">2</span> i veckan' in item
    assert "21 av 23 veckor uppfyllda, den här veckan 1 av 2" in item
    assert "Centrum" in item and "Kontakter" in item
    assert "hemlig" not in public and "Lk_Officer" not in public and "lk_officer" not in public


def test_the_period_select_narrows_the_counts_and_a_bad_period_is_refused(client, auth, landskrona):
    auth.login("lk_coordinator")
    page = client.get("/tallies?year=2016&period=M02").get_data(as_text=True)
    assert '<option value="M02" selected>Februari</option>' in page
    assert '<select id="period" name="period">' in page
    chunk = _row_html(page, "landskrona-fotpatrull")
    # February 2016: two patrols in each of the weeks from Monday 1, 8, 15 and 22 February,
    # and the first of the week from Monday 29 February.
    assert re.search(r'aria-label="Räknade: 9">9</a>', chunk)
    assert "period=M02" in chunk  # the numbers lead to the period's entries
    behind = client.get(
        "/tallies/entries?promise=landskrona-fotpatrull&year=2016&status=counted&period=M02"
    )
    assert behind.status_code == 200
    assert '<span class="total">9</span>' in behind.get_data(as_text=True)
    report = client.get("/tallies/report?year=2016&period=T1")
    assert report.status_code == 200 and "tertial 1" in report.get_data(as_text=True)
    for path in (
        "/tallies?year=2016&period=T4",
        "/tallies/report?year=2016&period=Q5",
        "/tallies/entries?promise=landskrona-fotpatrull&year=2016&period=x",
        "/exports/tallies.csv?year=2016&period=M13",
    ):
        response = client.get(path)
        assert response.status_code == 422, path
        assert "period" in response.get_data(as_text=True)


def _joint_entries(more) -> None:
    """Södra Fyrbodal 2024: two operations in Stenungsund, three in Orust, none in Tjörn."""
    items = [
        _item(
            "sf-motorburen-ungdom",
            dt.datetime(2024, 4, 10 + i, 18, tzinfo=ZONE),
            municipality=code,
            metrics={"vehicles_checked": 4, "breath_tests": 2, "fines": 1, "reports": 0},
        )
        for i, code in enumerate(["1415", "1415", "1421", "1421", "1421"])
    ]
    for entry_id in _log(more["sf_officer"], items):
        record_review(more["sf_supervisor"], entry_id, "approve", None)
    db.session.commit()


def test_a_joint_agreement_shows_each_municipalitys_share_and_the_total(client, auth, more):
    _joint_entries(more)
    public = client.get("/public/1415?year=2024").get_data(as_text=True)
    assert "Ett gemensamt löfte för" in public
    assert all(name in public for name in ("Stenungsund", "Orust", "Tjörn"))
    item = _row_html(public, "sf-motorburen-ungdom", '<p class="status')
    assert '"counted">2</span> gjorda under 2024 i Stenungsund' in item
    assert "Totalt i alla kommunerna: 5" in item
    auth.login("sf_coordinator")
    page = client.get("/tallies?year=2024").get_data(as_text=True)
    assert "Gemensamt löfte för" in page
    shares = re.findall(r"(Stenungsund|Orust|Tjörn): (\d) · totalt för alla kommunerna: 5", page)
    assert sorted(shares) == [("Orust", "3"), ("Stenungsund", "2"), ("Tjörn", "0")]


def test_a_district_agreement_is_named_on_the_public_page(client, more):
    html = client.get("/public/1480?year=2018").get_data(as_text=True)
    assert "Medborgarlöfte Göteborg centrum 2018" in html
    assert "Gäller stadsdelen Centrum" in html
    item = _row_html(html, "gbg-centrum-narkotika", '<p class="status')
    assert 'minst <span class="target">6</span> per år' in item
    assert "Kontrollerade personer" in item and "Beslag" in item


def test_a_joint_share_leads_to_that_municipalitys_entries_and_entries_name_where_done(
    client, auth, more
):
    """Orust's number on /tallies is Orust's share: its link lists Orust's entries, not all
    three municipalities'; the review queue and the officer's own entries name the municipality
    the entry was done in, not the joint agreement's first one."""
    _joint_entries(more)
    auth.login("sf_coordinator")
    page = client.get("/tallies?year=2024").get_data(as_text=True)
    orust = re.search(r'id="p-sf-motorburen-ungdom-1421".*?</article>', page, re.S).group(0)
    assert 'id="p-sf-motorburen-ungdom-1421"' in page  # one id per municipality's row
    assert len(re.findall(r'id="p-sf-motorburen-ungdom[-"]', page)) == 3
    link = re.search(r'href="([^"]*status=counted[^"]*)"', orust).group(1).replace("&amp;", "&")
    assert "municipality=1421" in link
    behind = client.get(link).get_data(as_text=True)
    assert '<span class="total">3</span>' in behind and "Orust · 2024" in behind
    assert behind.count("<tr data-entry=") == 3
    everyone = client.get("/tallies/entries?promise=sf-motorburen-ungdom&year=2024&status=counted")
    assert everyone.get_data(as_text=True).count("<tr data-entry=") == 5
    assert client.get(link.replace("1421", "1282")).status_code == 403  # another police area
    auth.logout()
    # Entries waiting in Orust show Orust to the supervisor and to the officer.
    _log(
        more["sf_officer"],
        [
            _item(
                "sf-motorburen-ungdom",
                dt.datetime(2024, 5, 2, 18, tzinfo=ZONE),
                municipality="1421",
            )
        ],
    )
    db.session.commit()
    auth.login("sf_supervisor")
    queue = client.get("/review").get_data(as_text=True)
    assert re.search(r'class="pick-title">Orust · ', queue)
    assert not re.search(r'class="pick-title">Stenungsund · ', queue)
    auth.logout()
    auth.login("sf_officer")
    own = client.get("/entries?section=pending").get_data(as_text=True)
    assert re.search(r'class="entry-when">[^<]* · Orust<', own), own[:3000]


def test_the_public_page_opens_on_the_newest_year_with_an_agreement(client, app, landskrona):
    """Landskrona's only agreement is of 2016: asked without a year in 2026, the page shows 2016
    (the years it offers), not an empty 2026 introduced as if work were under way; one count
    reads "1 gjord", not "1 gjorda"."""
    app.config["FIELDLOG_TODAY"] = "2026-06-10"
    page = client.get("/public/1282").get_data(as_text=True)
    assert 'aria-current="page">2016<' in page
    assert "arbetet har kommit under 2016" in page and "Medborgarlöfte Landskrona 2016" in page
    assert "2026" not in re.sub(r"<head>.*?</head>", "", page, flags=re.S)
    empty = client.get("/public/1282?year=2017").get_data(as_text=True)
    assert "Inget medborgarlöfte gällde 2017." in empty and "arbetet har kommit" not in empty
    app.config["FIELDLOG_TODAY"] = LANDSKRONA_TODAY.isoformat()
    (one,) = _log(
        landskrona["lk_officer"],
        [_item("landskrona-trafikkontroll", dt.datetime(2015, 12, 20, 12, tzinfo=ZONE))],
    )
    record_review(landskrona["lk_supervisor"], one, "approve", None)
    db.session.commit()
    early = client.get("/public/1282?year=2015").get_data(as_text=True)
    assert '"counted">1</span> gjord under 2015' in early
    week = client.get("/public/1282?year=2016").get_data(as_text=True)
    assert re.search(r'"counted">(?:[02-9]|\d\d+)</span> gjorda under 2016', week)
