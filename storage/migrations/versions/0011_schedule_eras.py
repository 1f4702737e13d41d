"""schedules.eras and pass_extensions: schedules edited from a date on keep their
earlier values; a pass's expiry moved on when a session it paid for is cancelled

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eras", sa.JSON(), nullable=True))
    op.create_table(
        "pass_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pass_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("days > 0", name=op.f("ck_pass_extensions_days_positive")),
        sa.ForeignKeyConstraint(["pass_id"], ["passes.id"], name=op.f("fk_pass_extensions_pass_id_passes")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_pass_extensions_booking_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pass_extensions")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_pass_extensions_booking_id")),
    )
    op.create_index("ix_pass_extensions_pass", "pass_extensions", ["pass_id"])


def downgrade() -> None:
    op.drop_index("ix_pass_extensions_pass", table_name="pass_extensions")
    op.drop_table("pass_extensions")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("eras")
