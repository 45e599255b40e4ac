"""Turning the import's problems (English, one rule set) into field messages for the forms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

_WHERE = re.compile(
    r"^(?:commitment (?P<c>.+?)(?:, promise (?P<p>.+?))?|activity type (?P<a>.+?))"
    r": field '(?P<field>\w+)' (?P<rest>.*)$"
)

# The import's wording of each rule, and how a form says it in Swedish.
_MESSAGES = (
    ("is required text", _l("måste fyllas i.")),
    ("is used twice", _l("används två gånger.")),
    ("is not a known municipality code", _l("är ingen känd kommun.")),
    ("must be a date", _l("måste vara ett datum (ÅÅÅÅ-MM-DD).")),
    ("is before valid_from", _l("får inte vara före startdatumet.")),
    ("must be true or false", _l("måste vara ja eller nej.")),
    ("must be a list of names", _l("måste vara en lista med namn, en per rad.")),
    ("must be a non-empty list", _l("minst ett löfte behövs.")),
    ("must be one of", _l("måste vara polisen, kommunen eller gemensamt.")),
    ("is not a known activity code", _l("är ingen känd aktivitetstyp.")),
    ("must be a whole number", _l("måste vara ett heltal, minst 1, eller tomt.")),
    ("must be obekvam_tid", _l("måste vara obekväm tid eller ingen regel.")),
    ("must be text", _l("måste vara text.")),
    ("contains control characters", _l("innehåller otillåtna tecken (styrtecken).")),
    ("is longer than", _l("är för lång.")),
    ("must be at most", _l("är för stort.")),
)


@dataclass
class Problem:
    """One refused field: ``row`` is a promise's row in the form (None: the commitment's own)."""

    field: str
    message: str
    row: int | None = None


class ProblemsError(Exception):
    """A change refused whole; ``problems`` name each field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def swedish(rest: str) -> str:
    """The form's wording of one of the import's rules."""
    for english, message in _MESSAGES:
        if rest.startswith(english):
            return str(message)
    return rest


def from_import(problems: list[str], promise_keys: list[str]) -> list[Problem]:
    """Map the import's problem lines to form fields; ``promise_keys`` are the rows in order."""
    found = []
    for line in problems:
        match = _WHERE.match(line)
        if match is None:
            found.append(Problem("", line))
            continue
        row = None
        if match["p"]:
            row = _row_of(match["p"], match["rest"], promise_keys)
        found.append(Problem(match["field"], swedish(match["rest"]), row))
    return found


def _row_of(where: str, rest: str, keys: list[str]) -> int | None:
    if where.startswith("#") and where[1:].isdigit():
        return int(where[1:]) - 1
    rows = [i for i, k in enumerate(keys) if k == where]
    if not rows:
        return None
    # "used twice" is said of the later row; everything else of the first.
    return rows[-1] if rest.startswith("is used twice") else rows[0]


def swedish_line(line: str) -> str:
    """One of the import's problem lines in the form's words, still naming where and the field."""
    match = _WHERE.match(line)
    if match is None:
        return line
    if match["a"]:
        where = _l("aktivitetstyp %(key)s", key=match["a"])
    elif match["p"]:
        where = _l("medborgarlöfte %(c)s, löfte %(p)s", c=match["c"], p=match["p"])
    else:
        where = _l("medborgarlöfte %(c)s", c=match["c"])
    return f"{where}, {match['field']}: {swedish(match['rest'])}"
