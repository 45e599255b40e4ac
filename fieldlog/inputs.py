"""The one reading of raw input values: whole numbers, ids and text (CONTRACT, "Robustness").

Plain functions, no Flask: the API's validation, the forms, the import, the
URL converter and the query-string helpers all call these, so that "what is
a whole number" and "which characters may a text hold" are decided once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l

# Ids are PostgreSQL ``integer`` columns: anything above does not exist.
ID_MAX = 2**31 - 1
# Enough digits for any value a column can hold; longer strings are refused before int().
_DIGITS = re.compile(r"[0-9]{1,18}")
_SIGNED_DIGITS = re.compile(r"[+-]?[0-9]{1,18}")
_MUNICIPALITY_CODE = re.compile(r"[0-9]{4}")

# Control characters (C0 but tab, newline and carriage return; DEL; C1), lone surrogates
# and the two non-characters XML cannot hold. Nothing a person types; PostgreSQL refuses
# NUL, and spreadsheets refuse most of the rest.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What a text may not hold: those, and a carriage return but before a newline (a browser
# ends a textarea's lines with CR LF; the contract allows newline and tab only).
_FORBIDDEN = re.compile(f"{_UNPRINTABLE.pattern}|\r(?!\n)")
REPLACEMENT = "\ufffd"
# Days far outside any agreement: a day before or after them is still a date.
EARLIEST_DAY, LATEST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)

NOT_A_WHOLE_NUMBER = _l("måste vara ett heltal skrivet med siffrorna 0–9.")
FORBIDDEN_CHARACTERS = _l("innehåller otillåtna tecken (styrtecken).")


def whole_number(
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    signed: bool = False,
) -> int | None:
    """``value`` as an int when it is one: an int (not a bool), or ASCII digits 0–9 in text.

    Nothing around the digits (a query's "+2026" arrives as " 2026"); a sign only
    when ``signed``. Anything else ("²", "١", "1.0", "1_000", a float, a list) and
    a number outside ``minimum``..``maximum`` is None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        if not (_SIGNED_DIGITS if signed else _DIGITS).fullmatch(value):
            return None
        number = int(value)
    else:
        return None
    if not signed and number < 0:
        return None
    if minimum is not None and number < minimum:
        return None
    if maximum is not None and number > maximum:
        return None
    return number


def record_id(value: Any) -> int | None:
    """An id (1..2^31-1) from text or an int, else None."""
    return whole_number(value, minimum=1, maximum=ID_MAX)


def is_municipality_code(value: Any) -> bool:
    """Whether ``value`` is a municipality code: four ASCII digits as text."""
    return isinstance(value, str) and _MUNICIPALITY_CODE.fullmatch(value) is not None


def is_reasonable_day(day: dt.date) -> bool:
    """Whether a date given for an agreement lies within 1900–2199 (days around it exist)."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def has_forbidden_characters(text: str) -> bool:
    """Whether a text holds a control character other than tab and newline, or cannot be stored.

    A carriage return counts only as part of a newline (browsers send a textarea's
    lines ending in CR LF); a lone one is refused.
    """
    return _FORBIDDEN.search(text) is not None


def stored_text(text: str) -> str | None:
    """``text`` as it is stored: a browser's CR LF line ends as newlines; None when it holds
    a character :func:`has_forbidden_characters` refuses."""
    if has_forbidden_characters(text):
        return None
    return text.replace("\r\n", "\n")


def printable(text: str) -> str:
    """``text`` with every character :func:`has_forbidden_characters` finds replaced by U+FFFD,
    but a carriage return (a CSV and a workbook hold it; the exports neutralise a cell that
    begins with one).

    For the exports: a value stored before this rule (or written into the
    database by other means) still makes a valid CSV and workbook.
    """
    return _UNPRINTABLE.sub(REPLACEMENT, text)
