"""WTForms pieces the blueprints' forms share: the one whole-number reading and the text rule."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import ValidationError

from .inputs import FORBIDDEN_CHARACTERS, NOT_A_WHOLE_NUMBER, has_forbidden_characters, whole_number


class WholeNumberField(IntegerField):
    """An integer field that reads ASCII digits 0–9 only (``inputs.whole_number``).

    WTForms' own field takes whatever ``int()`` takes ("١", "1_000", " 12 ");
    anything this one cannot read leaves ``data`` None and puts the reason on
    the field. Ranges are the validators' (NumberRange) or the service's.
    """

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist:
            return
        raw = valuelist[0]
        if raw is None or str(raw).strip() == "":
            self.data = None
            return
        self.data = whole_number(raw)
        if self.data is None:
            raise ValueError(str(NOT_A_WHOLE_NUMBER))


def whole_number_choice(value) -> int:
    """A SelectField's ``coerce`` for numeric choices, read as every whole number is."""
    number = whole_number(value)
    if number is None:
        raise ValueError(str(NOT_A_WHOLE_NUMBER))
    return number


class PlainText:
    """A text field's value holds no control character but tab and newline (``inputs``' rule)."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and has_forbidden_characters(field.data):
            raise ValidationError(str(FORBIDDEN_CHARACTERS))
