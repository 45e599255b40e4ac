"""Helpers of the admin tests: filling the commitment form as a browser would post it."""

from __future__ import annotations

from .factories import TODAY, csrf_from

THIS_YEAR = TODAY.year
# A period around the tests' today, so that the new commitment is the one in force on it.
VALID_FROM = f"{THIS_YEAR - 1}-01-01"
VALID_TO = f"{THIS_YEAR + 1}-12-31"

THREE_PROMISES = [
    {
        "text": "Minst 12 fotpatruller per år i centrala Arjeplog.",
        "area": "Trygghet",
        "owner": "polisen",
        "activity": "fotpatrull",
        "yearly_target": "12",
    },
    {
        "text": "Minst 6 trafikkontroller per år vid skolor.",
        "area": "Trafik",
        "owner": "polisen",
        "activity": "trafikkontroll",
        "yearly_target": "6",
    },
    {
        "text": "Kommunen bjuder in till medborgardialog.",
        "area": "Dialog",
        "owner": "kommunen",
        "activity": "",
        "yearly_target": "",
    },
]


def commitment_form(client, url: str, promises=None, **fields) -> dict:
    """The form data of a new commitment in Arjeplog around today, with the page's CSRF token.

    A promise's ``yearly_target`` is posted as the form's target count per year."""
    data = {
        "csrf_token": csrf_from(client.get(url)),
        "municipality": "2506",
        "key": "",
        "title": "Nya medborgarlöften Arjeplog",
        "valid_from": VALID_FROM,
        "valid_to": VALID_TO,
        "signatories": "Kommunalråd\nLokalpolisområdeschef",
        **fields,
    }
    for i, p in enumerate(THREE_PROMISES if promises is None else promises):
        p = dict(p)
        if "yearly_target" in p:  # v1's words: a target per year
            p.setdefault("target_count", p.pop("yearly_target"))
        row = {
            "key": "",
            "area": "",
            "text": "",
            "owner": "polisen",
            "activity": "",
            "target_count": "",
            "target_per": "year",
            "place_hint": "",
            "places": "",
            "time_rule": "",
            **p,
        }
        for name, value in row.items():
            data[f"promises-{i}-{name}"] = value
    return data
