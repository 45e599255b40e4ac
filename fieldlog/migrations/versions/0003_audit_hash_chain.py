"""The audit log is a hash chain: each event stores prev_hash and hash (services/audit_chain.py).

Events made before this migration are chained here, in id order. The append-only
triggers refuse the UPDATE that takes, so they are set aside for it inside the
migration's transaction (PostgreSQL: disabled under the table's exclusive lock;
SQLite: dropped and made again, as a table rebuild drops them anyway).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from fieldlog.services.audit_chain import GENESIS, event_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("police_area_id", sa.Integer),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("address", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)

SQLITE_GUARDS = [
    f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
]


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _guards_off() -> None:
    if _postgres():
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _guards_on() -> None:
    if _postgres():
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    else:
        for statement in SQLITE_GUARDS:
            op.execute(statement)


def chain_existing(batch: int = 2000) -> None:
    """Hash every stored event onto the one before it, in id order."""
    bind = op.get_bind()
    previous, last_id = GENESIS, 0
    while True:
        rows = bind.execute(
            sa.select(audit_event)
            .where(audit_event.c.id > last_id)
            .order_by(audit_event.c.id)
            .limit(batch)
        ).mappings().all()  # fmt: skip
        if not rows:
            return
        changes = []
        for row in rows:
            digest = event_hash({**row, "prev_hash": previous})
            changes.append({"b_id": row["id"], "b_prev": previous, "b_hash": digest})
            previous, last_id = digest, row["id"]
        bind.execute(
            audit_event.update()
            .where(audit_event.c.id == sa.bindparam("b_id"))
            .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")),
            changes,
        )


def upgrade():
    _guards_off()
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    chain_existing()
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f("uq_audit_event_prev_hash"), ["prev_hash"])
    _guards_on()


def downgrade():
    _guards_off()
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint(op.f("uq_audit_event_prev_hash"), type_="unique")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
    _guards_on()
