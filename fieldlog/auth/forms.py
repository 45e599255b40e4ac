"""Forms of the auth blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..formfields import FieldlogForm, PlainText


class LoginForm(FieldlogForm):
    """Username and password."""

    username = StringField(
        _l("Användarnamn"), validators=[DataRequired(), Length(max=80), PlainText()]
    )
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FieldlogForm):
    """A user changes their own password."""

    current = PasswordField(_l("Nuvarande lösenord"), validators=[DataRequired()])
    new = PasswordField(_l("Nytt lösenord"), validators=[DataRequired(), Length(min=8, max=200)])
    repeat = PasswordField(
        _l("Nytt lösenord igen"),
        validators=[DataRequired(), EqualTo("new", message=_l("Lösenorden skiljer sig."))],
    )
