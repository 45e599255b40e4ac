"""Property: arbitrary JSON in every field of the sync and the review never makes a 5xx.

``POST /api/v1/entries`` answers one result per entry and stores nothing for an
invalid one; ``POST /api/v1/entries/<id>/review`` changes nothing unless it
answers 200, and never stores a comment with control characters.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.inputs import has_forbidden_characters
from fieldlog.models import Entry
from fieldlog.services.users import issue_token

from .review_helpers import log

FIELDS = (
    "client_id",
    "promise",
    "municipality",
    "activity",
    "started_at",
    "ended_at",
    "place",
    "lat",
    "lon",
    "officers",
    "metrics",
    "notes",
    "base_version",
)
TRICKY = [
    "²",
    "③",
    "١٢",
    "1_000",
    " 7 ",
    "\x00",
    "a\x0bb",
    "\ud800",
    "\ufffe",
    "2147483648",
    "9223372036854775808",
    "-1",
    "0",
    "NaN",
    "2026-03-03T10:00",
    "2026-03-03T09:00:00Z",
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+14:00",
    "arjeplog-fotpatrull",
    "arjeplog-trafikinsats-obekvam",
    "2506",
    "fotpatrull",
    "x" * 5000,
]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(TRICKY),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["contacts", "reports", "x", "²"]) | st.text(max_size=4),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)
KEEP, DROP = object(), object()
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@st.composite
def entries(draw):
    """An entry that starts valid, each field kept, dropped or replaced by any JSON value."""
    if draw(st.integers(0, 19)) == 0:
        return draw(json_values)  # now and then not even an object
    entry = {
        "client_id": str(draw(st.uuids())),
        "promise": "arjeplog-fotpatrull",
        "started_at": "2026-03-03T10:00",
        "ended_at": "2026-03-03T11:00",
        "place": "Torget",
        "officers": 2,
        "metrics": {"contacts": 3},
        "notes": "",
    }
    for name in FIELDS:
        choice = draw(st.one_of(st.just(KEEP), st.just(DROP), st.sampled_from(TRICKY), json_values))
        if choice is DROP:
            entry.pop(name, None)
        elif choice is not KEEP:
            entry[name] = choice
    return entry


def _versions(client_ids: list[str]) -> dict[str, int]:
    db.session.commit()  # a fresh snapshot: see what the request committed
    rows = db.session.execute(
        select(Entry.client_id, Entry.version).where(Entry.client_id.in_(client_ids))
    )
    return dict(rows.all())


def _count() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Entry))


def test_arbitrary_entries_never_fail_the_batch_and_invalid_ones_store_nothing(client, users):
    headers = {"Authorization": f"Bearer {issue_token(users['officer'])}"}

    @SETTINGS
    @given(st.lists(entries(), min_size=1, max_size=4))
    def sync(batch):
        sent_ids = [e.get("client_id") for e in batch if isinstance(e, dict)]
        sent_ids = [i for i in sent_ids if isinstance(i, str) and UUID.fullmatch(i)]
        before, stored_before = _count(), _versions(sent_ids)
        response = client.post("/api/v1/entries", json={"entries": batch}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        results = response.get_json()["results"]
        assert len(results) == len(batch)
        created = [r for r in results if r["status"] == "created"]
        assert _count() - before == len(created)
        stored_after = _versions(sent_ids)
        for result in results:
            cid = result["client_id"]
            if result["status"] == "invalid" and isinstance(cid, str) and cid in stored_before:
                assert stored_after[cid] == stored_before[cid]
        for row in db.session.scalars(select(Entry).where(Entry.client_id.in_(sent_ids))):
            assert not has_forbidden_characters(row.notes or "")
            assert not has_forbidden_characters(row.place or "")

    sync()


def test_arbitrary_reviews_never_fail_and_change_nothing_unless_200(client, users):
    headers = {"Authorization": f"Bearer {issue_token(users['supervisor'])}"}
    ids = log(users["officer"], 20, started_at="2026-03-03T10:00")
    bodies = st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "decision": st.sampled_from(["approve", "reject"]) | json_values,
                "comment": st.sampled_from(TRICKY) | json_values,
            },
        ),
        json_values,
    )
    entry_ids = st.one_of(
        st.sampled_from(ids),
        st.integers(-5, 2**70),
        st.sampled_from([2**31, 2**63, 2**64, "²", "١", "%00", "x" * 300]),
    )

    @SETTINGS
    @given(entry_ids, bodies)
    def review(entry_id, body):
        db.session.commit()
        before = {e.id: (e.status, e.review_comment) for e in db.session.scalars(select(Entry))}
        response = client.post(f"/api/v1/entries/{entry_id}/review", json=body, headers=headers)
        assert response.status_code < 500, response.get_data(as_text=True)
        assert response.is_json
        db.session.commit()
        after = {e.id: (e.status, e.review_comment) for e in db.session.scalars(select(Entry))}
        if response.status_code != 200:
            assert after == before
        else:
            changed = [i for i in after if after[i] != before[i]]
            assert changed == [entry_id]
            assert not has_forbidden_characters(after[entry_id][1] or "")

    review()
