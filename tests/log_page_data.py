"""Agreements of Version 2 in force on the tests' fixed day, for the log page's tests: a joint
agreement of two municipalities and a district of one of them with places and a weekly target."""

from __future__ import annotations

from pathlib import Path

from fieldlog.services.imports import import_commitments

from .factories import make_user

AREA = "Kustbygden"
JOINT_AND_DISTRICT = """\
version: 2
activity_types:
  - {code: fotpatrull, label: Fotpatrull, label_en: Foot patrol, metrics: [contacts]}
  - code: trafikkontroll
    label: Trafikkontroll
    label_en: Traffic control
    metrics: [vehicles_checked, breath_tests, fines, reports]
  - {code: information, label: Informationsinsats, label_en: Information effort, metrics: []}
police_areas:
  - name: Kustbygden
    municipalities:
      - {code: "9001", name: Norrby}
      - {code: "9002", name: Söderby}
commitments:
  - key: kust-2026
    municipalities: ["9001", "9002"]
    title: Medborgarlöfte Norrby och Söderby 2026
    valid_from: 2026-01-01
    valid_to: 2026-12-31
    promises:
      - key: kust-trafik
        area: Trafik
        text: Polisen genomför minst 12 trafikkontroller om året i de båda kommunerna.
        owner: polisen
        activity: trafikkontroll
        target: {count: 12, per: year}
      - key: kust-info
        area: Information
        text: Kommunerna informerar om brottsförebyggande arbete.
        owner: kommunen
        activity: information
  - key: norrby-centrum-2026
    municipalities: ["9001"]
    district: Centrum
    title: Medborgarlöfte Norrby centrum 2026
    valid_from: 2026-01-01
    valid_to: 2026-12-31
    until_superseded: true
    promises:
      - key: norrby-fotpatrull
        area: Trygghet i centrum
        text: Polisen fotpatrullerar minst två gånger i veckan på Torget och i Hamnen.
        owner: polisen
        activity: fotpatrull
        target: {count: 2, per: week}
        places: [Torget, Hamnen]
"""


def import_joint_and_district(tmp_path: Path) -> dict:
    """Import the agreements and make an officer and a supervisor of their police area."""
    path = tmp_path / "kust.yaml"
    path.write_text(JOINT_AND_DISTRICT, encoding="utf-8")
    import_commitments(path)
    return {
        "kust_officer": make_user("kust_officer", "officer", AREA),
        "kust_supervisor": make_user("kust_supervisor", "supervisor", AREA),
    }
