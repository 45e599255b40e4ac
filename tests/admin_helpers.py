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


def stored_form(commitment, token: str) -> dict:
    """A stored commitment's form as the edit page shows it, posted back unchanged."""
    data = {
        "csrf_token": token,
        "municipality": [m.code for m in commitment.municipalities]
        or [commitment.municipality.code],
        "district": commitment.district or "",
        "title": commitment.title,
        "valid_from": commitment.valid_from.isoformat(),
        "valid_to": commitment.valid_to.isoformat(),
        "signatories": "\n".join(commitment.signatories),
        "signed_on": commitment.signed_on.isoformat() if commitment.signed_on else "",
    }
    if commitment.until_superseded:
        data["until_superseded"] = "y"
    # the form shows the target of the current year, moved into the years the commitment is
    # in force (one in force until superseded: up to this year)
    last = max(commitment.valid_to.year, THIS_YEAR if commitment.until_superseded else 0)
    year = min(max(THIS_YEAR, commitment.valid_from.year), last)
    for i, p in enumerate(commitment.promises):
        target = p.target_in(year)
        values = {
            "key": p.key,
            "area": p.area,
            "text": p.text,
            "owner": p.owner,
            "activity": p.activity_type.code if p.activity_type else "",
            "target_count": target.count if target else "",
            "target_per": target.per if target else "year",
            "target_from": str(year),
            "places": "\n".join(p.places or []),
            "place_hint": p.place_hint or "",
            "time_rule": p.time_rule or "",
        }
        if target is not None and target.each_place:
            values["each_place"] = "y"
        for name, value in values.items():
            data[f"promises-{i}-{name}"] = value
    return data
