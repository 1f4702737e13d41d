"""drop what nothing reads: the `studio` table and `occurrences.moved`

The studio's zone and deadline come from the settings and the schedules; no code
ever read the `studio` table. `moved` was written with every save but never
queried: a listing finds moved occurrences by their effective `start`.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("studio")
    with op.batch_alter_table("occurrences", schema=None) as batch_op:
        batch_op.drop_column("moved")


def downgrade() -> None:
    with op.batch_alter_table("occurrences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moved", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE occurrences SET moved = (start <> original_start)")
    op.create_table(
        "studio",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("booking_deadline_minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio")),
    )
