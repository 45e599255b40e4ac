"""The words the phone's scripts show: one small script per language, kept by the browser and
the service worker, instead of a copy in every page."""

from __future__ import annotations

import hashlib
import json

from flask import Response, abort, current_app, url_for
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _

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


def texts_script(lang: str) -> tuple[bytes, str]:
    """The script that hands ``lang``'s words to outbox.js and logform.js, and its version."""
    cache = current_app.extensions.setdefault("fieldlog_texts", {})
    if lang not in cache:
        with force_locale(lang):
            words = json.dumps(outbox_texts(), ensure_ascii=False, sort_keys=True)
        body = f"window.FieldlogText = {words};\n".encode()
        cache[lang] = body, hashlib.sha256(body).hexdigest()[:12]
    return cache[lang]


@bp.app_template_global()
def texts_url() -> str:
    """The address of the words in the page's language; it changes when they do."""
    lang = str(get_locale())
    return url_for("logging.texts", lang=lang, v=texts_script(lang)[1])


@bp.route("/texts/<lang>.js")
def texts(lang: str):
    """The scripts' words in one language: the same for everyone, cached for a year."""
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    body, _version = texts_script(lang)
    response = Response(body, mimetype="text/javascript")
    # Pages ask for it with ?v=<version>: new words come under a new address.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
