"""Input checks at the edge of every request: ids in URLs, numbers in query strings, NUL.

* The ``int`` URL converter is replaced app-wide by one that takes ASCII digits
  only and ids 1..2^31-1 (the range of the id columns): any other value does not
  match the route, so it is a 404 before a query is made.
* :func:`int_arg` reads a whole number from the query string: absent → the
  default, malformed or out of range → 400 naming the argument.
* No text with NUL reaches the database (PostgreSQL refuses it): a path, query
  argument or form field holding one is answered 400 naming it. JSON bodies are
  checked field by field by their own validation, so one bad entry of a batch
  never fails the others.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from .inputs import ID_MAX, whole_number
from .labels import field_words


class IdConverter(IntegerConverter):
    """``<int:…>``: ASCII digits, 1..2^31-1 by default; anything else leaves the route unmatched."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def bad_request(message: str) -> BadRequest:
    """A 400 whose message (naming the field) the error handlers show."""
    exc = BadRequest()
    exc.fieldlog_message = message
    return exc


def int_arg(name: str, default: int, minimum: int = 1, maximum: int = ID_MAX, args=None) -> int:
    """The query argument ``name`` as a whole number in range; absent or empty → ``default``.

    ``args`` defaults to the request's. Raises a 400 naming the argument when it
    is not ASCII digits or is out of range.
    """
    raw = (request.args if args is None else args).get(name)
    if raw is None or raw.strip() == "":
        return default
    number = whole_number(raw, minimum=minimum, maximum=maximum)
    if number is None:
        message = _("%(name)s: ett heltal från %(a)d till %(b)d.", name=name, a=minimum, b=maximum)
        raise bad_request(message)
    return number


def _first_nul() -> tuple[str, bool] | None:
    """The name of the first part of the request holding NUL, and whether it is a form
    field; None when there is none."""
    if "\x00" in request.path:
        return "path", False
    sources = [request.args] if request.query_string else []  # none: nothing to parse
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.is_json:
        sources.append(request.form)
    for source in sources:
        for name, values in source.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", ""), source is request.form
    return None


def refuse_nul() -> None:
    """Answer 400 naming the field when a path, query argument or form field holds NUL.

    A form field is named by its label (``labels.field_words``: "Anteckningar"), and the
    person told to go back, where the browser keeps what they typed."""
    found = _first_nul()
    if found is None:
        return
    name, in_form = found
    if in_form:
        raise bad_request(
            _(
                "%(name)s: innehåller otillåtna tecken (styrtecken). Gå tillbaka och ta bort dem.",
                name=field_words(name),
            )
        )
    raise bad_request(_("%(name)s: innehåller otillåtna tecken (styrtecken).", name=name))


def register(app: Flask) -> None:
    """Install the bounded id converter (before any route is added) and the NUL guard."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul)
