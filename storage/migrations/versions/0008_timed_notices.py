"""timed notices: person_settings, timed_notices (each reminder, trainer's day and
pass warning recorded once), notice_scans, and an index on passes' expiry

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_settings",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        sa.Column("trainer_day", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_settings_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_settings")),
    )
    op.create_table(
        "timed_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('queued', 'dropped', 'superseded', 'skipped', 'free')", name=op.f("ck_timed_notices_known_outcome")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timed_notices")),
        sa.UniqueConstraint("kind", "subject_id", "slot", name=op.f("uq_timed_notices_kind_subject_id_slot")),
    )
    op.create_table(
        "notice_scans",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("scanned_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_notice_scans")),
    )
    op.create_index("ix_passes_expires_at", "passes", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_passes_expires_at", table_name="passes")
    op.drop_table("notice_scans")
    op.drop_table("timed_notices")
    op.drop_table("person_settings")
