"""Agreements as Sweden writes them (CONTRACT.md, "Version 2").

- ``time_window``: named windows such as Friday and Saturday evenings;
  ``promise.time_rule`` widens to hold their codes.
- ``activity_type.metric_labels``.
- ``commitment_municipality``: the municipalities an agreement covers (joint
  agreements cover several), filled with each commitment's own municipality;
  ``commitment.district``.
- ``promise_target``: targets per period by year, filled from
  ``promise.yearly_target`` (per year, from the commitment's first year), which
  goes; ``promise.places``.
- ``entry.municipality_id`` (filled with the promise's municipality) and
  ``entry.day`` (the local day of its start).
- ``tally`` kept per promise, municipality, local day (and calendar year), place and
  measure (entries, or a metric's sum), recounted from the entries.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:00:00
"""

import datetime as dt
from collections import Counter, defaultdict

import sqlalchemy as sa
from alembic import op
from flask import current_app

from fieldlog.rules import counts, to_local

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

entry = sa.table(
    "entry",
    sa.column("id", sa.Integer),
    sa.column("promise_id", sa.Integer),
    sa.column("municipality_id", sa.Integer),
    sa.column("started_at", sa.DateTime),
    sa.column("day", sa.Date),
    sa.column("status", sa.String),
    sa.column("in_window", sa.Boolean),
    sa.column("metrics", sa.JSON),
)
promise = sa.table(
    "promise",
    sa.column("id", sa.Integer),
    sa.column("commitment_id", sa.Integer),
    sa.column("yearly_target", sa.Integer),
)
commitment = sa.table(
    "commitment",
    sa.column("id", sa.Integer),
    sa.column("municipality_id", sa.Integer),
    sa.column("valid_from", sa.Date),
)
COLUMNS = ("counted", "approved", "pending", "rejected")
KEY_COLUMNS = ("promise_id", "span", "day", "municipality_id", "place", "measure")


def _tally_table(name: str = "tally") -> None:
    op.create_table(
        name,
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("span", sa.String(4), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("measure", sa.String(80), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in COLUMNS),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promise.id"], name=op.f("fk_tally_promise_id_promise")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_tally_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "promise_id",
            "span",
            "day",
            "municipality_id",
            "place",
            "measure",
            name=op.f("pk_tally"),
        ),
        sqlite_with_rowid=False,
    )


def upgrade():
    bind = op.get_bind()
    op.create_table(
        "time_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("label_en", sa.String(120), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("starts", sa.String(5), nullable=False),
        sa.Column("ends", sa.String(5), nullable=False),
        sa.Column("holidays", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_window")),
        sa.UniqueConstraint("code", name=op.f("uq_time_window_code")),
    )
    op.add_column(
        "activity_type",
        sa.Column("metric_labels", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )

    op.create_table(
        "commitment_municipality",
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_commitment_municipality_commitment_id_commitment"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_commitment_municipality_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "commitment_id", "municipality_id", name=op.f("pk_commitment_municipality")
        ),
    )
    op.create_index(
        op.f("ix_commitment_municipality_municipality_id"),
        "commitment_municipality",
        ["municipality_id"],
    )
    op.execute(
        "INSERT INTO commitment_municipality (commitment_id, municipality_id) "
        "SELECT id, municipality_id FROM commitment"
    )
    op.add_column("commitment", sa.Column("district", sa.String(120), nullable=True))

    op.create_table(
        "promise_target",
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("from_year", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("per", sa.String(10), nullable=False),
        sa.Column("each_place", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promise.id"], name=op.f("fk_promise_target_promise_id_promise")
        ),
        sa.PrimaryKeyConstraint("promise_id", "from_year", name=op.f("pk_promise_target")),
    )
    targets = bind.execute(
        sa.select(promise.c.id, promise.c.yearly_target, commitment.c.valid_from)
        .join(commitment, commitment.c.id == promise.c.commitment_id)
        .where(promise.c.yearly_target.is_not(None))
    ).all()
    if targets:
        bind.execute(
            sa.table(
                "promise_target",
                *(sa.column(c) for c in ("promise_id", "from_year", "count", "per", "each_place")),
            ).insert(),
            [
                {
                    "promise_id": t.id,
                    "from_year": t.valid_from.year,
                    "count": t.yearly_target,
                    "per": "year",
                    "each_place": False,
                }
                for t in targets
            ],
        )
    # Without batch mode: on SQLite a copied ``promise`` table would break the foreign keys
    # that point at it; SQLite (3.35+) drops a plain column itself, and holds any length.
    op.add_column(
        "promise", sa.Column("places", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
    )
    if bind.dialect.name != "sqlite":
        op.alter_column("promise", "time_rule", type_=sa.String(40), existing_type=sa.String(20))
    op.execute("ALTER TABLE promise DROP COLUMN yearly_target")

    with op.batch_alter_table("entry") as batch:
        batch.add_column(sa.Column("municipality_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("day", sa.Date(), nullable=True))
    op.execute(
        "UPDATE entry SET municipality_id = (SELECT commitment.municipality_id FROM promise "
        "JOIN commitment ON commitment.id = promise.commitment_id "
        "WHERE promise.id = entry.promise_id)"
    )
    _fill_days(bind)
    with op.batch_alter_table("entry") as batch:
        batch.alter_column("municipality_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("day", existing_type=sa.Date(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_entry_municipality_id_municipality"),
            "municipality",
            ["municipality_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_entry_municipality_id"), ["municipality_id"])

    op.drop_table("tally")
    _tally_table()
    _recount(bind)


def _fill_days(bind) -> None:
    """Each stored entry's local day of its start (stored times are naive UTC)."""
    zone = current_app.config.get("FIELDLOG_TIMEZONE", "Europe/Stockholm")
    rows = bind.execute(sa.select(entry.c.id, entry.c.started_at)).all()
    changes = [
        {"b_id": r.id, "b_day": to_local(r.started_at.replace(tzinfo=dt.UTC), zone).date()}
        for r in rows
    ]
    if changes:
        bind.execute(
            entry.update()
            .where(entry.c.id == sa.bindparam("b_id"))
            .values(day=sa.bindparam("b_day")),
            changes,
        )


def _recount(bind) -> None:
    """The kept tallies from the entries (as ``tally rebuild`` does; no places stored yet)."""
    found: dict[tuple, Counter] = defaultdict(Counter)
    rows = bind.execute(
        sa.select(
            entry.c.promise_id,
            entry.c.municipality_id,
            entry.c.day,
            entry.c.status,
            entry.c.in_window,
            entry.c.metrics,
        )
    )
    for r in rows:
        if r.status not in COLUMNS:
            continue
        for measure, n in [("", 1), *((r.metrics or {}).items())]:
            for span, day in (("day", r.day), ("year", dt.date(r.day.year, 1, 1))):
                key = (r.promise_id, span, day, r.municipality_id, "", measure)
                found[key][r.status] += n
                if counts(r.status, r.in_window):
                    found[key]["counted"] += n
    if found:
        bind.execute(
            sa.table("tally", *(sa.column(c) for c in (*KEY_COLUMNS, *COLUMNS))).insert(),
            [
                {**dict(zip(KEY_COLUMNS, k, strict=True)), **{c: v.get(c, 0) for c in COLUMNS}}
                for k, v in found.items()
            ],
        )


def downgrade():
    op.drop_table("tally")
    op.create_table(
        "tally",
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in COLUMNS),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promise.id"], name=op.f("fk_tally_promise_id_promise")
        ),
        sa.PrimaryKeyConstraint("promise_id", "year", name=op.f("pk_tally")),
    )
    op.execute(
        "INSERT INTO tally (promise_id, year, counted, approved, pending, rejected) "
        "SELECT promise_id, year, "
        "SUM(CASE WHEN status = 'approved' AND in_window THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) "
        "FROM entry GROUP BY promise_id, year"
    )
    with op.batch_alter_table("entry") as batch:
        batch.drop_index(op.f("ix_entry_municipality_id"))
        batch.drop_constraint(op.f("fk_entry_municipality_id_municipality"), type_="foreignkey")
        batch.drop_column("day")
        batch.drop_column("municipality_id")
    op.add_column("promise", sa.Column("yearly_target", sa.Integer(), nullable=True))
    op.execute("ALTER TABLE promise DROP COLUMN places")
    op.execute(
        "UPDATE promise SET yearly_target = (SELECT promise_target.count FROM promise_target "
        "WHERE promise_target.promise_id = promise.id AND promise_target.per = 'year' "
        "ORDER BY promise_target.from_year LIMIT 1)"
    )
    op.drop_table("promise_target")
    op.execute("ALTER TABLE commitment DROP COLUMN district")
    op.drop_index(
        op.f("ix_commitment_municipality_municipality_id"), table_name="commitment_municipality"
    )
    op.drop_table("commitment_municipality")
    op.execute("ALTER TABLE activity_type DROP COLUMN metric_labels")
    op.drop_table("time_window")
