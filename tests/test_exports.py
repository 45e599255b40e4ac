"""The exports of CONTRACT: tallies.csv, tallies.xlsx and entries.csv, the command line, audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Promise

from .tallies_data import ZONE, generated_specs, log

HEADER = (
    "year;municipality_code;municipality;commitment;promise;text;area;owner;activity;"
    "yearly_target;counted;approved;pending;rejected;status;"
    # Version 2's columns follow the 15 of version 1.
    "district;joint_counted;target_count;target_per;periods_due;periods_met"
)
NASTY = '=HYPERLINK("http://evil.example","klicka")'


@pytest.fixture
def data(app, users):
    """Entries of 2024 in Piteå älvdal and one in Arboga; a promise text and notes that look like
    formulas."""
    app.config["FIELDLOG_TODAY"] = "2025-03-01"
    for key, text in (
        ("arjeplog-fotpatrull", NASTY),
        ("arjeplog-trafikkontroll", "\tTab"),
        ("arjeplog-ungdomsbesok", "\rCR"),
    ):
        db.session.execute(update(Promise).where(Promise.key == key).values(text=text))
    db.session.commit()
    specs = generated_specs(2024, 40)
    noon = dt.datetime(2024, 5, 6, 12, 0, tzinfo=ZONE)
    for i, cell in enumerate(["+46 70 123", "-1", "@SUM(A1)", "=1+1"]):
        specs.append(
            {
                "promise": "arjeplog-fotpatrull",
                "start": noon + dt.timedelta(hours=i),
                "decision": "approve",
                "place": cell,
                "notes": f"{cell};mer",
            }
        )
    log(users["officer"], users["supervisor"], specs)
    log(
        users["other_officer"],
        users["other_supervisor"],
        [
            {
                "promise": "arboga-trafiksakerhet",
                "start": noon,
                "decision": "approve",
                "place": "Arbogatorget",
            }
        ],
    )
    return specs


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_tallies_csv_has_the_exact_header_bom_and_semicolons(client, auth, data):
    auth.login("coordinator")
    response = client.get("/exports/tallies.csv?year=2024")
    assert response.status_code == 200
    assert (
        response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    )
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    rows = _csv_rows(body)
    assert all(len(r) == 21 for r in rows)
    by_key = {r[4]: r for r in rows[1:]}
    assert {r[2] for r in rows[1:]} == {"Arjeplog", "Älvsbyn"}  # the names; the area's only
    assert by_key["arjeplog-fotpatrull"][:4] == ["2024", "2506", "Arjeplog", "arjeplog-2023-2024"]
    # The formula-looking promise text is neutralised with a leading apostrophe.
    assert by_key["arjeplog-fotpatrull"][5] == "'" + NASTY
    assert by_key["arjeplog-trafikkontroll"][5] == "'\tTab"
    assert by_key["arjeplog-ungdomsbesok"][5] == "'\rCR"
    one = client.get("/exports/tallies.csv?year=2024&municipality=2560")
    assert {r[1] for r in _csv_rows(one.data)[1:]} == {"2560"}


def test_entries_csv_lists_the_areas_entries_with_formulas_neutralised(client, auth, data):
    auth.login("supervisor")
    rows = _csv_rows(client.get("/exports/entries.csv?year=2024").data)
    header, entries = rows[0], rows[1:]
    assert header[:5] == ["year", "municipality_code", "municipality", "commitment", "promise"]
    assert len(entries) == len(data)
    assert "Arbogatorget" not in {e[header.index("place")] for e in entries}
    places = {e[header.index("place")] for e in entries}
    assert {"'+46 70 123", "'-1", "'@SUM(A1)", "'=1+1"} <= places
    notes = {e[header.index("notes")] for e in entries}
    assert "'=1+1;mer" in notes  # the ; stays inside one quoted cell
    approved = [e for e in entries if e[header.index("status")] == "approved"]
    assert approved and all(e[header.index("counted")] in ("0", "1") for e in approved)
    mine = _csv_rows(client.get("/exports/entries.csv?year=2024&municipality=2560").data)
    assert {e[1] for e in mine[1:]} <= {"2560"}


def test_xlsx_is_swedish_with_a_summary_and_a_sheet_per_municipality(client, auth, data):
    auth.login("coordinator")
    body = client.get("/exports/tallies.xlsx?year=2024").data
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Sammanfattning", "2506 Arjeplog", "2560 Älvsbyn"]
    summary = book["Sammanfattning"]
    assert [c.value for c in summary[3]][:3] == ["Kommun", "Kommunkod", "Uppnått"]
    sheet = book["2506 Arjeplog"]
    # As a council member reads it: the promise, its target, the count and the state first.
    assert [c.value for c in sheet[3]][:4] == ["Löfte", "Mål", "Räknade", "Läge"]
    heads = [c.value for c in sheet[3]]
    key = heads.index("Löftets id")
    cell = next(r[0] for r in sheet.iter_rows(min_row=4) if r[key].value == "arjeplog-fotpatrull")
    # Stored as text, never as a formula: the value is the text itself, type 's'.
    assert cell.value == NASTY and cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
        # Deterministic: fixed times inside, so the same data gives the same bytes.
        assert {i.date_time for i in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert "<f>" not in xml and "<f " not in xml
    assert book.properties.created == book.properties.modified == dt.datetime(2000, 1, 1)
    rows = _sheet_rows(sheet)
    assert {r["Läge"] for r in rows} <= {"Uppnått", "Inte uppnått", "Inget mål"}
    # The target in words, as the pages say it; the count a number.
    fotpatrull = next(r for r in rows if r["Löftets id"] == "arjeplog-fotpatrull")
    assert fotpatrull["Mål"].startswith("minst ") and isinstance(fotpatrull["Räknade"], int)
    # A yearly target's fulfilment as a share: "60 % (3 av 5)", not an empty column.
    counted, goal = fotpatrull["Räknade"], fotpatrull["Mål för perioden"]
    share = f"{counted * 100 // goal} % ({counted} av {goal})"
    assert fotpatrull["Måluppfyllelse"] == share
    assert all(r["Måluppfyllelse"] for r in rows if r["Mål för perioden"])
    # The promises followed up in words, their state under Läge.
    in_words = [r for r in sheet.iter_rows(min_row=5 + len(rows), values_only=True) if r[17]]
    assert in_words[0][0] == "Löfte" and {r[3] for r in in_words[1:]} <= {"Ej angivet"}


def _sheet_rows(sheet) -> list[dict]:
    """The counted promises of a municipality's sheet by heading: the rows up to the first
    empty one (the promises followed up in words come after it)."""
    heads = [c.value for c in sheet[3]]
    found = []
    for r in sheet.iter_rows(min_row=4, values_only=True):
        if not any(r):
            break
        found.append(dict(zip(heads, r, strict=False)))
    return found


def test_xlsx_prints_landscape_fitted_with_its_heading_and_a_chart(client, auth, data):
    auth.login("coordinator")
    book = load_workbook(io.BytesIO(client.get("/exports/tallies.xlsx?year=2024").data))
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$3:$3"
    sheet = book["2506 Arjeplog"]
    # Column widths by content: the promise text wider than the count, none past the cap.
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert widths["A"] > widths["C"] and max(widths.values()) <= 60
    (chart,) = sheet._charts
    assert chart.tagname == "barChart" and len(chart.series) == 2
    refs = [s.val.numRef.f for s in chart.series]
    n = len(_sheet_rows(sheet))
    assert refs == [f"'2506 Arjeplog'!$C$4:$C${3 + n}", f"'2506 Arjeplog'!$G$4:$G${3 + n}"]
    # The target bar of a yearly target is the yearly target itself.
    for r in _sheet_rows(sheet):
        if r["Årsmål"] is not None:
            assert r["Mål för perioden"] == r["Årsmål"]
            assert r["Mål"] == f"minst {r['Årsmål']} per år"


def test_xlsx_of_a_period_counts_the_period(client, auth, data, runner, tmp_path):
    auth.login("coordinator")
    whole = {
        r["Löftets id"]: r
        for r in _sheet_rows(
            load_workbook(io.BytesIO(client.get("/exports/tallies.xlsx?year=2024").data))[
                "2506 Arjeplog"
            ]
        )
    }
    response = client.get("/exports/tallies.xlsx?year=2024&period=T2&municipality=2506")
    assert response.status_code == 200
    assert "tallies-2024-T2-2506.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book["2506 Arjeplog"]["A1"].value == "Arjeplog 2024, tertial 2"
    tertial = {r["Löftets id"]: r for r in _sheet_rows(book["2506 Arjeplog"])}
    csv_rows = _csv_rows(
        client.get("/exports/tallies.csv?year=2024&period=T2&municipality=2506").data
    )
    counted = {r[4]: int(r[10]) for r in csv_rows[1:]}
    assert set(tertial) == set(whole) == set(counted)
    assert sum(counted.values()) < sum(r["Räknade"] for r in whole.values())
    for key, r in tertial.items():
        assert r["Räknade"] == counted[key] <= whole[key]["Räknade"]
        assert r["Period"] == "T2"
    assert client.get("/exports/tallies.xlsx?year=2024&period=T4").status_code == 422
    # The command line takes --period with xlsx and writes the web's bytes.
    out = tmp_path / "t2.xlsx"
    result = runner.invoke(
        args=[
            "export",
            "tallies",
            "--year",
            "2024",
            "--municipality",
            "2506",
            "--format",
            "xlsx",
            "--period",
            "T2",
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == response.data


def test_exports_need_a_login_a_role_and_the_area(client, auth, data, runner):
    for path in (
        "/exports/tallies.csv?year=2024",
        "/exports/tallies.xlsx?year=2024",
        "/exports/entries.csv?year=2024",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login("officer")
    assert client.get("/exports/tallies.csv?year=2024").status_code == 403
    auth.logout()
    auth.login("other_coordinator")
    assert client.get("/exports/tallies.csv?year=2024&municipality=2506").status_code == 403
    assert client.get("/exports/entries.csv?year=2024&municipality=2506").status_code == 403
    assert client.get("/exports/tallies.xlsx?year=2024&municipality=9999").status_code == 404
    own = _csv_rows(client.get("/exports/tallies.csv?year=2024").data)
    assert {r[1] for r in own[1:]} == {"1984"}


def test_a_bearer_token_exports_and_every_export_is_audited(client, runner, data):
    token = runner.invoke(args=["users", "token", "coordinator"]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/exports/tallies.csv?year=2024", headers=headers).status_code == 200
    assert (
        client.get("/exports/tallies.xlsx?year=2024&municipality=2506", headers=headers).status_code
        == 200
    )
    assert client.get("/exports/entries.csv?year=2024", headers=headers).status_code == 200
    events = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        )
    )
    assert [(e.object_id, e.actor_name, e.after) for e in events] == [
        ("tallies.csv", "coordinator", {"year": 2024, "municipality": None}),
        ("tallies.xlsx", "coordinator", {"year": 2024, "municipality": "2506"}),
        ("entries.csv", "coordinator", {"year": 2024, "municipality": None}),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_command_line_writes_the_bytes_of_the_web_export(
    client, auth, runner, data, tmp_path, fmt
):
    auth.login("coordinator")
    web = client.get(f"/exports/tallies.{fmt}?year=2024&municipality=2506").data
    out = tmp_path / f"t.{fmt}"
    result = runner.invoke(
        args=[
            "export",
            "tallies",
            "--year",
            "2024",
            "--municipality",
            "2506",
            "--format",
            fmt,
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == web
    # Without --municipality: every municipality, as an admin's web export gives them.
    auth.logout()
    auth.login("admin")
    everything = client.get(f"/exports/tallies.{fmt}?year=2024").data
    runner.invoke(
        args=["export", "tallies", "--year", "2024", "--format", fmt, "--output", str(out)]
    )
    assert out.read_bytes() == everything
    cli_events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.actor_name == "cli")
    )
    assert len(list(cli_events)) == 2


def test_the_command_line_refuses_bad_input(runner, data, tmp_path):
    out = tmp_path / "x.csv"
    for args, field in (
        (["--year", "20x4", "--format", "csv"], "--year"),
        (["--year", "2024", "--format", "pdf"], "--format"),
        (["--year", "2024", "--format", "csv", "--municipality", "9999"], "--municipality"),
    ):
        result = runner.invoke(args=["export", "tallies", *args, "--output", str(out)])
        assert result.exit_code == 1 and field in result.output
    assert not out.exists()
    bad_dir = runner.invoke(
        args=[
            "export",
            "tallies",
            "--year",
            "2024",
            "--format",
            "csv",
            "--output",
            str(tmp_path / "no" / "such" / "x.csv"),
        ]
    )
    assert bad_dir.exit_code == 1 and "--output" in bad_dir.output


def test_entry_exports_settle_the_viewer_before_they_stream(app, users, data):
    """The pieces are made while the answer streams, after the request's session has closed and
    its objects (the viewer too) are detached: reading the viewer then failed with a 500 on
    every served entries.csv. What the viewer may see is settled when the export is asked for."""
    from fieldlog.models import Municipality, User
    from fieldlog.services.exports import entries_csv, entries_geojson, record_export

    viewer = db.session.scalar(select(User).where(User.username == users["supervisor"].username))
    ids = list(db.session.scalars(select(Municipality.id)))
    record_export("entries.csv", {"year": 2024}, actor=viewer)  # commits: viewer expired
    pieces = entries_csv(ids, 2024, viewer)
    shapes = entries_geojson(ids, 2024, viewer)
    db.session.remove()  # the request's session ends before the body is read
    rows = _csv_rows("".join(pieces).encode("utf-8"))
    assert len(rows) == len(data) + 2  # the header, the area's entries and Arboga's one
    assert all(r[rows[0].index("author")] for r in rows[1:])
    assert '"FeatureCollection"' in "".join(shapes)
