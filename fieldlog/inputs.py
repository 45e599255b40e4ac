"""The one reading of raw input values: whole numbers, ids and text (CONTRACT, "Robustness").

Plain functions, no Flask: the API's validation, the forms, the import, the
URL converter and the query-string helpers all call these, so that "what is
a whole number" and "which characters may a text hold" are decided once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Ids are PostgreSQL ``integer`` columns: anything above does not exist.
ID_MAX = 2**31 - 1
# Enough digits for any value a column can hold; longer strings are refused before int().
MOST_DIGITS = 18
_DIGITS = re.compile(r"[0-9]{1,18}")
_SIGNED_DIGITS = re.compile(r"[+-]?[0-9]{1,18}")
# A number written in digits, of any length: told its range when it is out of it.
_WRITTEN = re.compile(r"([+-]?)([0-9]+)")
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
NUMBER_AS_TEXT = _l("måste skickas som ett tal, inte som text.")
FORBIDDEN_CHARACTERS = _l("innehåller otillåtna tecken (styrtecken).")


def whole_number(
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    signed: bool = False,
    text: bool = True,
) -> int | None:
    """``value`` as an int when it is one: an int (not a bool), or ASCII digits 0–9 in text.

    Nothing around the digits (a query's "+2026" arrives as " 2026"); a sign only
    when ``signed``; text not at all unless ``text`` (JSON, where the phone sends
    numbers). Anything else ("²", "١", "1.0", "1_000", a float, a list) and a
    number outside ``minimum``..``maximum`` is None; :func:`whole_number_problem`
    says why.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and text:
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


def _written_number(value: Any) -> int | None:
    """The number ``value`` writes in ASCII digits, whatever its range, sign or spaces around
    it; None when it writes none. A number longer than any column is read as 10^18."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    found = _WRITTEN.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        return None
    sign, digits = found.groups()
    number = int(digits) if len(digits) <= MOST_DIGITS else 10**MOST_DIGITS
    return -number if sign == "-" else number


def whole_number_problem(
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    signed: bool = False,
    text: bool = True,
) -> str | None:
    """Why :func:`whole_number` with the same arguments refuses ``value``, in words that
    follow a field's name; None when it takes it.

    A number written in digits is told the range it lies outside of ("måste vara ett
    heltal mellan 1 och 1 000."; below it, with a minus sign too: "måste vara 1 eller
    mer."), a number in range sent as text where only numbers are read that it must be
    sent as a number, and anything else that it must be written with the digits 0–9.
    """
    if whole_number(value, minimum=minimum, maximum=maximum, signed=signed, text=text) is not None:
        return None
    number = _written_number(value)
    if number is None:
        return str(NOT_A_WHOLE_NUMBER)
    least = minimum if minimum is not None or signed else 0
    if least is not None and number < least:
        return _("måste vara %(least)s eller mer.", least=format_decimal(least))
    if maximum is not None and number > maximum:
        if least is None:
            return _("får vara högst %(most)s.", most=format_decimal(maximum))
        return _(
            "måste vara ett heltal mellan %(least)s och %(most)s.",
            least=format_decimal(least),
            most=format_decimal(maximum),
        )
    if isinstance(value, str) and not text:
        return str(NUMBER_AS_TEXT)
    return str(NOT_A_WHOLE_NUMBER)  # in range, but with spaces around it or a sign


def number_from_form(value: Any) -> Any:
    """A posted form's number field as the phone's script sends it (``logform.js``'s
    ``number``): an int when it is ASCII digits, spaces around allowed; else as posted,
    for the validation to name."""
    if isinstance(value, str):
        number = whole_number(value.strip())
        if number is not None:
            return number
    return value


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
