"""The rules of a commitments file (CONTRACT.md, "Commitment import", version 1, and
"Import format version 2"): every problem, named.

Used by the import, the upload preview and the admin forms alike, so that the
rules of a commitment, a promise, an activity type and a time window exist
once. Each problem is a :class:`FileProblem`: where (commitment, promise,
activity type, …), the field, and the rule broken, in English for the
command line and in Swedish for the pages (``RULES``, the one home of the
wording).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..inputs import has_forbidden_characters, is_municipality_code, is_reasonable_day, whole_number
from ..models import OWNERS, ActivityType, Commitment, Municipality, TimeWindow
from ..rules.counting import OBEKVAM_TID
from ..rules.periods import PERS
from ..rules.windows import DAY_NAMES
from ..rules.windows import TimeWindow as WindowRule

# The longest text each field's column holds.
TEXT_LIMITS = {"code": 40, "label": 120, "label_en": 120, "name": 120, "key": 80, "title": 300}
TEXT_LIMITS.update(area=200, place_hint=200, district=120, places=200)
MOST_PER_YEAR = 1_000_000  # its words in RULES["at_most"] say the number
VERSIONS = (1, 2)

# The fields each part of a file may have, by format version.
FIELDS = {
    1: {
        "file": {"version", "activity_types", "police_areas", "commitments"},
        "activity_type": {"code", "label", "label_en", "metrics"},
        "police_area": {"name", "municipalities"},
        "municipality": {"code", "name"},
        "commitment": {
            "key", "municipality", "title", "valid_from", "valid_to", "until_superseded",
            "signed_on", "signatories", "promises",
        },
        "promise": {
            "key", "area", "text", "owner", "activity", "yearly_target", "place_hint",
            "time_rule",
        },
    },
}  # fmt: skip
FIELDS[2] = {
    "file": FIELDS[1]["file"] | {"time_windows"},
    "time_window": {"code", "label", "label_en", "days", "from", "to", "holidays"},
    "activity_type": FIELDS[1]["activity_type"] | {"metric_labels"},
    "police_area": FIELDS[1]["police_area"],
    "municipality": FIELDS[1]["municipality"],
    "commitment": (FIELDS[1]["commitment"] - {"municipality"}) | {"municipalities", "district"},
    "promise": FIELDS[1]["promise"] | {"target", "places"},
}
TARGET_FIELDS = {"count", "per", "each_place", "from_year"}

# Each rule a field can break: its English words (the command line) and Swedish (the pages).
RULES = {
    "required": ("is required text", _l("måste fyllas i.")),
    "twice": ("is used twice", _l("används två gånger.")),
    "municipality": ("is not a known municipality code", _l("är ingen känd kommun.")),
    "date": ("must be a date (YYYY-MM-DD)", _l("måste vara ett datum (ÅÅÅÅ-MM-DD).")),
    "before_start": ("is before valid_from", _l("får inte vara före startdatumet.")),
    "bool": ("must be true or false", _l("måste vara ja eller nej.")),
    "names": ("must be a list of names", _l("måste vara en lista med namn, en per rad.")),
    "promises": ("must be a non-empty list", _l("minst ett löfte behövs.")),
    "owner": (
        "must be one of " + ", ".join(OWNERS),
        _l("måste vara polisen, kommunen eller gemensamt."),
    ),
    "activity": ("is not a known activity code", _l("är ingen känd aktivitetstyp.")),
    "whole": (
        "must be a whole number ≥ 1 or null",
        _l("måste vara ett heltal, minst 1, eller tomt."),
    ),
    "at_most": (f"must be at most {MOST_PER_YEAR}", _l("får vara högst 1 000 000.")),
    "time_rule": (
        "must be obekvam_tid, the code of a time window, or absent",
        _l("måste vara obekväm tid, ett tidsfönster eller ingen regel."),
    ),
    "text": ("must be text", _l("måste vara text.")),
    "control": ("contains control characters", _l("innehåller otillåtna tecken (styrtecken).")),
    "too_long": ("is longer than", _l("är för lång.")),
    "unknown_field": ("is not a field of this format version", _l("är inget fält i formatet.")),
    "version": ("must be 1 or 2", _l("måste vara 1 eller 2.")),
    "mapping": ("must be a mapping", _l("måste vara en mappning.")),
    "list": ("must be a list", _l("måste vara en lista.")),
    "file": (
        "the file is not a mapping with version, activity_types, police_areas, commitments",
        _l("filen är ingen mappning med version, activity_types, police_areas, commitments."),
    ),
    "code": ("must be a lower-case key (a-z, 0-9, _ and -)", _l("måste vara en nyckel i gemener.")),
    "reserved": ("is reserved for the built-in obekvam_tid", _l("är reserverad för obekväm tid.")),
    "days": (
        "must be a non-empty subset of " + " ".join(DAY_NAMES),
        _l("måste vara en eller flera av mon, tue, wed, thu, fri, sat, sun."),
    ),
    "clock": ("must be a time HH:MM", _l("måste vara en tid TT:MM (midnatt är 00:00).")),
    "one_area": (
        "must list known municipality codes of one police area",
        _l("måste vara kända kommuner i ett och samma polisområde."),
    ),
    "district_joint": (
        "is only for an agreement of a single municipality",
        _l("gäller bara ett medborgarlöfte för en enda kommun."),
    ),
    "target": (
        "must be {count: N, per: P} with N ≥ 1, or a list of them each with from_year",
        _l("måste vara ett mål: antal (minst 1) per period."),
    ),
    "per": (
        "must be one of " + ", ".join(PERS),
        _l("måste vara år, tertial, kvartal, månad, vecka eller hela perioden."),
    ),
    "from_year": (
        "must increase, the first being valid_from's year and none after valid_to's year",
        _l("måste öka, börja med startåret och inte passera slutåret."),
    ),
    "both_targets": (
        "cannot be given together with yearly_target",
        _l("kan inte anges tillsammans med årsmål."),
    ),
    "version_1_field": (
        "is version 1; a version 2 commitment uses municipalities",
        _l("hör till version 1; version 2 använder municipalities."),
    ),
    "places": (
        "must be a list of distinct place names",
        _l("måste vara olika platser, en per rad."),
    ),
    "each_place": ("needs the promise's places list", _l("kräver att löftet har platser.")),
    "overlap": (
        "overlaps another agreement of the same municipality and district",
        _l("överlappar ett annat medborgarlöfte för samma kommun och område."),
    ),
    "metric_labels": (
        "must map the activity's metric names to labels",
        _l("måste ge etiketter åt aktivitetens mått."),
    ),
}


@dataclass(frozen=True)
class FileProblem:
    """One broken rule: where in the file (``commitment``, ``promise``, ``activity_type``,
    ``time_window``, or ``where`` for the rest), the ``field`` and the ``rule`` (a key of
    RULES). ``promise_index`` is the promise's position in its commitment."""

    rule: str
    field: str = ""
    commitment: str | None = None
    promise: str | None = None
    promise_index: int | None = None
    activity_type: str | None = None
    time_window: str | None = None
    where: str = ""
    detail: str = ""

    def place(self) -> str:
        """Where the problem is, in the import's English words."""
        if self.activity_type is not None:
            return f"activity type {self.activity_type}"
        if self.time_window is not None:
            return f"time window {self.time_window}"
        if self.commitment is not None:
            text = f"commitment {self.commitment}"
            if self.promise is not None:
                text += f", promise {self.promise}"
            return text
        return self.where

    def __str__(self) -> str:
        english = RULES[self.rule][0]
        if self.detail:
            english += f" {self.detail}" if self.rule == "too_long" else f" ({self.detail})"
        place = self.place()
        if not self.field:
            return f"{place}: {english}" if place else english
        return f"{place}: field '{self.field}' {english}" if place else f"{self.field}: {english}"

    @property
    def swedish(self) -> str:
        """The rule broken, in the pages' words."""
        return str(RULES[self.rule][1])


@dataclass
class _Checker:
    """Gathers the problems of one file."""

    version: int
    problems: list[FileProblem] = field(default_factory=list)

    def add(self, rule: str, name: str = "", **where: Any) -> None:
        self.problems.append(FileProblem(rule, name, **where))

    def unknown_fields(self, item: dict, part: str, **where: Any) -> None:
        allowed = FIELDS[self.version][part]
        for name in sorted(set(item) - allowed, key=str):
            rule = "unknown_field"
            if part == "commitment" and name == "municipality":
                rule = "version_1_field"
            self.add(rule, str(name), **where)

    def texts(self, item: dict, names: tuple[str, ...], **where: Any) -> None:
        """The given text fields of ``item`` that hold control characters or are too long."""
        for name in names:
            value = item.get(name)
            values = value if isinstance(value, list) else [value]
            texts = [v for v in values if isinstance(v, str)]
            if any(has_forbidden_characters(t) for t in texts):
                self.add("control", name, **where)
            elif name in TEXT_LIMITS and any(len(t) > TEXT_LIMITS[name] for t in texts):
                self.add("too_long", name, detail=f"{TEXT_LIMITS[name]} characters", **where)


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, except that a date it cannot make (2025-02-29, 2026-13-01)
    stays its text, so that the file's rules name the entry and field instead of the
    parser failing on the whole file with a bare ValueError."""


def _timestamp(loader: _Loader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_yaml(source: str | IO[str]) -> Any:
    """A commitments file's document (the one YAML reading of the import and the upload).

    Raises yaml.YAMLError when the text is not YAML; an impossible date is kept as text.
    """
    return yaml.load(source, Loader=_Loader)  # noqa: S506 (a SafeLoader)


def as_date(value: Any) -> dt.date | None:
    """A date of the file (YAML's own or YYYY-MM-DD text) within 1900–2199, else None."""
    day = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return None
    return day if day is not None and is_reasonable_day(day) else None


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _list(value: Any) -> list:
    """A list field's items; anything else (absent, a number, a mapping) as no items."""
    return value if isinstance(value, list) else []


def _is_code(value: Any) -> bool:
    return (
        _text(value)
        and value.isascii()
        and value == value.lower()
        and all(ch.isalnum() or ch in "_-" for ch in value)
    )


def file_municipalities(c: dict) -> list[str]:
    """The municipality codes a commitment of the file names (v1 ``municipality`` or v2
    ``municipalities``), as text."""
    if "municipalities" in c:
        return [str(m) for m in _list(c.get("municipalities"))]
    return [str(c.get("municipality"))]


def file_targets(p: dict) -> list[tuple[int | None, dict]]:
    """A promise's targets as (from_year, {count, per, each_place}) pairs; a v1
    ``yearly_target`` as one per-year target from the commitment's first year (None)."""
    if p.get("target") is not None:
        target = p["target"]
        items = target if isinstance(target, list) else [target]
        return [
            (
                whole_number(t.get("from_year")) if isinstance(target, list) else None,
                {
                    "count": whole_number(t.get("count")),
                    "per": t.get("per"),
                    "each_place": bool(t.get("each_place", False)),
                },
            )
            for t in items
        ]
    if p.get("yearly_target") is not None:
        return [
            (None, {"count": whole_number(p["yearly_target"]), "per": "year", "each_place": False})
        ]
    return []


def validate_document(doc: Any) -> list[FileProblem]:
    """Every problem of a parsed commitments file, each naming where it is and the field."""
    if not isinstance(doc, dict):
        return [FileProblem("file")]
    version = doc.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        return [FileProblem("version", "version")]
    check = _Checker(version)
    check.unknown_fields(doc, "file")
    for name in ("activity_types", "police_areas", "commitments", "time_windows"):
        if doc.get(name) is not None and not isinstance(doc.get(name), list):
            check.add("list", name)
    windows = _time_windows(check, _list(doc.get("time_windows")))
    activities = _activity_types(check, _list(doc.get("activity_types")))
    known_activities = activities | set(db.session.scalars(select(ActivityType.code)))
    areas = _police_areas(check, _list(doc.get("police_areas")))
    stored = {
        m.code: m.police_area.name
        for m in db.session.scalars(select(Municipality))
        if m.code not in areas
    }
    area_of = {**stored, **areas}
    rules_known = {OBEKVAM_TID} | windows | set(db.session.scalars(select(TimeWindow.code)))
    commitment_keys: set[str] = set()
    promise_keys: set[str] = set()
    spans = []
    for i, c in enumerate(_list(doc.get("commitments"))):
        if not isinstance(c, dict):
            check.add("mapping", where=f"commitments[{i}]")
            continue
        where = {"commitment": str(c.get("key") or f"#{i + 1}")}
        span = _commitment(check, c, where, commitment_keys, area_of)
        if span is not None:
            spans.append(span)
        promises = c.get("promises")
        if not isinstance(promises, list) or not promises:
            check.add("promises", "promises", **where)
            continue
        start, end = as_date(c.get("valid_from")), as_date(c.get("valid_to"))
        for j, p in enumerate(promises):
            pwhere = {**where, "promise": f"#{j + 1}", "promise_index": j}
            if not isinstance(p, dict):
                check.add("mapping", **pwhere)
                continue
            pwhere["promise"] = str(p.get("key") or f"#{j + 1}")
            check.unknown_fields(p, "promise", **pwhere)
            _promise(check, p, pwhere, known_activities, rules_known, promise_keys, start, end)
    _overlaps(check, spans)
    return check.problems


def _time_windows(check: _Checker, items: list) -> set[str]:
    codes: set[str] = set()
    for i, w in enumerate(items):
        if not isinstance(w, dict):
            check.add("mapping", where=f"time_windows[{i}]")
            continue
        where = {"time_window": str(w.get("code") or f"#{i + 1}")}
        check.unknown_fields(w, "time_window", **where)
        code = w.get("code")
        if not _is_code(code):
            check.add("code", "code", **where)
        elif code == OBEKVAM_TID:
            check.add("reserved", "code", **where)
        elif code in codes:
            check.add("twice", "code", **where)
        else:
            codes.add(code)
        for name in ("label", "label_en"):
            if not _text(w.get(name)):
                check.add("required", name, **where)
        check.texts(w, ("code", "label", "label_en"), **where)
        days = w.get("days")
        if (
            not isinstance(days, list)
            or not days
            or not all(isinstance(d, str) and d in DAY_NAMES for d in days)
        ):
            wrong = [d for d in days if d not in DAY_NAMES] if isinstance(days, list) else []
            detail = "not " + ", ".join(map(str, wrong)) if wrong else ""
            check.add("days", "days", detail=detail, **where)
        for name in ("from", "to"):
            try:
                WindowRule.from_names(["mon"], w.get(name), "00:00")
            except (ValueError, TypeError):
                check.add("clock", name, detail="midnight is 00:00", **where)
        if not isinstance(w.get("holidays", False), bool):
            check.add("bool", "holidays", **where)
    return codes


def _activity_types(check: _Checker, items: list) -> set[str]:
    codes: set[str] = set()
    for i, a in enumerate(items):
        if not isinstance(a, dict):
            check.add("mapping", where=f"activity_types[{i}]")
            continue
        where = {"activity_type": str(a.get("code", i))}
        check.unknown_fields(a, "activity_type", **where)
        for name in ("code", "label", "label_en"):
            if not _text(a.get(name)):
                check.add("required", name, **where)
        metrics = a.get("metrics", [])
        if not isinstance(metrics, list) or not all(_text(m) for m in metrics):
            check.add("names", "metrics", **where)
            metrics = []
        labels = a.get("metric_labels", {})
        if labels is not None and (
            not isinstance(labels, dict)
            or not all(k in metrics and _text(v) for k, v in labels.items())
        ):
            check.add("metric_labels", "metric_labels", **where)
        elif isinstance(labels, dict) and any(
            has_forbidden_characters(v) or len(v) > TEXT_LIMITS["label"] for v in labels.values()
        ):
            check.add("control", "metric_labels", **where)
        check.texts(a, ("code", "label", "label_en", "metrics"), **where)
        if _text(a.get("code")):
            codes.add(a["code"])
    return codes


def _police_areas(check: _Checker, items: list) -> dict[str, str]:
    """Municipality code → police area name, of the file's police areas."""
    found: dict[str, str] = {}
    for i, area in enumerate(items):
        where = {"where": f"police_areas[{i}]"}
        if not isinstance(area, dict) or not _text(area.get("name")):
            check.add("required", "name", **where)
            continue
        check.unknown_fields(area, "police_area", **where)
        check.texts(area, ("name",), **where)
        for j, m in enumerate(_list(area.get("municipalities"))):
            mwhere = {"where": f"police area {area['name']}, municipalities[{j}]"}
            code = m.get("code") if isinstance(m, dict) else None
            if isinstance(m, dict):
                check.unknown_fields(m, "municipality", **mwhere)
            if not is_municipality_code(code):
                check.add("municipality", "code", detail="four digits as a string", **mwhere)
            elif not _text(m.get("name")):
                check.add("required", "name", **mwhere)
            else:
                before = len(check.problems)
                check.texts(m, ("name",), **mwhere)
                if len(check.problems) == before:
                    found[code] = area["name"]
    return found


@dataclass
class _Span:
    key: str
    municipalities: list[str]
    district: str
    start: dt.date
    end: dt.date


def _commitment(
    check: _Checker, c: dict, where: dict, keys: set[str], area_of: dict
) -> _Span | None:
    check.unknown_fields(c, "commitment", **where)
    _key(check, c, where, keys)
    codes = file_municipalities(c)
    district = c.get("district")
    good_codes = False
    if check.version == 1 or "municipalities" not in c:
        if check.version == 1 and str(c.get("municipality")) not in area_of:
            check.add("municipality", "municipality", **where)
        elif check.version == 2:
            check.add("required", "municipalities", **where)
        else:
            good_codes = True
    elif (
        not isinstance(c.get("municipalities"), list)
        or not codes
        or len(set(codes)) != len(codes)
        or any(not is_municipality_code(m) or m not in area_of for m in c["municipalities"])
        or len({area_of[m] for m in codes}) != 1
    ):
        check.add("one_area", "municipalities", **where)
    else:
        good_codes = True
    if district is not None:
        if not _text(district):
            check.add("required", "district", **where)
        elif len(codes) > 1:
            check.add("district_joint", "district", **where)
    if not _text(c.get("title")):
        check.add("required", "title", **where)
    start, end = as_date(c.get("valid_from")), as_date(c.get("valid_to"))
    if start is None:
        check.add("date", "valid_from", **where)
    if end is None:
        check.add("date", "valid_to", **where)
    if start and end and end < start:
        check.add("before_start", "valid_to", **where)
    if not isinstance(c.get("until_superseded", False), bool):
        check.add("bool", "until_superseded", **where)
    if c.get("signed_on") is not None and as_date(c.get("signed_on")) is None:
        check.add("date", "signed_on", **where)
    signatories = c.get("signatories") or []
    if not isinstance(signatories, list) or not all(_text(s) for s in signatories):
        check.add("names", "signatories", **where)
    check.texts(c, ("key", "title", "signatories", "district"), **where)
    if good_codes and start and end and end >= start and _text(c.get("key")):
        return _Span(c["key"], codes, district if _text(district) else "", start, end)
    return None


def _key(check: _Checker, item: dict, where: dict, seen: set[str]) -> None:
    """A commitment's or promise's ``key``: required text, used once in the file."""
    key = item.get("key")
    if not _text(key):
        check.add("required", "key", **where)
    elif key in seen:
        check.add("twice", "key", **where)
    else:
        seen.add(key)


def _promise(
    check: _Checker,
    p: dict,
    where: dict,
    activities: set[str],
    time_rules: set[str],
    seen: set[str],
    start: dt.date | None,
    end: dt.date | None,
) -> None:
    _key(check, p, where, seen)
    for name in ("area", "text"):
        if not _text(p.get(name)):
            check.add("required", name, **where)
    check.texts(p, ("key", "area", "text", "place_hint", "places"), **where)
    if p.get("owner") not in OWNERS:
        check.add("owner", "owner", **where)
    activity = p.get("activity")
    if activity is not None and (not isinstance(activity, str) or activity not in activities):
        check.add("activity", "activity", **where)
    target = p.get("yearly_target")
    if target is not None and whole_number(target, minimum=1) is None:
        check.add("whole", "yearly_target", **where)
    elif target is not None and whole_number(target, maximum=MOST_PER_YEAR) is None:
        check.add("at_most", "yearly_target", **where)
    if p.get("time_rule") is not None and p.get("time_rule") not in time_rules:
        check.add("time_rule", "time_rule", **where)
    if p.get("place_hint") is not None and not isinstance(p.get("place_hint"), str):
        check.add("text", "place_hint", **where)
    places = p.get("places")
    if places is not None and (
        not isinstance(places, list)
        or not places
        or not all(_text(x) and x == x.strip() for x in places)
        or len(set(places)) != len(places)
    ):
        check.add("places", "places", **where)
    if "target" in p:
        if target is not None:
            check.add("both_targets", "target", **where)
        _targets(check, p, where, start, end)


def _targets(
    check: _Checker, p: dict, where: dict, start: dt.date | None, end: dt.date | None
) -> None:
    target = p.get("target")
    if target is None:
        return
    listed = isinstance(target, list)
    items = target if listed else [target]
    if not items or not all(isinstance(t, dict) for t in items):
        check.add("target", "target", **where)
        return
    years = []
    for t in items:
        unknown = set(t) - TARGET_FIELDS - (set() if listed else {"from_year"})
        if unknown or (not listed and "from_year" in t):
            check.add(
                "unknown_field", f"target.{sorted(map(str, unknown or {'from_year'}))[0]}", **where
            )
        count = whole_number(t.get("count"), minimum=1)
        if count is None:
            check.add("target", "target.count", **where)
        elif count > MOST_PER_YEAR:
            check.add("at_most", "target.count", **where)
        if t.get("per") not in PERS:
            check.add("per", "target.per", **where)
        if not isinstance(t.get("each_place", False), bool):
            check.add("bool", "target.each_place", **where)
        elif t.get("each_place") and not p.get("places"):
            check.add("each_place", "target.each_place", **where)
        if listed:
            years.append(whole_number(t.get("from_year")))
    if listed and start is not None and end is not None:
        good = (
            all(y is not None for y in years)
            and years[0] == start.year
            and all(a < b for a, b in zip(years, years[1:], strict=False))
            and years[-1] <= end.year
        )
        if not good:
            check.add("from_year", "target.from_year", **where)


def _overlaps(check: _Checker, spans: list[_Span]) -> None:
    """Rule 1 of Version 2: no two agreements overlap within one slot (a municipality's
    whole area, or one district), except that a later single-municipality whole-area
    agreement ends a joint one for that municipality. Compared with the stored
    agreements the file does not restate as well."""
    in_file = {s.key for s in spans}
    stored = [
        _Span(
            c.key,
            [m.code for m in c.municipalities],
            c.district or "",
            c.valid_from,
            c.valid_to,
        )
        for c in db.session.scalars(select(Commitment))
        if c.key not in in_file
    ]
    everything = spans + stored
    reported: set[str] = set()
    for a in spans:
        for b in everything:
            if a is b or a.key == b.key or a.district != b.district:
                continue
            shared = set(a.municipalities) & set(b.municipalities)
            if not shared or a.end < b.start or b.end < a.start:
                continue
            joint_ended = (
                a.district == ""
                and (len(a.municipalities) == 1) != (len(b.municipalities) == 1)
                and (a if len(a.municipalities) == 1 else b).start
                > (b if len(a.municipalities) == 1 else a).start
            )
            if not joint_ended and a.key not in reported:
                reported.add(a.key)
                check.add("overlap", "valid_from", commitment=a.key, detail=f"with {b.key}")
