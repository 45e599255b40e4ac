"""Forms of the admin blueprint: commitments and promises, uploads, activity types, accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..formfields import FieldlogForm, PlainText, SubForm, WholeNumberField, whole_number_choice
from ..inputs import EARLIEST_DAY, LATEST_DAY
from ..labels import ROLE_WORDS
from ..services.import_rules import MOST_PER_YEAR

try:  # WTForms 3.3 wants SelectChoice; older versions take (value, label) pairs
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover

    def SelectChoice(value, label):  # noqa: N802
        return (value, label)


def choices(pairs) -> list:
    """Select options from (value, label) pairs, in the form this WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


KEY = Regexp(r"^[a-z0-9][a-z0-9_-]*\Z", message=_l("Bara små bokstäver a–z, siffror, - och _."))


def owner_choices() -> list:
    """Who carries out a promise."""
    return choices(
        [("polisen", _l("Polisen")), ("kommunen", _l("Kommunen")), ("gemensamt", _l("Gemensamt"))]
    )


def time_rule_choices(windows=()) -> list:
    """The time rules a promise may have: none, obekväm tid and every stored time window."""
    return choices(
        [("", _l("Ingen – alla tider räknas")), ("obekvam_tid", _l("Bara obekväm tid"))]
        + [(w.code, w.label) for w in windows]
    )


# How often a target's count is due (CONTRACT.md, Version 2, ``target.per``).
PER_WORDS = {
    "year": _l("per år"),
    "tertial": _l("per tertial"),
    "quarter": _l("per kvartal"),
    "month": _l("per månad"),
    "week": _l("per vecka"),
    "period": _l("under hela perioden"),
}


DAY_WORDS = {
    "mon": _l("måndag"),
    "tue": _l("tisdag"),
    "wed": _l("onsdag"),
    "thu": _l("torsdag"),
    "fri": _l("fredag"),
    "sat": _l("lördag"),
    "sun": _l("söndag"),
}


def per_choices() -> list:
    """The periods a target may be counted per."""
    return choices(PER_WORDS.items())


def lines(text: str | None) -> list[str]:
    """A text area's non-empty lines, trimmed (signatories, places)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (better on a phone than a multiple select). A value
    that is no choice is left to the service's rules, which name it in Swedish."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class PromiseForm(SubForm):
    """One promise row of a commitment (a sub-form: the commitment form carries the CSRF token)."""

    key = StringField(
        _l("Nyckel"),
        validators=[Optional(), Length(max=80), KEY],
        description=_l("Lämna tom så skapas en."),
    )
    area = StringField(_l("Område"), validators=[Length(max=200), PlainText()])
    text = TextAreaField(_l("Löftets text"), validators=[Length(max=4000), PlainText()])
    owner = SelectField(_l("Ansvarig"), choices=owner_choices())
    activity = SelectField(_l("Aktivitet"), choices=[])
    target_count = WholeNumberField(
        _l("Mål, antal"),
        minimum=1,
        maximum=MOST_PER_YEAR,
        validators=[Optional()],
        description=_l("Tom: inget mål."),
    )
    # the import's rules judge these choices (and name a bad one in Swedish)
    target_per = SelectField(
        _l("Mål per"), choices=per_choices(), default="year", validate_choice=False
    )
    target_from = WholeNumberField(
        _l("Ett ändrat mål gäller från år"),
        minimum=EARLIEST_DAY.year,
        maximum=LATEST_DAY.year,
        validators=[Optional()],
        description=_l("Tidigare år behåller sitt mål."),
    )
    places = TextAreaField(
        _l("Platser"),
        validators=[PlainText()],
        description=_l("En per rad. Tom: var som helst. En post anger då en av platserna."),
    )
    each_place = BooleanField(_l("Målet gäller för varje plats"))
    place_hint = StringField(_l("Plats (fritext)"), validators=[Length(max=200), PlainText()])
    time_rule = SelectField(_l("Tidsregel"), choices=time_rule_choices(), validate_choice=False)
    remove = BooleanField(_l("Ta bort löftet (bara om inga poster är loggade mot det)"))

    def is_blank(self) -> bool:
        """Whether the row was left empty (an unused slot)."""
        texts = (
            self.key.data,
            self.area.data,
            self.text.data,
            self.place_hint.data,
            self.places.data,
            (self.target_count.raw_data or [""])[0],
        )
        return not any((t or "").strip() for t in texts)


class CommitmentForm(FieldlogForm):
    """A commitment of one municipality (or a joint one of several) and its promises."""

    key = StringField(
        _l("Nyckel"),
        validators=[Optional(), Length(max=80), KEY],
        description=_l("Lämna tom så skapas en av kommun och år."),
    )
    # Posted as ``municipality`` (one value per municipality) so that v1-shaped posts still fit.
    municipality = CheckboxesField(
        _l("Kommun"),
        choices=[],
        description=_l("Välj flera kommuner i samma polisområde för ett gemensamt medborgarlöfte."),
    )
    district = StringField(
        _l("Del av kommunen"),
        validators=[Length(max=120), PlainText()],
        description=_l("Till exempel Centrum. Tom: hela kommunen. Bara för en enda kommun."),
    )
    title = StringField(_l("Titel"), validators=[Length(max=300), PlainText()])
    valid_from = DateField(_l("Gäller från"), validators=[Optional()])
    valid_to = DateField(_l("Gäller till"), validators=[Optional()])
    until_superseded = BooleanField(_l("Gäller tills ett nytt medborgarlöfte börjar"))
    signed_on = DateField(_l("Undertecknat"), validators=[Optional()])
    signatories = TextAreaField(
        _l("Undertecknare"), validators=[PlainText()], description=_l("En per rad.")
    )
    promises = FieldList(FormField(PromiseForm), min_entries=0)


class EndForm(FieldlogForm):
    """End a commitment early, or mark it superseded by a later one."""

    last_day = DateField(_l("Sista dag"), validators=[Optional()])
    successor = SelectField(_l("Ersätts av"), coerce=whole_number_choice, choices=[])


class UploadForm(FieldlogForm):
    """A commitments file to preview."""

    file = FileField(
        _l("Fil med medborgarlöften (YAML)"),
        validators=[
            FileRequired(_l("Välj en fil.")),
            FileAllowed(["yaml", "yml"], _l("Filen ska vara en .yaml-fil.")),
        ],
    )


class ApplyForm(FieldlogForm):
    """The previewed file, signed, to apply."""

    payload = HiddenField(validators=[DataRequired()])


class ActivityTypeForm(FieldlogForm):
    """An activity type: its labels, counts and usual length."""

    code = StringField(_l("Kod"), validators=[Optional(), Length(max=40), KEY])
    label = StringField(_l("Namn på svenska"), validators=[Length(max=120), PlainText()])
    label_en = StringField(_l("Namn på engelska"), validators=[Length(max=120), PlainText()])
    metrics = StringField(
        _l("Mått"),
        validators=[PlainText()],
        description=_l("Namn på det som räknas, åtskilda med komma."),
    )
    metric_labels = TextAreaField(
        _l("Måttens namn på svenska"),
        validators=[PlainText()],
        description=_l("En per rad: mått: namn på svenska. Ett mått utan rad heter som måttet."),
    )
    default_minutes = WholeNumberField(
        _l("Vanlig längd i minuter"),
        default=60,
        minimum=1,
        maximum=24 * 60,
        validators=[InputRequired()],
    )


class TimeWindowForm(FieldlogForm):
    """A named time window promises may count in (days, from, to, holidays)."""

    code = StringField(_l("Kod"), validators=[Optional(), Length(max=40), KEY])
    label = StringField(_l("Namn på svenska"), validators=[Length(max=120), PlainText()])
    label_en = StringField(_l("Namn på engelska"), validators=[Length(max=120), PlainText()])
    days = CheckboxesField(_l("Dagar"), choices=choices(DAY_WORDS.items()))
    starts = StringField(
        _l("Från klockan"), validators=[Length(max=5)], description=_l("TT:MM, till exempel 18:00.")
    )
    ends = StringField(
        _l("Till klockan"),
        validators=[Length(max=5)],
        description=_l("Före från-tiden: fönstret går över midnatt. Samma tid: hela dygnet."),
    )
    holidays = BooleanField(_l("Helgdagar och helgaftnar hela dygnet"))


class UserForm(FieldlogForm):
    """An account's name, role and police area."""

    display_name = StringField(_l("Namn"), validators=[Length(max=120), PlainText()])
    role = SelectField(_l("Roll"), choices=[])
    area = SelectField(_l("Polisområde"), coerce=whole_number_choice, choices=[])


class NewUserForm(UserForm):
    """A new account."""

    username = StringField(
        _l("Användarnamn"), validators=[DataRequired(), Length(max=80), PlainText()]
    )
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(), Length(min=8, max=200)])


class ResetPasswordForm(FieldlogForm):
    """A new password set by an admin."""

    password = PasswordField(
        _l("Nytt lösenord"), validators=[DataRequired(), Length(min=8, max=200)]
    )


class TokenForm(FieldlogForm):
    """A new API token's label."""

    label = StringField(_l("Vad token används till"), validators=[Length(max=120), PlainText()])


class ActionForm(FieldlogForm):
    """A button that changes something (deactivate, reactivate, revoke): only the CSRF token."""


def role_choices() -> list:
    """The roles with their Swedish names."""
    # Municipal staff are created on the command line (users create --role municipal).
    return choices(
        [(role, ROLE_WORDS[role]) for role in ("officer", "supervisor", "coordinator", "admin")]
    )
