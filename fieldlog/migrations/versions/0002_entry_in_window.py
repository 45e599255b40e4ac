"""Entries store whether their start lies inside their promise's time rule (in_window).

Replaces ``entry.inconvenient`` (inconvenient hours, whatever the promise) by
``entry.in_window`` (inside the promise's time rule; true without one), and
applies the corrected holiday rule (the ``holidays`` package's own midsummer
eve) once to every entry already stored: year and window are recomputed from
the rules and the tallies recounted, as ``flask --app wsgi tally rebuild`` does.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 05:00:00
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

from fieldlog.rules import in_window, local_year

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

entry = sa.table(
    "entry",
    sa.column("id", sa.Integer),
    sa.column("promise_id", sa.Integer),
    sa.column("started_at", sa.DateTime),
    sa.column("year", sa.Integer),
    sa.column("in_window", sa.Boolean),
)
promise = sa.table("promise", sa.column("id", sa.Integer), sa.column("time_rule", sa.String))

RECOUNT = """
INSERT INTO tally (promise_id, year, counted, approved, pending, rejected)
SELECT promise_id, year,
       SUM(CASE WHEN status = 'approved' AND in_window THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END)
FROM entry GROUP BY promise_id, year
"""


def upgrade():
    with op.batch_alter_table("entry") as batch:
        batch.alter_column("inconvenient", new_column_name="in_window")
    recompute_entries()
    op.execute("DELETE FROM tally")
    op.execute(RECOUNT)


def recompute_entries():
    """Year and window of every stored entry from the rules (stored times are naive UTC)."""
    import datetime as dt

    bind = op.get_bind()
    zone = current_app.config.get("FIELDLOG_TIMEZONE", "Europe/Stockholm")
    rows = bind.execute(
        sa.select(
            entry.c.id, entry.c.started_at, entry.c.year, entry.c.in_window, promise.c.time_rule
        ).join(promise, promise.c.id == entry.c.promise_id)
    ).all()
    changes = []
    for row in rows:
        start = row.started_at.replace(tzinfo=dt.UTC)
        year, inside = local_year(start, zone), in_window(row.time_rule, start, zone)
        if (year, inside) != (row.year, row.in_window):
            changes.append({"b_id": row.id, "b_year": year, "b_in": inside})
    if changes:
        bind.execute(
            entry.update()
            .where(entry.c.id == sa.bindparam("b_id"))
            .values(year=sa.bindparam("b_year"), in_window=sa.bindparam("b_in")),
            changes,
        )


def downgrade():
    with op.batch_alter_table("entry") as batch:
        batch.alter_column("in_window", new_column_name="inconvenient")
