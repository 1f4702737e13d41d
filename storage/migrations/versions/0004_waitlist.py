"""waitlist: members waiting, in order, for a spot on a full occurrence

One row per member in line; its place is its join time (then id). A row leaves the
table when the member leaves the line, is booked from it, or the occurrence is
cancelled. Joining costs nothing, so no pass is referenced here.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'waitlist',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('occurrence_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_waitlist_occurrence_id_occurrences')),
        sa.ForeignKeyConstraint(['member_id'], ['people.id'], name=op.f('fk_waitlist_member_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist')),
        sa.UniqueConstraint('occurrence_id', 'member_id', name=op.f('uq_waitlist_occurrence_id_member_id')),
    )
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_member', ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.drop_index('ix_waitlist_member')
    op.drop_table('waitlist')
