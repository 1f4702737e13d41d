"""private_sessions: a schedule may be private (1:1), booked by staff only

A private schedule's sessions are for one member: the capacity is 1, checked by the
database too, so no edit path can widen one into a class that members never see.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_check_constraint("private_for_one", "NOT private OR default_capacity = 1")


def downgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_schedules_private_for_one"), type_="check")
        batch_op.drop_column("private")
