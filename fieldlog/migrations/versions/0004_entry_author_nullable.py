"""An entry may lose its author: retention removes the personal data of old entries.

``flask --app wsgi retention`` sets ``entry.author_id`` to null (with place,
position, notes, reviewer and review comment) and keeps everything counted.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entry") as batch:
        batch.alter_column("author_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    # Entries whose author was removed cannot go back to a schema that needs one.
    orphans = op.get_bind().execute(sa.text("SELECT count(*) FROM entry WHERE author_id IS NULL"))
    if orphans.scalar():
        raise RuntimeError("entries without an author (removed by retention) need revision 0004")
    with op.batch_alter_table("entry") as batch:
        batch.alter_column("author_id", existing_type=sa.Integer(), nullable=False)
