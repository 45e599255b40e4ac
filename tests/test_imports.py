"""Importing commitment files: whole or nothing, idempotent, updating."""

import pytest
import yaml
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Commitment, Municipality, Promise

from .factories import BUNDLED


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_loads_the_bundled_commitments(runner):
    result = runner.invoke(args=["import-commitments", str(BUNDLED)])
    assert result.exit_code == 0, result.output
    assert count(Commitment) == 4
    assert count(Municipality) == 3
    arjeplog = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    assert arjeplog.yearly_target_in(2023) == 5
    assert arjeplog.activity_type.code == "fotpatrull"
    assert arjeplog.commitment.municipality.code == "2506"


def test_a_second_import_changes_nothing(runner):
    runner.invoke(args=["import-commitments", str(BUNDLED)])
    audits = count(AuditEvent)
    result = runner.invoke(args=["import-commitments", str(BUNDLED)])
    assert result.exit_code == 0
    assert "no changes" in result.output
    assert count(AuditEvent) == audits
    assert count(Promise) == 28


def test_a_changed_text_updates_the_promise(runner, tmp_path):
    runner.invoke(args=["import-commitments", str(BUNDLED)])
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"][0]["promises"][8]["text"] = "Minst 5 fotpatruller i centrala Arjeplog."
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["import-commitments", str(changed)])
    assert result.exit_code == 0
    assert "changed promise arjeplog-fotpatrull: text" in result.output
    db.session.expire_all()
    promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    assert promise.text == "Minst 5 fotpatruller i centrala Arjeplog."
    assert count(Promise) == 28


def test_a_bad_file_is_refused_whole_naming_the_field(runner, tmp_path):
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"][2]["promises"][1]["yearly_target"] = -3
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["import-commitments", str(bad)])
    assert result.exit_code == 1
    assert (
        "commitment alvsbyn-2023-2025, promise alvsbyn23-hundsok: field 'yearly_target'"
        in result.output
    )
    assert str(bad) in result.output
    assert count(Commitment) == 0
    assert count(Municipality) == 0


def test_valid_to_before_valid_from_is_refused(runner, tmp_path):
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"][3]["valid_to"] = "2023-01-01"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["import-commitments", str(bad)])
    assert result.exit_code == 1
    assert "commitment arboga-2024: field 'valid_to'" in result.output
    assert count(Commitment) == 0


def test_a_file_that_is_not_yaml_is_refused(runner, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("version: 1\ncommitments: [\n", encoding="utf-8")
    result = runner.invoke(args=["import-commitments", str(bad)])
    assert result.exit_code == 1
    assert "not valid YAML" in result.output


def with_valid_from(day: str) -> str:
    """The bundled file with its first commitment's valid_from written as ``day``, unquoted."""
    doc = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    doc["commitments"][0]["valid_from"] = "DAY"
    return yaml.safe_dump(doc, allow_unicode=True).replace("valid_from: DAY", f"valid_from: {day}")


@pytest.mark.parametrize("day", ["2025-02-29", "2026-13-01", "2026-04-31T10:00:00"])
def test_a_date_that_cannot_be_names_the_commitment_and_field(runner, tmp_path, day):
    bad = tmp_path / "bad.yaml"
    bad.write_text(with_valid_from(day), encoding="utf-8")
    result = runner.invoke(args=["import-commitments", str(bad)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "commitment arjeplog-2023-2024: field 'valid_from' must be a date" in result.output
    assert "Traceback" not in result.output
    assert count(Commitment) == 0
