"""The words of Version 2's targets, periods, places, joint shares and outcome sums.

One home for how the tallies page, the printable report, the public page and the
exports word a tally row of ``services.tally_rows.yearly_rows``: "minst 5 per år",
"minst 2 i veckan", "38 av 40 veckor uppfyllda", "den här veckan 1 av 2",
"3 av 4 platser uppfyllda", and the Swedish names of the metrics summed.
"""

from __future__ import annotations

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .rules.periods import PERIOD_ARG

# The metrics of the bundled activity types in words, for a type whose import gave no label.
METRIC_WORDS = {
    "contacts": _l("Kontakter"),
    "vehicles_checked": _l("Kontrollerade fordon"),
    "breath_tests": _l("Utandningsprov"),
    "fines": _l("Böter"),
    "reports": _l("Anmälningar"),
    "participants": _l("Deltagare"),
    "persons_checked": _l("Kontrollerade personer"),
    "seizures": _l("Beslag"),
}

MONTH_WORDS = (
    _l("januari"),
    _l("februari"),
    _l("mars"),
    _l("april"),
    _l("maj"),
    _l("juni"),
    _l("juli"),
    _l("augusti"),
    _l("september"),
    _l("oktober"),
    _l("november"),
    _l("december"),
)


def target(t: dict | None, html: bool = False) -> str:
    """A row's ``target`` in words: "minst 5 per år", "minst 2 i veckan", "–" for none.

    With ``html`` the number is wrapped in ``<span class="target">`` (safe markup).
    """
    if not t:
        return "–"
    per = t["per"]
    n = Markup('<span class="target">%d</span>') % int(t["count"]) if html else int(t["count"])
    words = {
        "year": _("minst %(n)s per år", n=n),
        "tertial": _("minst %(n)s per tertial", n=n),
        "quarter": _("minst %(n)s per kvartal", n=n),
        "month": _("minst %(n)s i månaden", n=n),
        "week": _("minst %(n)s i veckan", n=n),
        "period": _("minst %(n)s under hela löftets giltighetstid", n=n),
    }.get(per, f"{n} / {per}")
    if t.get("each_place"):
        words = _("%(target)s på varje plats", target=words)
    # The words come from the catalogue; only the number is data, and it is a whole number.
    return Markup(words) if html else words


def count_in_period(per: str, n: int, goal: int) -> str:
    """A phone card's count against the target in the period holding today: "3 av 5 i år",
    "1 av 2 den här veckan", "4 av 6 under löftets tid"."""
    if per == "week":
        return _("%(n)d av %(target)d den här veckan", n=n, target=goal)
    if per == "month":
        return _("%(n)d av %(target)d den här månaden", n=n, target=goal)
    if per == "quarter":
        return _("%(n)d av %(target)d det här kvartalet", n=n, target=goal)
    if per == "tertial":
        return _("%(n)d av %(target)d det här tertialet", n=n, target=goal)
    if per == "period":
        return _("%(n)d av %(target)d under löftets tid", n=n, target=goal)
    return _("%(n)d av %(target)d i år", n=n, target=goal)


def periods_met(row: dict) -> str | None:
    """How many of the ended periods met the target: "38 av 40 veckor uppfyllda"; None
    when the target has no such periods or none has ended yet."""
    due, met, per = row.get("periods_due"), row.get("periods_met"), (row.get("target") or {})
    if not due:
        return None
    per = per.get("per")
    if per == "week":
        return ngettext(
            "%(met)d av %(num)d vecka uppfylld", "%(met)d av %(num)d veckor uppfyllda", due, met=met
        )
    if per == "month":
        return ngettext(
            "%(met)d av %(num)d månad uppfylld",
            "%(met)d av %(num)d månader uppfyllda",
            due,
            met=met,
        )
    if per == "quarter":
        return ngettext(
            "%(met)d av %(num)d kvartal uppfyllt",
            "%(met)d av %(num)d kvartal uppfyllda",
            due,
            met=met,
        )
    return ngettext(
        "%(met)d av %(num)d tertial uppfyllt", "%(met)d av %(num)d tertial uppfyllda", due, met=met
    )


def current_period(row: dict) -> str | None:
    """The period holding today: "den här veckan 1 av 2"; None outside it."""
    now = row.get("current_period")
    if not now:
        return None
    n, goal = now["counted"], now["target"]
    per = (row.get("target") or {}).get("per")
    if per == "week":
        return _("den här veckan %(n)d av %(goal)d", n=n, goal=goal)
    if per == "month":
        return _("den här månaden %(n)d av %(goal)d", n=n, goal=goal)
    if per == "quarter":
        return _("det här kvartalet %(n)d av %(goal)d", n=n, goal=goal)
    return _("det här tertialet %(n)d av %(goal)d", n=n, goal=goal)


def periods_state(row: dict) -> str | None:
    """The periods met and the current one: "38 av 40 veckor uppfyllda, den här veckan 1 av 2"."""
    parts = [p for p in (periods_met(row), current_period(row)) if p]
    return ", ".join(parts) or None


def progress(row: dict) -> str:
    """The target and how it stands: "minst 2 i veckan: 38 av 40 veckor uppfyllda, den här
    veckan 1 av 2"."""
    state = periods_state(row)
    head = target(row.get("target"))
    return f"{head}: {state}" if state else head


def share_of_target(row: dict) -> str | None:
    """A target counted over the whole span, as a share of it: "60 % (3 av 5)"; None for a
    row without such a target (per period or place: :func:`periods_state`,
    :func:`places_met`)."""
    goal = row.get("span_target")
    if not goal or periods_state(row) or places_met(row):
        return None
    counted = row["counted"]
    return _(
        "%(share)d %% (%(n)d av %(goal)d)",
        share=min(999, counted * 100 // goal),
        n=counted,
        goal=goal,
    )


def places_met(row: dict) -> str | None:
    """With a target for each place: "3 av 4 platser uppfyllda"; None otherwise."""
    places = row.get("places") or []
    if not places or places[0].get("met") is None:
        return None
    met = sum(1 for p in places if p["met"])
    return ngettext(
        "%(met)d av %(num)d plats uppfylld",
        "%(met)d av %(num)d platser uppfyllda",
        len(places),
        met=met,
    )


def metric(name: str, imported: str | None = None) -> str:
    """A metric in words: the label its activity type was imported with, else the known
    word, else the name made readable."""
    if imported and imported != name:
        return imported
    known = METRIC_WORDS.get(name)
    return str(known) if known else name.replace("_", " ")


def metric_swedish(name: str, imported: str | None = None) -> str:
    """A metric in Swedish whatever the interface language (the exports)."""
    with force_locale("sv"):
        return metric(name, imported)


def outcomes(row: dict) -> list[tuple[str, int]]:
    """The outcome sums of a row in words, in the activity's order of metrics."""
    labels = row.get("metric_labels") or {}
    return [(metric(k, labels.get(k)), v) for k, v in (row.get("outcomes") or {}).items()]


def period_choices() -> list[tuple[str, str]]:
    """The ``period`` choices of the tallies page and report: tertials, quarters, months."""
    found = [(f"T{i}", _("Tertial %(i)d", i=i)) for i in range(1, 4)]
    found += [(f"Q{i}", _("Kvartal %(i)d", i=i)) for i in range(1, 5)]
    found += [(f"M{i:02d}", str(MONTH_WORDS[i - 1]).capitalize()) for i in range(1, 13)]
    return found


def period_name(period: str | None) -> str:
    """A ``period`` argument in words: "tertial 2", "kvartal 1", "mars"; "" for the year."""
    if not period or not PERIOD_ARG.match(period):
        return ""
    if period[0] == "T":
        return _("tertial %(i)s", i=period[1])
    if period[0] == "Q":
        return _("kvartal %(i)s", i=period[1])
    return str(MONTH_WORDS[int(period[1:]) - 1])


def names_joined(names: list[str]) -> str:
    """Names as a list reads: "Stenungsund, Orust och Tjörn"."""
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s och %(last)s", first=", ".join(names[:-1]), last=names[-1])
