"""schedule_eras and pass_extensions: schedules edited from a date on, and pass
expiry moved on when a session it paid for is cancelled

Revision ID: 0012
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_eras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("default_capacity", sa.Integer(), nullable=False),
        sa.Column("default_space_id", sa.Integer(), nullable=False),
        sa.Column("default_trainer_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_schedule_eras_duration_positive")),
        sa.CheckConstraint("default_capacity > 0", name=op.f("ck_schedule_eras_capacity_positive")),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_schedule_eras_schedule_id_schedules"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["default_space_id"], ["spaces.id"], name=op.f("fk_schedule_eras_default_space_id_spaces")
        ),
        sa.ForeignKeyConstraint(
            ["default_trainer_id"], ["people.id"], name=op.f("fk_schedule_eras_default_trainer_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_eras")),
        sa.UniqueConstraint("schedule_id", "until", name=op.f("uq_schedule_eras_schedule_id_until")),
    )
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
    op.drop_table("schedule_eras")
