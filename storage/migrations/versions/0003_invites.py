"""invites: deep-link tokens (hashed) that link a person's Telegram chat once

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'invites',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', storage.models.UtcDateTime(), nullable=False),
        sa.Column('expires_at', storage.models.UtcDateTime(), nullable=False),
        sa.Column('used_at', storage.models.UtcDateTime(), nullable=True),
        sa.CheckConstraint("role IN ('owner', 'admin', 'trainer', 'member')", name=op.f('ck_invites_known_role')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_invites_person_id_people'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invites')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_invites_token_hash')),
    )


def downgrade() -> None:
    op.drop_table('invites')
