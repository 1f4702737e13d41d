"""send_budget: Telegram's 30/s shared by every dispatcher; notifications by member

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(  # its one row is made by the first dispatcher that needs it (storage/send_budget.py)
        "send_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_start", sa.Float(), nullable=False),
        sa.Column("paused_until", sa.Float(), nullable=False),
        sa.Column("replies_until", sa.Float(), nullable=False),
        sa.Column("extra", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_budget")),
    )
    op.create_index("ix_notifications_member", "notifications", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_member", table_name="notifications")
    op.drop_table("send_budget")
