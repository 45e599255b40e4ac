"""The catalogue stamp: a random text set anew whenever an agreement's tables change.

Each process keeps the agreements in memory and reads them again when the stamp
differs from the one it loaded them with (services/catalogue.py). Triggers set it,
so no way of changing those tables can forget to: on PostgreSQL one statement-level
trigger per table (TRUNCATE too), on SQLite one per table and kind of change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The tables of services/catalogue.py's snapshot: a change to any of them changes the stamp.
WATCHED = (
    "police_area",
    "municipality",
    "activity_type",
    "time_window",
    "commitment",
    "commitment_municipality",
    "promise",
    "promise_target",
)
KINDS = ("insert", "update", "delete")

PG_FUNCTION = """
CREATE FUNCTION fieldlog_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalogue_stamp (id, stamp) VALUES (1, gen_random_uuid()::text)
    ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
    RETURN NULL;
END
$$
"""
SQLITE_NEW_STAMP = (
    "INSERT OR REPLACE INTO catalogue_stamp (id, stamp) VALUES (1, lower(hex(randomblob(16))))"
)


def upgrade():
    op.create_table(
        "catalogue_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_stamp")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("INSERT INTO catalogue_stamp (id, stamp) VALUES (1, gen_random_uuid()::text)")
        op.execute(PG_FUNCTION)
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_catalogue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION fieldlog_catalogue_changed()"
            )
    else:
        op.execute(SQLITE_NEW_STAMP)
        for table in WATCHED:
            for kind in KINDS:
                op.execute(
                    f"CREATE TRIGGER {table}_catalogue_{kind} AFTER {kind.upper()} ON {table} "
                    f"BEGIN {SQLITE_NEW_STAMP}; END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_catalogue ON {table}")
        op.execute("DROP FUNCTION fieldlog_catalogue_changed()")
    else:
        for table in WATCHED:
            for kind in KINDS:
                op.execute(f"DROP TRIGGER {table}_catalogue_{kind}")
    op.drop_table("catalogue_stamp")
