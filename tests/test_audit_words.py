"""History and the audit log in words: names, promise texts, every action, before → after."""

from __future__ import annotations

import html
import re

from flask import current_app
from sqlalchemy import select

from fieldlog.extensions import db
from fieldlog.models import Entry, Promise
from fieldlog.services import audit
from fieldlog.services.entries import sync_entries
from fieldlog.services.followups import record_follow_up
from fieldlog.services.review import correct_entry, record_review

from .factories import entry_data
from .review_helpers import log


def _text(response) -> str:
    """The page's words without tags, as a reader sees them."""
    page = response.get_data(as_text=True)
    page = page[page.index("<main") :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _history_items(response) -> list[str]:
    page = response.get_data(as_text=True)
    history = page[page.index('<ol class="history">') : page.index("</ol>", page.index("Historik"))]
    items = history.split('<li class="history-event">')[1:]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", i)).split()) for i in items]


def test_a_resent_entrys_history_shows_created_rejected_by_whom_and_why_then_resent(
    client, auth, users
):
    item = entry_data(place="Torget")
    with current_app.test_request_context():
        (created,) = sync_entries(users["officer"], [item])
        record_review(users["supervisor"], created.entry_id, "reject", "Fel plats, gäller skolan")
        resent = {**item, "place": "Skolan", "base_version": 1}
        assert sync_entries(users["officer"], [resent])[0].status == "updated"
    auth.login("officer")
    items = _history_items(client.get(f"/entries/{created.entry_id}/history"))
    assert len(items) == 3, items
    assert items[0].startswith("Post skapad · Officer ·")
    assert items[1].startswith("Post avslagen · Supervisor ·")
    assert "Skäl till avslaget: Fel plats, gäller skolan" in items[1]
    assert "Status: väntar → avslagen" in items[1]
    assert items[2].startswith("Post skickad igen efter avslag · Officer ·")
    assert "Plats: Torget → Skolan" in items[2]
    assert "Status: avslagen → väntar" in items[2]
    # The promise in words, never its key; no login names.
    assert "arjeplog-fotpatrull" not in " ".join(items)
    assert "Polisen genomför vid minst 5 tillfällen per år fotpatruller" in items[0]


def test_the_audit_filter_finds_resends_apart_from_edits(client, auth, users):
    item = entry_data()
    with current_app.test_request_context():
        (created,) = sync_entries(users["officer"], [item])
        sync_entries(users["officer"], [{**item, "place": "A", "base_version": 1}])
        record_review(users["supervisor"], created.entry_id, "reject", "Saknar antal")
        sync_entries(users["officer"], [{**item, "place": "B", "base_version": 2}])
    auth.login("supervisor")
    resends = _text(client.get("/audit?action=entry.resent")).split(" Rensa ")[1]
    edits = _text(client.get("/audit?action=entry.edited")).split(" Rensa ")[1]
    assert resends.count("Post skickad igen efter avslag ·") == 1
    assert edits.count("Post ändrad ·") == 1 and "skickad igen" not in edits
    page = client.get("/audit").get_data(as_text=True)
    assert '<option value="entry.resent">Post skickad igen efter avslag</option>' in page


def test_a_correction_is_shown_as_post_rattad_and_the_filter_finds_it(client, auth, users):
    (entry_id,) = log(users["officer"], place="Torget")
    with current_app.test_request_context():
        record_review(users["supervisor"], entry_id, "approve", None)
        entry = db.session.get(Entry, entry_id)
        data = {
            "promise": "arjeplog-fotpatrull",
            "started_at": "2026-06-10T09:00",
            "place": "Skolgården",
            "officers": 2,
            "metrics": {},
        }
        correct_entry(users["supervisor"], entry_id, data, entry.version, "Två poliser var med")
    auth.login("supervisor")
    found = _text(client.get("/audit?action=entry.corrected"))
    assert "Post rättad · Supervisor · post" in found
    assert "Plats: Torget → Skolgården" in found
    assert "Poliser: 1 → 2" in found
    assert "Skäl till rättelsen: Två poliser var med" in found
    history = _history_items(client.get(f"/entries/{entry_id}/history"))
    assert history[-1].startswith("Post rättad · Supervisor")


def test_the_audit_log_names_people_and_promises_and_translates_every_action(client, auth, users):
    with current_app.test_request_context():
        record_follow_up(users["coordinator"], "arjeplog-felanmalan", 2026, "genomfort", "Klart")
        promise = db.session.scalar(select(Promise).where(Promise.key == "arjeplog-fotpatrull"))
        commitment = promise.commitment
        audit.record(
            "commitment.changed",
            "commitment",
            commitment.id,
            before={
                "title": commitment.title,
                "valid_to": "2024-12-31",
                "promises": [{"key": promise.key, "text": promise.text, "yearly_target": 20}],
            },
            after={
                "title": commitment.title,
                "valid_to": "2025-12-31",
                "promises": [{"key": promise.key, "text": promise.text, "yearly_target": 30}],
            },
            actor=users["admin"],
            police_area_id=users["admin"].police_area_id,
        )
        db.session.commit()
    auth.login("supervisor")
    page = _text(client.get("/audit"))
    assert "Uppföljning av löfte sparad · Coordinator" in page
    assert "Läge: Genomfört" in page and "genomfort" not in page
    assert "Kommunen tar fram en struktur" in page  # the promise's text, not its key
    assert "arjeplog-felanmalan" not in page
    assert "Medborgarlöfte ändrat · Admin" in page
    assert "Gäller till: 2024-12-31 → 2025-12-31" in page
    assert "Mål per år: 20 → 30" in page
    assert "commitment.changed" not in page and "follow_up.recorded" not in page
    # The accounts made by the fixtures: named, never "user 3".
    assert "Användare skapad" in page and not re.search(r"\buser \d+\b", page)


def test_an_admin_has_the_log_in_the_menu(client, auth, users):
    auth.login("admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'<a href="/audit"[^>]*>Historik</a>', page)


def test_the_audit_search_by_user_finds_the_shown_name(client, auth, users):
    users["officer"].display_name = "Anna Andersson"
    db.session.commit()
    log(users["officer"])
    auth.login("supervisor")
    page = _text(client.get("/audit?user=andersson"))
    assert "Post skapad · Anna Andersson" in page
