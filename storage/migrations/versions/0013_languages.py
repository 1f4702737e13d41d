"""person_settings: the person's own language and the last one Telegram sent for them

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Both nullable: no choice (Telegram's language, else the studio's), and no
    # language of ours seen from Telegram yet.
    with op.batch_alter_table("person_settings") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("telegram_language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person_settings") as batch:
        batch.drop_column("telegram_language")
        batch.drop_column("language")
