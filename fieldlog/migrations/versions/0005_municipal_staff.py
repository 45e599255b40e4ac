"""Municipal staff: the municipalities a user of the municipal role works for.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_municipality",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_user_municipality_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_user_municipality_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("user_id", "municipality_id", name=op.f("pk_user_municipality")),
    )


def downgrade():
    op.drop_table("user_municipality")
