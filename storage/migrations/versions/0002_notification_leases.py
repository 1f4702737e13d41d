"""notification leases: who is sending a notification, until when, and its last attempt

The dispatcher claims outbox rows with a lease (`claimed_by`, `claimed_until`) so two
dispatchers never send the same row and a crashed one's rows are sent after restart.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', storage.models.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_attempt_at', storage.models.UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('last_attempt_at')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')
