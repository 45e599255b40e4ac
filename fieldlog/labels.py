"""Words shown for the domain's states, once for every page, export and message that uses them."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .models import ActivityType, Entry, Promise, User
from .rules.counting import OBEKVAM_TID
from .target_words import metric

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


def activity_name(promise: Promise) -> str:
    """The activity a promise counts, in the interface language; a dash for none."""
    activity = promise.activity_type
    if activity is None:
        return "–"
    return activity.label_en if str(get_locale()) == "en" and activity.label_en else activity.label


def field_message(label: str, message: str) -> str:
    """A refused field's message after its label ("Starttid: Starttiden ligger …"), unless
    the message already begins with it ("Antal poliser måste vara 1 eller mer.")."""
    return message if message.startswith(label) else f"{label}: {message}"


def officers_words(user: User | None) -> str:
    """The count of people an entry names, as its author's role reads it: "Antal
    medarbetare" for the municipalities' own staff, else "Antal poliser"."""
    if getattr(user, "role", None) == "municipal":
        return _("Antal medarbetare")
    return _("Antal poliser")


def metric_words(activity: ActivityType | None, name: str) -> str:
    """A metric of an activity type in words: the Swedish label the type gives it, else the
    known word in the interface language, else the name (``target_words.metric``). Every
    page, message and export names a metric through this or ``target_words.metric``."""
    return metric(name, activity.metric_label(name) if activity is not None else None)


def promise_title(promise: Promise) -> str:
    """A promise in a few words: its activity and where it is kept (its place hint or places)."""
    place = promise.place_hint or ", ".join(getattr(promise, "places", None) or [])
    return f"{activity_name(promise)} · {place}" if place else activity_name(promise)


def excerpt(text: str, limit: int = 60) -> str:
    """The start of a text, cut at a word."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def promise_excerpt(promise: Promise, limit: int = 60) -> str:
    """The start of a promise's text, for telling two alike titles apart."""
    return excerpt(promise.text, limit)


# The audit log's events, fields and stored values in words (pages, exports, history).
ACTION_WORDS = {
    "entry.created": _l("Post skapad"),
    "entry.edited": _l("Post ändrad"),
    "entry.resent": _l("Post skickad igen efter avslag"),
    "entry.withdrawn": _l("Post återkallad"),
    "entry.approved": _l("Post godkänd"),
    "entry.rejected": _l("Post avslagen"),
    "entry.corrected": _l("Post rättad"),
    "entry.review_undone": _l("Granskning ångrad"),
    "commitments.imported": _l("Medborgarlöften importerade"),
    "commitment.created": _l("Medborgarlöfte skapat"),
    "commitment.changed": _l("Medborgarlöfte ändrat"),
    "commitment.ended": _l("Medborgarlöfte avslutat"),
    "commitment.superseded": _l("Medborgarlöfte ersatt av ett nytt"),
    "promise.changed": _l("Löfte ändrat"),
    "promise.removed": _l("Löfte borttaget"),
    "promise.moved": _l("Löfte flyttat till ett annat medborgarlöfte"),
    "follow_up.recorded": _l("Uppföljning av löfte sparad"),
    "activity_type.created": _l("Aktivitet skapad"),
    "activity_type.changed": _l("Aktivitet ändrad"),
    "time_window.created": _l("Tidsfönster skapat"),
    "time_window.changed": _l("Tidsfönster ändrat"),
    "user.created": _l("Användare skapad"),
    "user.changed": _l("Användare ändrad"),
    "user.deactivated": _l("Användare avstängd"),
    "user.reactivated": _l("Användare återaktiverad"),
    "password.reset": _l("Lösenord återställt"),
    "password.changed": _l("Lösenord bytt"),
    "token.issued": _l("API-nyckel utfärdad"),
    "token.revoked": _l("API-nyckel återkallad"),
    "login": _l("Inloggning"),
    "login.failed": _l("Misslyckad inloggning"),
    "logout": _l("Utloggning"),
    "export": _l("Export"),
    "retention.applied": _l("Personuppgifter gallrade"),
    "backup.made": _l("Säkerhetskopia tagen"),
    "tally.rebuilt": _l("Uppföljningen räknad om"),
}

FIELD_WORDS = {
    "status": _l("Status"),
    "promise": _l("Löfte"),
    "started_at": _l("Start"),
    "ended_at": _l("Slut"),
    "place": _l("Plats"),
    "officers": _l("Poliser"),
    "metrics": _l("Mått"),
    "notes": _l("Anteckningar"),
    "review_comment": _l("Kommentar"),
    "reason": _l("Skäl"),
    "key": _l("Nyckel"),
    "municipality": _l("Kommun"),
    "title": _l("Rubrik"),
    "valid_from": _l("Gäller från"),
    "valid_to": _l("Gäller till"),
    "until_superseded": _l("Gäller tills ett nytt tecknas"),
    "signed_on": _l("Undertecknat"),
    "signatories": _l("Undertecknare"),
    "promises": _l("Löften"),
    "area": _l("Område"),
    "text": _l("Text"),
    "owner": _l("Ansvarig"),
    "activity": _l("Aktivitet"),
    "yearly_target": _l("Mål per år"),
    "targets": _l("Mål"),
    "place_hint": _l("Plats (tips)"),
    "places": _l("Platser"),
    "time_rule": _l("Tider"),
    "year": _l("År"),
    "state": _l("Läge"),
    "username": _l("Användarnamn"),
    "display_name": _l("Namn"),
    "role": _l("Roll"),
    "active": _l("Aktiv"),
    "municipalities": _l("Kommuner"),
    "tokens_revoked": _l("API-nycklar återkallade"),
    "sessions_ended": _l("Inloggningar avslutade"),
    "label": _l("Benämning"),
    "label_en": _l("Benämning på engelska"),
    "code": _l("Kod"),
    "default_minutes": _l("Vanlig längd (minuter)"),
    "commitment": _l("Medborgarlöfte"),
    "entries": _l("Poster"),
    "entries_changed": _l("Poster ändrade"),
    "changes": _l("Ändringar"),
    "path": _l("Fil"),
    "format": _l("Format"),
    "timezone": _l("Tidszon"),
    "before": _l("Före"),
}

ENTRY_STATUS_WORDS = {
    "pending": _l("väntar"),
    "approved": _l("godkänd"),
    "rejected": _l("avslagen"),
    "withdrawn": _l("återkallad"),
}

OWNER_WORDS = {
    "polisen": _l("Polisen"),
    "kommunen": _l("Kommunen"),
    "gemensamt": _l("Gemensamt"),
}


def action_words(action: str) -> str:
    """An audited action in words; one not listed reads as itself, made readable."""
    label = ACTION_WORDS.get(action)
    return str(label) if label else action.replace("_", " ").replace(".", ": ")


def field_words(name: str) -> str:
    """A stored field's name in words."""
    label = FIELD_WORDS.get(name)
    return str(label) if label else name.replace("_", " ").capitalize()


def municipality_words(name: str) -> str:
    """A municipality as its own name reads: "Arjeplogs kommun", "Arboga kommun" (English:
    "Arjeplog Municipality"). Names ending in a vowel or s, x, z take no genitive s."""
    swedish = str(get_locale()) != "en"
    genitive = name + "s" if swedish and name[-1:].lower() not in "aeiouyåäösxz" else name
    return _("%(genitive)s kommun", genitive=genitive)
