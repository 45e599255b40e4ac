"""The officer's pages through the test client: the promise buttons, the form without JavaScript,
its field errors in Swedish, and the scope of /entries."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import AuditEvent, Entry, Promise
from fieldlog.services import tallies
from fieldlog.services.entries import sync_entries
from fieldlog.services.review import record_review

from .factories import csrf_from, entry_data, recent_weekday

ZONE = ZoneInfo("Europe/Stockholm")


def weekday_at(hour: int) -> dt.datetime:
    """A recent weekday (not a holiday) at ``hour`` local time."""
    return dt.datetime.combine(recent_weekday(), dt.time(hour, 0), ZONE)


def form_fields(page, **overrides) -> dict:
    """The fields of the entry form as the page fills them, with some changed."""
    html = page.get_data(as_text=True)
    fields = {"csrf_token": csrf_from(page)}
    for name in ("client_id", "date", "time", "base_version", "lat", "lon"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
        fields[name] = match.group(1) if match else ""
    fields.update(duration="60", place="Torget", officers="2", metric_contacts="4", notes="")
    fields.update(overrides)
    return fields


def count(**where) -> int:
    stmt = select(func.count()).select_from(Entry)
    for name, value in where.items():
        stmt = stmt.where(getattr(Entry, name) == value)
    return db.session.scalar(stmt)


def test_index_lists_the_promises_of_the_area_with_counts(client, auth, users):
    auth.login("officer")
    html = client.get("/").get_data(as_text=True)
    assert "Arjeplog" in html and "Älvsbyn" in html and "Arboga" not in html
    assert 'href="/log/arjeplog-fotpatrull"' in html
    assert "0 av 5 i år" in html
    # A promise followed up in words is listed but cannot be logged.
    assert "/log/arjeplog-vald-nara-relation" not in html
    sync_entries(users["officer"], [entry_data()])
    assert "1 väntar" in client.get("/").get_data(as_text=True)


def test_the_chosen_municipality_is_remembered(client, auth, users):
    auth.login("officer")
    assert 'href="/log/alvsbyn23-hundsok"' in client.get("/?municipality=2560").get_data(
        as_text=True
    )
    html = client.get("/").get_data(as_text=True)
    assert 'href="/log/alvsbyn23-hundsok"' in html
    # Another police area's municipality is not offered and not shown.
    assert "arboga" not in client.get("/?municipality=1984").get_data(as_text=True)


def test_the_form_is_filled_in_for_the_common_case(client, auth, users):
    auth.login("officer")
    page = client.get("/log/arjeplog-fotpatrull")
    html = page.get_data(as_text=True)
    fields = form_fields(page)
    assert int(fields["time"][-2:]) % 5 == 0
    now = dt.datetime.now(ZONE)
    assert abs(
        dt.datetime.fromisoformat(f"{fields['date']}T{fields['time']}").replace(tzinfo=ZONE) - now
    ) <= dt.timedelta(minutes=3)
    assert re.search(r'name="officers"[^>]*value="1"', html)
    assert '<label for="f-metric-contacts">Kontakter</label>' in html
    assert 'list="places"' in html


def test_a_form_post_without_javascript_stores_the_entry(client, auth, users):
    auth.login("officer")
    page = client.get("/log/arjeplog-fotpatrull")
    response = client.post("/log/arjeplog-fotpatrull", data=form_fields(page))
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert (entry.status, entry.place, entry.officers, entry.metrics) == (
        "pending",
        "Torget",
        2,
        {"contacts": 4},
    )
    assert entry.ended_at - entry.started_at == dt.timedelta(minutes=60)
    assert "Sparad: Fotpatrull" in client.get("/").get_data(as_text=True)
    listing = client.get("/entries").get_data(as_text=True)
    assert "väntar" in listing and "Torget" in listing
    # The same form sent twice (a double tap) stores one entry.
    client.post("/log/arjeplog-fotpatrull", data=form_fields(page))
    assert count() == 1
    # The place is suggested next time.
    assert '<option value="Torget">' in client.get("/log/arjeplog-fotpatrull").get_data(
        as_text=True
    )


def test_bad_fields_are_named_in_swedish_and_nothing_is_stored(client, auth, users):
    auth.login("officer")
    page = client.get("/log/arjeplog-fotpatrull")
    tomorrow = (dt.datetime.now(ZONE) + dt.timedelta(days=1)).date().isoformat()
    response = client.post(
        "/log/arjeplog-fotpatrull",
        data=form_fields(page, date=tomorrow, officers="0", metric_contacts="-3", duration="x"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    # Each field named once: by the reason itself, else before it.
    assert "<li>Starttiden ligger mer än 10 minuter fram i tiden.</li>" in html
    assert "<li>Antal poliser måste vara 1 eller mer.</li>" in html
    assert "<li>Antal: Kontakter måste vara 0 eller mer.</li>" in html
    assert "<li>Längden måste vara ett antal minuter" in html
    assert count() == 0
    # The officer's values stay in the form.
    assert f'value="{tomorrow}"' in html


def test_the_form_needs_its_csrf_token(client, auth, users):
    auth.login("officer")
    fields = form_fields(client.get("/log/arjeplog-fotpatrull"), csrf_token="")
    assert client.post("/log/arjeplog-fotpatrull", data=fields).status_code == 400
    assert count() == 0


def test_a_daytime_entry_for_an_inconvenient_hours_promise_is_stored_but_not_counted(
    client, auth, users
):
    auth.login("officer")
    start = weekday_at(10)
    page = client.get("/log/arjeplog-trafikinsats-obekvam")
    fields = form_fields(page, date=start.date().isoformat(), time="10:00", metric_contacts=None)
    fields = {k: v for k, v in fields.items() if v is not None}
    response = client.post("/log/arjeplog-trafikinsats-obekvam", data=fields, follow_redirects=True)
    assert "Räknas inte: löftet gäller insatser på obekväm tid" in response.get_data(as_text=True)
    assert count(status="pending") == 1
    listing = client.get("/entries").get_data(as_text=True)
    assert "räknas inte" in listing


def test_entries_are_scoped_to_their_author(client, auth, users):
    mine = sync_entries(users["officer"], [entry_data()])[0].entry_id
    theirs = sync_entries(users["officer2"], [entry_data(place="Hemligt")])[0].entry_id
    auth.login("officer")
    assert "Hemligt" not in client.get("/entries").get_data(as_text=True)
    assert client.get(f"/entries/{theirs}/edit").status_code == 404
    assert client.get("/entries/999999/edit").status_code == 404
    token = csrf_from(client.get("/entries"))
    assert client.post(f"/entries/{theirs}/withdraw", data={"csrf_token": token}).status_code == 404
    assert db.session.get(Entry, theirs).status == "pending"
    assert client.get(f"/entries/{mine}/edit").status_code == 200
    # Another police area's promise cannot be logged against.
    assert client.get("/log/arboga-medborgardialog").status_code == 404


def test_a_pending_entry_is_edited_and_withdrawn(client, auth, users):
    entry_id = sync_entries(users["officer"], [entry_data(place="Torget")])[0].entry_id
    auth.login("officer")
    page = client.get(f"/entries/{entry_id}/edit")
    assert (
        client.post(f"/entries/{entry_id}/edit", data=form_fields(page, place="Skolan")).status_code
        == 302
    )
    entry = db.session.get(Entry, entry_id)
    db.session.refresh(entry)
    assert (entry.place, entry.version, entry.status) == ("Skolan", 2, "pending")
    response = client.post(
        f"/entries/{entry_id}/withdraw",
        data={"csrf_token": csrf_from(client.get("/entries"))},
        follow_redirects=True,
    )
    assert "Posten är återkallad." in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.status == "withdrawn"
    promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
    assert tallies.tally_for([promise.id], entry.year)[promise.id]["pending"] == 0


def test_a_rejected_entry_is_corrected_and_sent_again(client, auth, users):
    entry_id = sync_entries(users["officer"], [entry_data()])[0].entry_id
    record_review(users["supervisor"], entry_id, "reject", "Ange plats.")
    auth.login("officer")
    listing = client.get("/entries").get_data(as_text=True)
    assert "avslagen" in listing and "Ange plats." in listing
    page = client.get(f"/entries/{entry_id}/edit")
    assert "Rätta och skicka igen" in page.get_data(as_text=True)
    client.post(f"/entries/{entry_id}/edit", data=form_fields(page, place="Torget"))
    entry = db.session.get(Entry, entry_id)
    db.session.refresh(entry)
    assert (entry.status, entry.place) == ("pending", "Torget")


def test_an_approved_entry_cannot_be_edited_by_its_author(client, auth, users):
    entry_id = sync_entries(users["officer"], [entry_data()])[0].entry_id
    record_review(users["supervisor"], entry_id, "approve", None)
    auth.login("officer")
    response = client.get(f"/entries/{entry_id}/edit", follow_redirects=True)
    assert "kan bara ändras av en gruppchef" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_only_officers_and_supervisors_log(client, auth, users, role):
    auth.login(role)
    assert client.get("/log/arjeplog-fotpatrull").status_code == 403
    assert client.get("/entries").status_code == 403


def test_the_service_worker_is_served_at_the_root(client):
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert 'addEventListener("fetch"' in response.get_data(as_text=True)
    with client.get("/static/manifest.webmanifest") as manifest:
        assert manifest.status_code == 200 and b'"start_url": "/"' in manifest.data


def outbox_texts(client, page) -> dict:
    """The words the page hands to its scripts, in the script it loads before outbox.js."""
    html = page.get_data(as_text=True)
    url = re.search(r'<script src="(/texts/[^"]+)"', html).group(1).replace("&amp;", "&")
    with client.get(url) as script:
        assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        body = script.get_data(as_text=True)
    return json.loads(body.removeprefix("window.FieldlogText = ").removesuffix(";\n"))


def test_the_scripts_get_counts_in_singular_and_plural(app, client, auth, users):
    auth.login("officer")
    texts = outbox_texts(client, client.get("/"))
    assert texts["unsent"] == ["{n} ej skickad", "{n} ej skickade"]
    one, many = texts["logout_confirm"]
    assert one.startswith("{n} post är inte skickad. Den sparas")
    assert many.startswith("{n} poster är inte skickade. De sparas")
    client.get("/lang/en?next=/")
    with app.app_context():  # a fresh context, as each real request has: no cached language
        english = outbox_texts(client, client.get("/"))
    assert english["logout_confirm"][0].startswith("{n} entry is not sent.")
    assert english["states"]["invalid"] == "Invalid" and english["fix"] == "Correct"


class _FormValues(HTMLParser):
    """Every value a browser would post from the page's entry form, as the page fills it."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") != "search":
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.removeprefix("\n")


def as_served(page, **changes) -> dict:
    """The entry form posted as served, with ``changes``."""
    parser = _FormValues()
    parser.feed(page.get_data(as_text=True))
    return {**parser.values, **changes}


def edits() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "entry.edited")
    )


@pytest.mark.parametrize(
    "fields",
    [
        {},  # as the phone sent it: no metrics, no end, no position
        {
            "ended_at": "2026-03-03T11:30",
            "place": "Torget",
            "officers": 2,
            "metrics": {"contacts": 3},
            "notes": "Två rader\noch mer",
            "lat": 66.05,
            "lon": 17.89,
        },
    ],
)
def test_a_rejected_entry_sent_again_unchanged_says_so_with_the_reason(client, auth, users, fields):
    entry = entry_data(started_at="2026-03-03T10:00", **fields)
    entry_id = sync_entries(users["officer"], [entry])[0].entry_id
    record_review(users["supervisor"], entry_id, "reject", "Ange plats.")
    auth.login("officer")
    page = client.get(f"/entries/{entry_id}/edit")
    # Browsers send a textarea's newlines as CR LF.
    posted = as_served(page)
    posted["notes"] = posted["notes"].replace("\n", "\r\n")
    response = client.post(f"/entries/{entry_id}/edit", data=posted)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/entries/{entry_id}/edit"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ingenting ändrades, så posten skickades inte igen och är fortfarande avslagen." in html
    assert "Avslagen: Ange plats." in html
    assert "Ändringen är sparad" not in html
    stored = db.session.get(Entry, entry_id)
    db.session.refresh(stored)
    assert (stored.status, stored.version, stored.review_comment) == ("rejected", 1, "Ange plats.")
    assert edits() == 0


def test_an_unchanged_resend_written_differently_is_still_nothing_changed(client, auth, users):
    entry = entry_data(started_at="2026-03-03T10:00", officers=2, metrics={"contacts": 0})
    entry_id = sync_entries(users["officer"], [entry])[0].entry_id
    auth.login("officer")
    page = client.get(f"/entries/{entry_id}/edit")
    # "02" officers is the same content: the sync answers duplicate, and the page says so.
    response = client.post(
        f"/entries/{entry_id}/edit", data=as_served(page, officers="02"), follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Ingenting ändrades. Posten väntar fortfarande på granskning." in html
    assert "Ändringen är sparad" not in html
    assert edits() == 0
    # A real change is saved and said to be.
    page = client.get(f"/entries/{entry_id}/edit")
    response = client.post(
        f"/entries/{entry_id}/edit", data=as_served(page, place="Skolan"), follow_redirects=True
    )
    assert "Ändringen är sparad. Posten väntar på granskning." in response.get_data(as_text=True)
    assert edits() == 1
