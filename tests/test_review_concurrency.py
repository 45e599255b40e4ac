"""Two supervisors review the same entry at once: exactly one wins, the other gets 409."""

from __future__ import annotations

import threading

import pytest

from fieldlog.extensions import db
from fieldlog.models import User
from fieldlog.services.entries import EntryError
from fieldlog.services.review import record_review, review_many
from fieldlog.services.tallies import check

from .factories import make_user
from .review_helpers import log, status_of, tally


def _race(app, supervisors: list[User], work) -> list:
    """Run ``work(user, i)`` for each supervisor in its own thread and app context, all at once."""
    barrier = threading.Barrier(len(supervisors))
    user_ids = [u.id for u in supervisors]
    results: list = [None] * len(supervisors)

    def run(i: int) -> None:
        with app.app_context(), app.test_request_context():
            user = db.session.get(User, user_ids[i])
            barrier.wait()
            try:
                results[i] = work(user, i)
            except EntryError as exc:
                results[i] = exc.status
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(supervisors))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def two_supervisors(users) -> list[User]:
    """The area's supervisor and a second one."""
    return [users["supervisor"], make_user("supervisor2", "supervisor")]


@pytest.mark.commits
def test_simultaneous_reviews_one_wins_one_gets_409(app, users, two_supervisors):
    for _round in range(5):
        (entry_id,) = log(users["officer"])
        db.session.commit()

        def review(user, i, entry_id=entry_id):
            return record_review(user, entry_id, ("approve", "reject")[i], "Nej").status

        results = _race(app, two_supervisors, review)
        assert results.count(409) == 1, results
        winner = next(r for r in results if r != 409)
        assert winner in ("approved", "rejected")
        assert status_of(entry_id) == winner
    assert check() == []
    counts = tally("arjeplog-fotpatrull", 2026)
    assert counts["approved"] + counts["rejected"] == 5 and counts["pending"] == 0


@pytest.mark.commits
def test_simultaneous_bulk_reviews_never_count_twice(app, users, two_supervisors):
    ids = log(users["officer"], 10)
    db.session.commit()
    outcomes = _race(app, two_supervisors, lambda u, i: review_many(u, ids, "approve", None))
    done = [set(o.done) for o in outcomes]
    already = [set(o.already_reviewed) for o in outcomes]
    assert done[0] | done[1] == set(ids) and not done[0] & done[1]
    assert already[0] == done[1] and already[1] == done[0]
    assert tally("arjeplog-fotpatrull", 2026) == {
        "counted": 10,
        "approved": 10,
        "pending": 0,
        "rejected": 0,
    }
    assert check() == []
