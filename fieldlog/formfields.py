"""WTForms pieces the blueprints' forms share: their base classes and the words of WTForms'
own messages, the one whole-number reading and the text rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_catalogue
from wtforms import Form, IntegerField
from wtforms.validators import ValidationError

from .inputs import (
    FORBIDDEN_CHARACTERS,
    NOT_A_WHOLE_NUMBER,
    stored_text,
    whole_number,
    whole_number_problem,
)

# WTForms' messages that its Swedish catalogue words badly or not at all ("Felaktigt val;
# kunde inte ceorce:a"), in ours; the rest of its messages from its catalogue.
CHOOSE_FROM_THE_LIST = _l("Välj ett av alternativen i listan.")
OWN_WORDS = {
    "Not a valid choice.": CHOOSE_FROM_THE_LIST,
    "Invalid Choice: could not coerce.": CHOOSE_FROM_THE_LIST,
    "Invalid choice(s): one or more data inputs could not be coerced.": CHOOSE_FROM_THE_LIST,
}


class Translations:
    """What a form's messages say in the request's language: :data:`OWN_WORDS`, else
    WTForms' own catalogue (through Flask-WTF, in Flask-Babel's locale)."""

    def gettext(self, string: str) -> str:
        own = OWN_WORDS.get(string)
        return str(own) if own is not None else wtforms_catalogue.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return wtforms_catalogue.ngettext(singular, plural, n)


TRANSLATIONS = Translations()


class FieldlogForm(FlaskForm):
    """A form of the app's pages: CSRF from Flask-WTF, messages in the request's language."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS


class SubForm(Form):
    """A form within a :class:`FieldlogForm` (a FieldList's rows), in the same language."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS


class WholeNumberField(IntegerField):
    """An integer field that reads ASCII digits 0–9 only (``inputs.whole_number``), within
    ``minimum``..``maximum``.

    WTForms' own field takes whatever ``int()`` takes ("١", "1_000", " 12 ");
    anything this one cannot read, or out of its range, leaves ``data`` None and puts
    the reason on the field (``inputs.whole_number_problem``: digits out of range are
    told the range, a minus sign the least value).
    """

    def __init__(self, *args, minimum: int = 0, maximum: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist:
            return
        raw = valuelist[0]
        if raw is None or str(raw).strip() == "":
            self.data = None
            return
        raw = str(raw).strip()  # a person's stray space is no error
        self.data = whole_number(raw, minimum=self.minimum, maximum=self.maximum)
        if self.data is None:
            raise ValueError(whole_number_problem(raw, minimum=self.minimum, maximum=self.maximum))


def whole_number_choice(value) -> int:
    """A SelectField's ``coerce`` for numeric choices, read as every whole number is."""
    number = whole_number(value)
    if number is None:
        raise ValueError(str(NOT_A_WHOLE_NUMBER))
    return number


class PlainText:
    """A text field's value holds no control character but tab and newline, and a browser's
    CR LF line ends are read as newlines (``inputs.stored_text``)."""

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, str):
            return
        text = stored_text(field.data)
        if text is None:
            raise ValidationError(str(FORBIDDEN_CHARACTERS))
        field.data = text
