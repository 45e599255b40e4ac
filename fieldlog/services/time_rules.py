"""The time rules promises count in: ``obekvam_tid`` or a stored time window, by code.

A promise's rule is looked up in the process's catalogue by ``PromiseResolver.time_rule``.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import Promise, TimeWindow
from ..rules.counting import OBEKVAM_TID
from ..rules.windows import TimeWindow as WindowRule


def time_rules() -> dict[str, WindowRule]:
    """Every stored time window as its rule, by code (one query)."""
    return {w.code: w.rule() for w in db.session.scalars(select(TimeWindow))}


def rule_codes() -> set[str]:
    """Every code a promise's ``time_rule`` may name."""
    return {OBEKVAM_TID, *db.session.scalars(select(TimeWindow.code))}


def promises_using(codes: set[str] | list[str]) -> list[Promise]:
    """The promises counted in any of the time windows ``codes`` (those a changed window
    recounts)."""
    return list(db.session.scalars(select(Promise).where(Promise.time_rule.in_(list(codes)))))


def usage_counts() -> dict[str, int]:
    """Time rule code → how many promises count in it (one query)."""
    stmt = select(Promise.time_rule, func.count()).group_by(Promise.time_rule)
    return {code: n for code, n in db.session.execute(stmt) if code is not None}
