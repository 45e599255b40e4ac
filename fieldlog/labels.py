"""Words shown for the domain's states, once for every page, export and message that uses them."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .models import Entry, User
from .rules.counting import OBEKVAM_TID

ROLE_WORDS = {
    "officer": _l("Polis"),
    "supervisor": _l("Gruppchef"),
    "coordinator": _l("Samordnare"),
    "admin": _l("Administratör"),
    "municipal": _l("Kommunens personal"),
}


def outside_window_reason(time_rule: str | None) -> str:
    """Why an entry whose start lies outside its promise's time rule does not count."""
    if time_rule == OBEKVAM_TID:
        return _(
            "Räknas inte: löftet gäller insatser på obekväm tid (vardagar före 07 eller från 19, "
            "helger och helgdagar), och starttiden ligger utanför den."
        )
    return _("Räknas inte: starttiden ligger utanför löftets tider.")


def outside_window_short(time_rule: str | None) -> str:
    """A few words beside an approved entry that does not count (lists and tables)."""
    if time_rule == OBEKVAM_TID:
        return _("inte obekväm tid")
    return _("utanför löftets tider")


def window_reason_of(entry: Entry) -> str | None:
    """Why a stored entry does not count even when approved (its stored window flag), or None."""
    if entry.in_window:
        return None
    return outside_window_reason(entry.promise.time_rule)


def person_name(user: User | None) -> str:
    """Who logged or reviewed an entry, as shown; nobody once retention removed them."""
    if user is None:
        return _("borttagen (gallring)")
    return user.display_name or user.username
