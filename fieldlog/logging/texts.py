"""The words the phone's scripts show, rendered once per page in the interface language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from .formdata import field_labels
from .views import bp

# A count goes to the script as [the form for one, the form for many], with "{n}" where the
# number goes: Swedish and English both have just these two forms.
ONE_MANY = (1, 2)


@bp.app_template_global()
def outbox_texts() -> dict:
    """Every message outbox.js and logform.js show; counts as [one, many]."""
    return {
        "unsent": [ngettext("%(n)s ej skickad", "%(n)s ej skickade", n, n="{n}") for n in ONE_MANY],
        "all_sent": _("Alla poster är skickade"),
        "last_sync": _("senast skickat %(t)s", t="{t}"),
        "never": _("inget skickat från den här telefonen än"),
        "offline": _("Ingen förbindelse. Nytt försök om %(s)s s.", s="{s}"),
        "login": _("Du är utloggad. Logga in igen så skickas posterna."),
        "sending": _("Skickar …"),
        "saved_local": _("Sparad i telefonen. Den skickas när det finns täckning."),
        "saved_sent": _("Sparad och skickad. Den väntar på granskning."),
        "saved_refused": _("Sparad i telefonen, men servern tog inte emot den. Rätta den nedan."),
        "refused_title": _("Servern tog inte emot posten. Rätta och spara igen:"),
        "states": {
            "new": _("Väntar på täckning"),
            "conflict": _("Konflikt"),
            "invalid": _("Ogiltig"),
            "refused": _("Inte mottagen"),
        },
        "fix": _("Rätta"),
        "resend": _("Spara och skicka igen"),
        "remove": _("Ta bort"),
        "remove_confirm": _("Ta bort posten från telefonen? Den skickas då aldrig."),
        "logout_confirm": [
            ngettext(
                "%(n)s post är inte skickad. Den sparas i telefonen och skickas när du loggar "
                "in igen. Logga ut ändå?",
                "%(n)s poster är inte skickade. De sparas i telefonen och skickas när du "
                "loggar in igen. Logga ut ändå?",
                n,
                n="{n}",
            )
            for n in ONE_MANY
        ],
        "position_wait": _("Hämtar position …"),
        "position_ok": _("Position sparad."),
        "position_fail": _("Kunde inte hämta position."),
        "fields": field_labels(),
    }
