"""Property: any run of creates, replays, edits, withdrawals and reviews keeps tallies exact."""

import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete

from fieldlog.extensions import db
from fieldlog.models import Entry, Tally
from fieldlog.services import tallies
from fieldlog.services.entries import EntryError, sync_entries, withdraw_entry
from fieldlog.services.review import record_review

# Promises with and without a time rule, in two municipalities, and start times around
# New Year (local years), on weekdays and weekends (inconvenient hours).
PROMISES = ["arjeplog-fotpatrull", "arjeplog-trafikinsats-obekvam", "alvsbyn23-hundsok"]
TIMES = [
    "2023-12-31T23:30:00",
    "2023-12-31T22:30:00Z",
    "2024-01-01T00:30:00",
    "2024-05-08T12:00:00",
    "2024-05-11T12:00:00",
    "2024-05-08T21:15:00+02:00",
]


def make_machine(users: dict):
    """The state machine, bound to the test's users."""
    authors = [users["officer"], users["officer2"]]
    supervisor = users["supervisor"]

    class Tallies(RuleBasedStateMachine):
        """A model of what the server should answer, next to the real services."""

        entries = Bundle("entries")

        def __init__(self) -> None:
            super().__init__()
            self.model: dict[str, dict] = {}  # client_id → sent, author, version, status

        def sync(self, author, data: dict) -> dict:
            return sync_entries(author, [data])[0].as_dict()

        @rule(
            target=entries,
            promise=st.sampled_from(PROMISES),
            when=st.sampled_from(TIMES),
            author=st.sampled_from([0, 1]),
            notes=st.sampled_from([None, "a", "b"]),
        )
        def create(self, promise, when, author, notes):
            data = {
                "client_id": str(uuid.uuid4()),
                "promise": promise,
                "started_at": when,
                "notes": notes,
            }
            result = self.sync(authors[author], data)
            assert result["status"] == "created", result
            self.model[data["client_id"]] = {
                "sent": data,
                "author": author,
                "version": 1,
                "status": "pending",
            }
            return data["client_id"]

        @rule(cid=entries, as_other=st.booleans())
        def replay(self, cid, as_other):
            m = self.model[cid]
            author = authors[1 - m["author"]] if as_other else authors[m["author"]]
            result = self.sync(author, m["sent"])
            assert result["status"] == ("conflict" if as_other else "duplicate"), result

        @rule(
            cid=entries,
            promise=st.sampled_from(PROMISES),
            when=st.sampled_from(TIMES),
            stale=st.booleans(),
            as_other=st.booleans(),
        )
        def edit(self, cid, promise, when, stale, as_other):
            m = self.model[cid]
            data = {
                **m["sent"],
                "promise": promise,
                "started_at": when,
                "base_version": m["version"] + (1 if stale else 0),
            }
            data["notes"] = (data.get("notes") or "") + "!"  # always a change of content
            author = authors[1 - m["author"]] if as_other else authors[m["author"]]
            result = self.sync(author, data)
            editable = m["status"] in ("pending", "rejected")
            if as_other or stale or not editable:
                assert result["status"] == "conflict", result
                return
            assert result["status"] == "updated", result
            m.update(sent=data, version=m["version"] + 1, status="pending")

        @rule(cid=entries, decision=st.sampled_from(["approve", "reject"]))
        def review(self, cid, decision):
            m = self.model[cid]
            entry_id = db.session.scalar(db.select(Entry.id).where(Entry.client_id == cid))
            try:
                record_review(
                    supervisor, entry_id, decision, "Nej" if decision == "reject" else None
                )
            except EntryError as exc:
                assert exc.status == 409 and m["status"] != "pending"
                return
            assert m["status"] == "pending"
            m["status"] = "approved" if decision == "approve" else "rejected"

        @rule(cid=consumes(entries))
        def withdraw(self, cid):
            m = self.model[cid]
            entry_id = db.session.scalar(db.select(Entry.id).where(Entry.client_id == cid))
            try:
                withdraw_entry(authors[m["author"]], entry_id)
            except EntryError as exc:
                assert exc.status == 409 and m["status"] != "pending"
                return
            assert m["status"] == "pending"
            m["status"] = "withdrawn"

        @invariant()
        def kept_tallies_equal_a_recount(self):
            db.session.rollback()
            assert tallies.check() == []

        def teardown(self):
            # The next example starts from no entries; the append-only audit log stays.
            db.session.rollback()
            db.session.execute(delete(Tally))
            db.session.execute(delete(Entry))
            db.session.commit()

    return Tallies


def test_kept_tallies_always_equal_a_recount(app, users):
    with app.test_request_context():  # the services' messages are translated per request
        run_state_machine_as_test(
            make_machine(users),
            settings=settings(
                max_examples=30,
                stateful_step_count=20,
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            ),
        )
