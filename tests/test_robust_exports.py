"""An export of stored data never fails; a commitments file with bad values is refused, named.

Values with control characters are written into the database with SQL (as an
older version or another program could have), then exported on the web and on
the command line.
"""

from __future__ import annotations

import io

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from fieldlog.extensions import db
from fieldlog.models import Entry, Municipality, Promise, PromiseFollowUp
from fieldlog.services.review import record_review

from .factories import BUNDLED
from .review_helpers import log

VT_TEXT = "Minst 5 fotpatruller\x0b i centrala\x01 Arjeplog\ufffe"
SHOWN = "Minst 5 fotpatruller\ufffd i centrala\ufffd Arjeplog\ufffd"


@pytest.fixture
def stored_controls(app, users):
    """A promise text, a municipality name, a follow-up and an entry's notes with control
    characters, stored directly."""
    app.config["FIELDLOG_TODAY"] = "2024-07-01"
    (entry_id,) = log(users["officer"], started_at="2024-03-05T10:00")
    record_review(users["supervisor"], entry_id, "approve", None)
    db.session.execute(
        update(Promise).where(Promise.key == "arjeplog-fotpatrull").values(text=VT_TEXT)
    )
    db.session.execute(
        update(Municipality).where(Municipality.code == "2506").values(name="Arje\x0bplog")
    )
    db.session.execute(update(Entry).where(Entry.id == entry_id).values(notes="=anteckning\x0b"))
    promise_id = db.session.scalar(select(Promise.id).where(Promise.key == "arjeplog-felanmalan"))
    db.session.add(PromiseFollowUp(promise_id=promise_id, year=2024, state="pagar", text="ok\x07"))
    db.session.commit()


def test_the_workbook_of_stored_control_characters_is_exported(client, auth, stored_controls):
    auth.login("coordinator")
    response = client.get("/exports/tallies.xlsx?year=2024")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    cells = {c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert SHOWN in cells and "ok\ufffd" in cells
    assert "2506 Arje\ufffdplog" in book.sheetnames


def test_the_csv_exports_of_stored_control_characters_are_exported(client, auth, stored_controls):
    auth.login("coordinator")
    tallies = client.get("/exports/tallies.csv?year=2024")
    assert tallies.status_code == 200 and SHOWN in tallies.data.decode("utf-8")
    entries = client.get("/exports/entries.csv?year=2024")
    assert entries.status_code == 200 and "'=anteckning\ufffd" in entries.data.decode("utf-8")


def test_the_command_line_exports_stored_control_characters(runner, stored_controls, tmp_path):
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"tallies.{fmt}"
        args = ["export", "tallies", "--year", "2024", "--format", fmt, "--output", str(out)]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "tallies.xlsx")
    assert SHOWN in {
        c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    }


def _bundled_with(change) -> str:
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    change(doc)
    return yaml.safe_dump(doc, allow_unicode=True)


def _promise(doc: dict) -> dict:
    return doc["commitments"][0]["promises"][8]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: _promise(d).update(text="Minst 5\x0b fotpatruller"), "field 'text' contains"),
        (lambda d: _promise(d).update(yearly_target="²"), "field 'yearly_target'"),
        (lambda d: _promise(d).update(yearly_target=2**31), "field 'yearly_target'"),
        (lambda d: _promise(d).update(activity=["fotpatrull"]), "field 'activity'"),
        (lambda d: _promise(d).update(key="k" * 81), "field 'key' is longer than 80"),
        (lambda d: d["police_areas"][0]["municipalities"][0].update(code="²²²²"), "field 'code'"),
        (lambda d: d["commitments"][0].update(valid_to="9999-12-31"), "field 'valid_to'"),
        (lambda d: d["activity_types"][0].update(label="Fot\x00patrull"), "field 'label' contains"),
        (lambda d: d.update(activity_types=5), "activity_types: must be a list"),
    ],
)
def test_a_commitments_file_with_a_bad_value_is_refused_naming_it(
    runner, app, tmp_path, change, named
):
    path = tmp_path / "loften.yaml"
    path.write_text(_bundled_with(change), encoding="utf-8")
    result = runner.invoke(args=["import-commitments", str(path)])
    assert result.exit_code == 1
    assert named in result.output and "nothing was written" in result.output
    assert db.session.scalar(select(func.count()).select_from(Promise)) == 0
