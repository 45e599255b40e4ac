"""Agreements as Sweden writes them (CONTRACT.md, "Version 2"), through the import, the sync
API and the tallies API: periods, windows, places, joint agreements, districts, targets by year.

Each test imports a small format-2 file of its own into the test police area "Kusten"
(municipalities 9901 Norrby, 9902 Söderby, 9903 Västerby) and logs entries in past years,
so that nothing depends on the real date; rows whose status depends on "today" are built
with an explicit day.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import Commitment, Entry, Municipality, Promise, TimeWindow
from fieldlog.rules.periods import iso_weeks
from fieldlog.services import tallies
from fieldlog.services.imports import CommitmentFileError, import_commitments, plan_and_apply
from fieldlog.services.tally_rows import yearly_rows
from fieldlog.services.users import create_user

from . import factories
from .apiclient import ApiClient

AREA = "Kusten"
BASE = {
    "version": 2,
    "time_windows": [
        {
            "code": "fre_natt",
            "label": "Fredagsnatt",
            "label_en": "Friday night",
            "days": ["fri"],
            "from": "18:00",
            "to": "03:00",
        },
        {
            "code": "vardagskvall",
            "label": "Vardagskvällar och helgdagar",
            "label_en": "Weekday evenings and holidays",
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "from": "18:00",
            "to": "22:00",
            "holidays": True,
        },
    ],
    "activity_types": [
        {
            "code": "fotpatrull",
            "label": "Fotpatrull",
            "label_en": "Foot patrol",
            "metrics": ["contacts"],
            "metric_labels": {"contacts": "Kontakter med allmänheten"},
        },
        {
            "code": "trafikkontroll",
            "label": "Trafikkontroll",
            "label_en": "Traffic control",
            "metrics": ["vehicles_checked", "breath_tests"],
        },
        {"code": "trygghetsvandring", "label": "Trygghetsvandring", "label_en": "Safety walk"},
    ],
    "police_areas": [
        {
            "name": AREA,
            "municipalities": [
                {"code": "9901", "name": "Norrby"},
                {"code": "9902", "name": "Söderby"},
                {"code": "9903", "name": "Västerby"},
            ],
        }
    ],
    "commitments": [],
}


def commitment(key: str, codes: list[str], start: str, end: str, *promises, **more) -> dict:
    return {
        "key": key,
        "municipalities": codes,
        "title": f"Medborgarlöfte {key}",
        "valid_from": start,
        "valid_to": end,
        "promises": list(promises),
        **more,
    }


def promise(key: str, activity: str | None = "fotpatrull", **more) -> dict:
    return {
        "key": key,
        "area": "Trygghet",
        "text": f"Löftet {key}.",
        "owner": "polisen",
        "activity": activity,
        **more,
    }


def load(*commitments: dict, **top) -> list[str]:
    doc = copy.deepcopy(BASE)
    doc["commitments"] = list(commitments)
    doc.update(top)
    return plan_and_apply(doc, apply=True)


@pytest.fixture
def kusten(app):
    """An officer, a supervisor and a coordinator of the police area Kusten (made on first load)."""
    load()
    made = {
        role: create_user(f"k_{role}", role, AREA, factories.PASSWORD, display_name=role.title())
        for role in ("officer", "supervisor", "coordinator")
    }
    return made


@pytest.fixture
def api(app, client):
    return ApiClient(app, client)


def entry(promise_key: str, started_at: str, **fields) -> dict:
    return factories.entry_data(promise_key, started_at, **fields)


def approve_all(api, supervisor) -> None:
    for e in db.session.scalars(select(Entry).where(Entry.status == "pending")):
        response = api.post(
            f"/api/v1/entries/{e.id}/review", supervisor, json={"decision": "approve"}
        )
        assert response.status_code == 200, response.get_json()


def tally_rows(api, user, year: int, code: str | None = None, period: str | None = None):
    query = f"/api/v1/tallies?year={year}"
    query += f"&municipality={code}" if code else ""
    query += f"&period={period}" if period else ""
    response = api.get(query, user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["tallies"]


def row_of(rows: list[dict], promise_key: str, code: str | None = None) -> dict:
    found = [r for r in rows if r["promise"] == promise_key and code in (None, r["municipality"])]
    assert len(found) == 1, found
    return found[0]


def rows_on(year: int, today: dt.date, codes=("9901", "9902", "9903"), period=None):
    municipalities = list(
        db.session.scalars(select(Municipality).where(Municipality.code.in_(codes)))
    )
    return yearly_rows(sorted(municipalities, key=lambda m: m.code), year, today, period)


# Weeks: ISO week 53, and a week across New Year.


def test_iso_week_53_is_a_period_of_its_year(kusten):
    assert len(iso_weeks(2026)) == 53 and len(iso_weeks(2025)) == 52
    load(
        commitment(
            "norrby-2026",
            ["9901"],
            "2025-12-01",
            "2027-01-31",
            promise("veckopatrull", target=[{"from_year": 2025, "count": 2, "per": "week"}]),
        )
    )
    (row,) = rows_on(2026, dt.date(2027, 2, 1))
    assert row["target"] == {"count": 2, "per": "week"}
    # Every one of the 53 weeks of ISO year 2026 lay wholly in force, and none was met.
    assert (row["periods_due"], row["periods_met"], row["status"]) == (53, 0, "missed")
    # Ending on 31 December, the agreement leaves week 53 (28 Dec – 3 Jan) partly outside.
    load(
        commitment(
            "norrby-2026",
            ["9901"],
            "2025-12-01",
            "2026-12-31",
            promise("veckopatrull", target=[{"from_year": 2025, "count": 2, "per": "week"}]),
        )
    )
    (row,) = rows_on(2026, dt.date(2027, 2, 1))
    assert row["periods_due"] == 52


def test_a_week_across_new_year_is_judged_whole_for_its_iso_year(kusten, api):
    load(
        commitment(
            "norrby-2020",
            ["9901"],
            "2020-01-01",
            "2021-12-31",
            promise("veckopatrull", target={"count": 2, "per": "week"}),
        )
    )
    officer, supervisor = kusten["officer"], kusten["supervisor"]
    # 2020-W53 runs from Monday 28 December 2020 to Sunday 3 January 2021.
    results = api.sync(
        officer,
        entry("veckopatrull", "2020-12-30T10:00"),
        entry("veckopatrull", "2021-01-02T10:00"),
    )
    assert [r["status"] for r in results] == ["created", "created"]
    approve_all(api, supervisor)
    week_53 = [r for r in rows_on(2020, dt.date(2021, 2, 1))][0]
    # Counts cover calendar 2020 (one entry); the week is judged on both of its entries.
    assert week_53["counted"] == 1
    assert week_53["periods_met"] == 1
    next_year = rows_on(2021, dt.date(2022, 2, 1))[0]
    assert next_year["counted"] == 1 and next_year["periods_met"] == 0
    # While week 53 runs, it is the current period of ISO year 2020, counted across New Year.
    current = rows_on(2020, dt.date(2021, 1, 3))[0]["current_period"]
    assert current == {"start": "2020-12-28", "end": "2021-01-03", "counted": 2, "target": 2}


# Windows: past midnight from a Friday, and holidays inside.


def test_a_window_past_midnight_from_friday_counts_into_saturday_morning(kusten, api):
    load(
        commitment(
            "norrby-2024",
            ["9901"],
            "2024-01-01",
            "2024-12-31",
            promise("fredagsnatt", time_rule="fre_natt", target={"count": 10, "per": "year"}),
        )
    )
    officer, supervisor = kusten["officer"], kusten["supervisor"]
    starts = {
        "2024-03-08T17:59": False,  # Friday, before the window
        "2024-03-08T18:00": True,  # Friday evening
        "2024-03-09T02:59": True,  # Saturday night, the Friday's window runs on
        "2024-03-09T03:00": False,  # the window has ended
        "2024-03-09T22:00": False,  # Saturday evening is not listed
    }
    api.sync(officer, *(entry("fredagsnatt", s) for s in starts))
    approve_all(api, supervisor)
    stored = {
        e.started_at.astimezone(dt.timezone(dt.timedelta(hours=1))).strftime("%Y-%m-%dT%H:%M"): (
            e.in_window
        )
        for e in db.session.scalars(select(Entry))
    }
    assert stored == starts
    row = row_of(tally_rows(api, kusten["coordinator"], 2024), "fredagsnatt")
    assert (row["approved"], row["counted"]) == (5, 2)


def test_a_holiday_lies_inside_a_window_with_holidays(kusten, api):
    load(
        commitment(
            "norrby-2024",
            ["9901"],
            "2024-01-01",
            "2024-12-31",
            promise("kvallar", time_rule="vardagskvall"),
        )
    )
    officer, supervisor = kusten["officer"], kusten["supervisor"]
    api.sync(
        officer,
        entry("kvallar", "2024-06-21T10:00"),  # midsummer eve, a Friday morning
        entry("kvallar", "2024-12-25T11:00"),  # Christmas Day, a Wednesday
        entry("kvallar", "2024-06-20T10:00"),  # an ordinary Thursday morning
    )
    approve_all(api, supervisor)
    row = row_of(tally_rows(api, kusten["coordinator"], 2024), "kvallar")
    assert (row["approved"], row["counted"], row["status"]) == (3, 2, "no_target")


# Joint agreements and districts.


def joint_and_later_single() -> None:
    load(
        commitment(
            "kusten-gemensamt",
            ["9901", "9902"],
            "2023-01-01",
            "2024-12-31",
            promise("gemensam-patrull", target={"count": 4, "per": "year"}),
        ),
        commitment(
            "norrby-egen",
            ["9901"],
            "2024-06-01",
            "2025-12-31",
            promise("norrby-patrull"),
        ),
    )


def test_a_joint_agreement_superseded_for_one_municipality_only(kusten, api):
    joint_and_later_single()
    coordinator = kusten["coordinator"]

    def active(code: str, day: str) -> list[str]:
        response = api.get(f"/api/v1/commitments/active?municipality={code}&on={day}", coordinator)
        assert response.status_code == 200, response.get_json()
        return [c["key"] for c in response.get_json()["commitments"]]

    assert active("9901", "2024-05-31") == ["kusten-gemensamt"]
    assert active("9901", "2024-06-01") == ["norrby-egen"]
    assert active("9902", "2024-06-01") == ["kusten-gemensamt"]
    officer = kusten["officer"]
    results = api.sync(
        officer,
        entry("gemensam-patrull", "2024-07-01T10:00", municipality="9902"),
        entry("gemensam-patrull", "2024-07-01T10:00", municipality="9901"),
        entry("gemensam-patrull", "2024-05-01T10:00", municipality="9901"),
        entry("gemensam-patrull", "2024-05-01T10:00"),
    )
    assert [r["status"] for r in results] == ["created", "invalid", "created", "invalid"]
    assert "promise" in results[1]["errors"]  # not in force in Norrby any more
    assert "municipality" in results[3]["errors"]  # a joint promise names its municipality
    approve_all(api, kusten["supervisor"])
    rows = tally_rows(api, coordinator, 2024)
    norrby, soderby = (
        row_of(rows, "gemensam-patrull", "9901"),
        row_of(rows, "gemensam-patrull", "9902"),
    )
    assert (norrby["counted"], soderby["counted"]) == (1, 1)
    assert norrby["joint_counted"] == soderby["joint_counted"] == 2
    assert norrby["joint"] and norrby["municipalities"] == ["9901", "9902"]
    # The share of a joint promise in one municipality, as the active agreement gives it.
    body = api.get("/api/v1/commitments/active?municipality=9902&on=2024-07-02", coordinator)
    (patrol,) = body.get_json()["promises"]
    assert patrol["tally"]["counted"] == 1


def test_a_joint_agreement_ended_in_one_municipality_stays_ended_after_its_own_ends(kusten, api):
    load(
        commitment(
            "kusten-gemensamt",
            ["9901", "9902"],
            "2023-01-01",
            "2026-12-31",
            promise("gemensam-patrull", target={"count": 4, "per": "year"}),
        ),
        commitment("norrby-egen", ["9901"], "2024-06-01", "2024-12-31", promise("norrby-patrull")),
    )
    coordinator = kusten["coordinator"]

    def active(code: str, day: str) -> list[str]:
        response = api.get(f"/api/v1/commitments/active?municipality={code}&on={day}", coordinator)
        return [c["key"] for c in response.get_json().get("commitments", [])]

    # "A later single-municipality whole-area agreement ends a joint one for that
    # municipality from its valid_from": ended, it does not come back when its own one ends.
    assert active("9901", "2024-12-31") == ["norrby-egen"]
    assert active("9901", "2025-01-01") == []
    assert active("9902", "2025-01-01") == ["kusten-gemensamt"]
    results = api.sync(
        kusten["officer"],
        entry("gemensam-patrull", "2025-03-03T10:00", municipality="9901"),
        entry("gemensam-patrull", "2025-03-03T10:00", municipality="9902"),
    )
    assert [r["status"] for r in results] == ["invalid", "created"]
    assert {r["municipality"] for r in tally_rows(api, coordinator, 2025)} == {"9902"}


def test_a_joint_rows_periods_are_judged_alike_whichever_municipality_is_asked(kusten, api):
    load(
        commitment(
            "kusten-gemensamt",
            ["9901", "9902"],
            "2025-01-01",
            "2026-12-31",
            promise("gemensam-patrull", target={"count": 2, "per": "quarter"}),
        ),
        commitment("norrby-egen", ["9901"], "2025-07-01", "2025-12-31", promise("norrby-patrull")),
    )
    api.sync(
        kusten["officer"],
        entry("gemensam-patrull", "2025-02-03T10:00", municipality="9901"),
        entry("gemensam-patrull", "2025-02-04T10:00", municipality="9901"),
        entry("gemensam-patrull", "2025-08-04T10:00", municipality="9902"),
    )
    approve_all(api, kusten["supervisor"])
    coordinator = kusten["coordinator"]
    # Every quarter of 2025 is due: the joint agreement was in force in Söderby all year,
    # though only until June in Norrby (rule 2, "in force for at least one covered
    # municipality"); Norrby's row is judged as Söderby's, asked for alone or not.
    for code in ("9901", "9902"):
        for asked in (None, code):
            year = row_of(tally_rows(api, coordinator, 2025, asked), "gemensam-patrull", code)
            assert (year["periods_due"], year["periods_met"], year["status"]) == (4, 1, "missed")
            q3 = row_of(tally_rows(api, coordinator, 2025, asked, "Q3"), "gemensam-patrull", code)
            assert (q3["joint_counted"], q3["periods_due"], q3["status"]) == (1, 1, "missed")
    public = client_get_public(api, "9901", 2025)
    assert (public["periods_due"], public["periods_met"]) == (4, 1)


def client_get_public(api, code: str, year: int) -> dict:
    """The public API's row of the joint promise in ``code``."""
    body = api.client.get(f"/api/v1/public/{code}?year={year}").get_json()
    return next(r for r in body["tallies"] if r["promise"] == "gemensam-patrull")


def test_a_later_single_agreement_starting_before_the_joint_one_is_refused(kusten):
    with pytest.raises(CommitmentFileError) as refused:
        load(
            commitment("norrby-egen", ["9901"], "2022-06-01", "2023-06-30", promise("p1")),
            commitment(
                "kusten-gemensamt", ["9901", "9902"], "2023-01-01", "2024-12-31", promise("p2")
            ),
        )
    assert "field 'valid_from' overlaps" in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_two_districts_of_one_municipality_in_force_at_once(kusten, api):
    load(
        commitment(
            "norrby-centrum", ["9901"], "2024-01-01", "2024-12-31",
            promise("centrum-patrull"), district="Centrum",
        ),
        commitment(
            "norrby-hamnen", ["9901"], "2024-01-01", "2024-12-31",
            promise("hamnen-patrull"), district="Hamnen",
        ),
    )  # fmt: skip
    coordinator, officer = kusten["coordinator"], kusten["officer"]
    body = api.get("/api/v1/commitments/active?municipality=9901&on=2024-03-01", coordinator)
    assert body.status_code == 200
    listed = body.get_json()
    assert [(c["key"], c["district"]) for c in listed["commitments"]] == [
        ("norrby-centrum", "Centrum"),
        ("norrby-hamnen", "Hamnen"),
    ]
    assert "key" not in listed  # no whole-area agreement
    # Both districts have a foot patrol: municipality and activity alone do not tell which.
    (ambiguous,) = api.sync(
        officer,
        {**entry("x", "2024-03-01T10:00"), "promise": None, "municipality": "9901",
         "activity": "fotpatrull"},
    )  # fmt: skip
    assert ambiguous["status"] == "invalid" and set(ambiguous["errors"]) == {"promise"}
    results = api.sync(
        officer,
        entry("centrum-patrull", "2024-03-01T10:00"),
        entry("hamnen-patrull", "2024-03-01T11:00"),
    )
    assert [r["status"] for r in results] == ["created", "created"]
    rows = tally_rows(api, coordinator, 2024, "9901")
    assert [(r["promise"], r["district"], r["pending"]) for r in rows] == [
        ("centrum-patrull", "Centrum", 1),
        ("hamnen-patrull", "Hamnen", 1),
    ]


def test_two_overlapping_agreements_in_one_district_are_refused(kusten):
    with pytest.raises(CommitmentFileError) as refused:
        load(
            commitment(
                "a", ["9901"], "2024-01-01", "2024-12-31", promise("p1"), district="Centrum"
            ),
            commitment(
                "b", ["9901"], "2024-06-01", "2025-12-31", promise("p2"), district="Centrum"
            ),
        )
    assert "commitment b: field 'valid_from' overlaps" in str(refused.value)


# Targets by year, places and outcome sums.


def test_a_target_changed_from_2025_leaves_2024_as_it_was(kusten, api):
    targets = [{"from_year": 2024, "count": 5, "per": "year"}]
    load(commitment("norrby", ["9901"], "2024-01-01", "2025-12-31", promise("p", target=targets)))
    api.sync(kusten["officer"], *(entry("p", f"2024-03-0{d}T10:00") for d in range(1, 6)))
    approve_all(api, kusten["supervisor"])
    before = row_of(tally_rows(api, kusten["coordinator"], 2024), "p")
    assert (before["counted"], before["yearly_target"], before["status"]) == (5, 5, "met")
    targets.append({"from_year": 2025, "count": 12, "per": "year"})
    load(commitment("norrby", ["9901"], "2024-01-01", "2025-12-31", promise("p", target=targets)))
    after = row_of(tally_rows(api, kusten["coordinator"], 2024), "p")
    assert (after["counted"], after["yearly_target"], after["status"]) == (5, 5, "met")
    assert after["target"] == {"count": 5, "per": "year"}
    row_2025 = row_of(tally_rows(api, kusten["coordinator"], 2025), "p")
    assert row_2025["target"] == {"count": 12, "per": "year"} and row_2025["counted"] == 0


def test_places_each_met_and_outcomes_summed(kusten, api):
    load(
        commitment(
            "norrby",
            ["9901"],
            "2024-01-01",
            "2024-12-31",
            promise(
                "vandring",
                "trygghetsvandring",
                places=["Norrby", "Åsen", "Strand"],
                target={"count": 1, "per": "year", "each_place": True},
            ),
            promise("kontroll", "trafikkontroll", target={"count": 2, "per": "tertial"}),
        )
    )
    officer = kusten["officer"]
    results = api.sync(
        officer,
        entry("vandring", "2024-04-02T18:00", place="Norrby"),
        entry("vandring", "2024-05-02T18:00", place=" Åsen "),
        entry("vandring", "2024-05-03T18:00", place="Torget"),
        entry("vandring", "2024-05-04T18:00"),
        entry("kontroll", "2024-02-01T10:00", metrics={"vehicles_checked": 40, "breath_tests": 30}),
        entry("kontroll", "2024-03-01T10:00", metrics={"vehicles_checked": 12, "breath_tests": 9}),
        entry("kontroll", "2024-06-01T10:00", metrics={"vehicles_checked": 5}),
    )
    assert [r["status"] for r in results] == ["created"] * 2 + ["invalid"] * 2 + ["created"] * 3
    assert set(results[2]["errors"]) == {"place"} and set(results[3]["errors"]) == {"place"}
    approve_all(api, kusten["supervisor"])
    rows = rows_on(2024, dt.date(2025, 1, 10), codes=("9901",))
    walk, control = row_of(rows, "vandring"), row_of(rows, "kontroll")
    assert walk["places"] == [
        {"name": "Norrby", "counted": 1, "met": True},
        {"name": "Åsen", "counted": 1, "met": True},
        {"name": "Strand", "counted": 0, "met": False},
    ]
    assert walk["status"] == "missed"  # one place had no walk
    assert control["outcomes"] == {"vehicles_checked": 57, "breath_tests": 39}
    # T1 met (2 controls), T2 not (1), T3 not: two of the three due tertials missed.
    assert (control["periods_due"], control["periods_met"], control["status"]) == (3, 1, "missed")
    t1 = row_of(rows_on(2024, dt.date(2025, 1, 10), codes=("9901",), period="T1"), "kontroll")
    assert (t1["counted"], t1["periods_due"], t1["periods_met"], t1["status"]) == (2, 1, 1, "met")
    assert t1["outcomes"] == {"vehicles_checked": 52, "breath_tests": 39}
    # A withdrawn or rejected entry leaves the sums; the kept sums agree with a recount.
    assert tallies.check() == []


def test_a_period_that_is_not_one_is_422_naming_period(kusten, api):
    for bad in ("T4", "Q0", "M13", "t1", "2024-T1", "T１"):
        response = api.get(f"/api/v1/tallies?year=2024&period={bad}", kusten["coordinator"])
        assert response.status_code == 422, bad
        assert response.get_json()["error"].startswith("period")


# The import: versions 1 and 2, mixed files, unknown fields, twice.


def test_version_1_and_version_2_files_both_import_and_twice_changes_nothing(app, tmp_path):
    assert factories.import_bundled()
    bundled_v2 = Path(factories.BUNDLED).with_name("more-agreements.yaml")
    assert import_commitments(bundled_v2)
    assert import_commitments(bundled_v2) == []
    assert factories.import_bundled() == []
    joint = db.session.scalar(
        select(Commitment).where(Commitment.key == "sodra-fyrbodal-2023-2024")
    )
    assert joint.joint and [m.code for m in joint.municipalities] == ["1407", "1415", "1421"]
    gbg = db.session.scalar(select(Commitment).where(Commitment.key == "goteborg-centrum-2018"))
    assert gbg.district == "Centrum"
    assert db.session.scalar(select(TimeWindow.days).where(TimeWindow.code == "fre_lor_kvall")) == [
        "fri",
        "sat",
    ]
    weekly = db.session.scalar(select(Promise).where(Promise.key == "landskrona-fotpatrull"))
    assert weekly.places == ["Centrum", "Öster"] and weekly.target_in(2016).per == "week"


def _c(doc: dict) -> dict:
    return doc["commitments"][0]


def _p(doc: dict) -> dict:
    return doc["commitments"][0]["promises"][0]


BAD_FILES = [
    # v1's municipality in a v2 commitment, or its yearly_target beside target: mixed files.
    (lambda d: _c(d).update(municipality="9901"), "field 'municipality'"),
    (lambda d: _p(d).update(yearly_target=3), "field 'target'"),
    (lambda d: _c(d).update(colour="blå"), "field 'colour'"),
    (lambda d: _p(d).update(tarket=3), "field 'tarket'"),
    (lambda d: _p(d)["target"].update(per="fortnight"), "field 'target.per'"),
    (lambda d: _p(d).update(time_rule="helg"), "field 'time_rule'"),
    (lambda d: _c(d).update(municipalities=["9901", "2506"]), "field 'municipalities'"),
    (lambda d: _c(d).update(municipalities=["9901", "9902"], district="C"), "field 'district'"),
    (lambda d: d["time_windows"][0].update(days=["fre"]), "field 'days'"),
    (lambda d: d["time_windows"][0].update(to="25:00"), "field 'to'"),
    (lambda d: d.update(version=3), "version: must be 1 or 2"),
]


@pytest.mark.parametrize(("change", "named"), BAD_FILES)
def test_a_bad_or_mixed_file_is_refused_whole_naming_the_field(bundled, tmp_path, change, named):
    doc = copy.deepcopy(BASE)
    doc["commitments"] = [
        commitment(
            "norrby",
            ["9901"],
            "2024-01-01",
            "2024-12-31",
            promise("p", target={"count": 2, "per": "week"}),
        )
    ]
    change(doc)
    path = tmp_path / "avtal.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    counts_before = db.session.scalar(select(func.count()).select_from(Commitment))
    with pytest.raises(CommitmentFileError) as refused:
        import_commitments(path)
    assert named in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == counts_before
    assert db.session.scalar(select(func.count()).select_from(TimeWindow)) == 0


def test_a_version_1_file_with_a_version_2_field_is_refused(bundled, tmp_path):
    doc = yaml.safe_load(Path(factories.BUNDLED).read_text(encoding="utf-8"))
    doc["commitments"][0]["promises"][0]["places"] = ["Centrum"]
    path = tmp_path / "v1.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommitmentFileError) as refused:
        import_commitments(path)
    assert "field 'places' is not a field of this format version" in str(refused.value)


def test_the_admin_index_lists_a_joint_agreement_under_each_municipality(kusten, client, auth):
    joint_and_later_single()
    auth.login("k_coordinator")
    page = client.get("/admin/").get_data(as_text=True)
    sections = {
        name: page.split(f"<h2>{name} ")[1].split("</section>")[0]
        for name in ("Norrby", "Söderby", "Västerby")
    }
    assert "Medborgarlöfte kusten-gemensamt" in sections["Norrby"]
    assert "Medborgarlöfte kusten-gemensamt" in sections["Söderby"]
    assert "Medborgarlöfte norrby-egen" not in sections["Söderby"]
    assert "Inga medborgarlöften ännu." in sections["Västerby"]


def test_a_changed_time_window_in_a_new_import_recounts_its_promises(kusten, api):
    load(
        commitment(
            "norrby-2024", ["9901"], "2024-01-01", "2024-12-31",
            promise("fredagsnatt", time_rule="fre_natt"),
        )
    )  # fmt: skip
    api.sync(kusten["officer"], entry("fredagsnatt", "2024-03-08T16:00"))  # a Friday afternoon
    approve_all(api, kusten["supervisor"])
    assert row_of(tally_rows(api, kusten["coordinator"], 2024), "fredagsnatt")["counted"] == 0
    windows = copy.deepcopy(BASE["time_windows"])
    windows[0]["from"] = "15:00"
    changes = load(
        commitment(
            "norrby-2024", ["9901"], "2024-01-01", "2024-12-31",
            promise("fredagsnatt", time_rule="fre_natt"),
        ),
        time_windows=windows,
    )  # fmt: skip
    assert "changed time window fre_natt: starts" in changes
    assert row_of(tally_rows(api, kusten["coordinator"], 2024), "fredagsnatt")["counted"] == 1
    assert tallies.check() == []


@pytest.mark.parametrize(
    "key", ["a\x00b", "\ud800fotpatrull", "x" * 5000, "arjeplog-fotpatrull\x07"]
)
def test_a_promise_key_that_cannot_be_stored_is_invalid_naming_promise(users, api, key):
    (result,) = api.sync(users["officer"], factories.entry_data(promise=key))
    assert result["status"] == "invalid" and set(result["errors"]) == {"promise"}


def test_retention_keeps_a_place_from_the_promises_list_and_the_counts_per_place(kusten, api):
    from fieldlog.services.retention import remove_personal_data

    load(
        commitment(
            "norrby", ["9901"], "2024-01-01", "2024-12-31",
            promise("vandring", "trygghetsvandring", places=["Norrby", "Åsen"]),
            promise("patrull"),
        )
    )  # fmt: skip
    api.sync(
        kusten["officer"],
        entry("vandring", "2024-04-02T18:00", place="Åsen", notes="Med Anna från kommunen"),
        entry("patrull", "2024-04-03T18:00", place="Storgatan 3"),
    )
    approve_all(api, kusten["supervisor"])
    assert remove_personal_data(dt.date(2025, 1, 1)) == 2
    db.session.expire_all()
    kept = {
        e.promise.key: (e.place, e.notes, e.author_id) for e in db.session.scalars(select(Entry))
    }
    assert kept == {"vandring": ("Åsen", None, None), "patrull": (None, None, None)}
    assert tallies.check() == []
    rows = rows_on(2024, dt.date(2025, 1, 10), codes=("9901",))
    assert row_of(rows, "vandring")["places"][1] == {"name": "Åsen", "counted": 1, "met": None}
