"""initial schema

Revision ID: 0001
Revises: 
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pass_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=True),
    sa.Column('validity_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('sessions IS NULL OR sessions > 0', name=op.f('ck_pass_templates_sessions_positive')),
    sa.CheckConstraint('validity_days > 0', name=op.f('ck_pass_templates_validity_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pass_templates')),
    sa.UniqueConstraint('name', name=op.f('uq_pass_templates_name'))
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('telegram_user_id', name=op.f('uq_people_telegram_user_id'))
    )
    op.create_table('spaces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('max_capacity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('max_capacity IS NULL OR max_capacity > 0', name=op.f('ck_spaces_max_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spaces')),
    sa.UniqueConstraint('name', name=op.f('uq_spaces_name'))
    )
    op.create_table('studio',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('booking_deadline_minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UtcDateTime(), nullable=False),
    sa.Column('next_attempt_at', storage.models.UtcDateTime(), nullable=False),
    sa.Column('sent_at', storage.models.UtcDateTime(), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_notifications_known_status')),
    sa.ForeignKeyConstraint(['member_id'], ['people.id'], name=op.f('fk_notifications_member_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('change_id', 'member_id', name=op.f('uq_notifications_change_id_member_id'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('sessions_left', sa.Integer(), nullable=True),
    sa.Column('granted_at', storage.models.UtcDateTime(), nullable=False),
    sa.Column('expires_at', storage.models.UtcDateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('sessions_left IS NULL OR sessions_left >= 0', name=op.f('ck_passes_balance_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['people.id'], name=op.f('fk_passes_member_id_people')),
    sa.ForeignKeyConstraint(['template_id'], ['pass_templates.id'], name=op.f('fk_passes_template_id_pass_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passes'))
    )
    with op.batch_alter_table('passes', schema=None) as batch_op:
        batch_op.create_index('ix_passes_member', ['member_id'], unique=False)

    op.create_table('roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'admin', 'trainer', 'member')", name=op.f('ck_roles_known_role')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_roles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('person_id', 'role', name=op.f('uq_roles_person_id_role'))
    )
    op.create_table('schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rrule', sa.String(length=500), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('default_capacity', sa.Integer(), nullable=False),
    sa.Column('default_space_id', sa.Integer(), nullable=False),
    sa.Column('default_trainer_id', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('pass_template_id', sa.Integer(), nullable=True),
    sa.Column('booking_deadline_minutes', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('NOT closed OR pass_template_id IS NOT NULL', name=op.f('ck_schedules_closed_has_template')),
    sa.CheckConstraint('default_capacity > 0', name=op.f('ck_schedules_capacity_positive')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_schedules_duration_positive')),
    sa.ForeignKeyConstraint(['default_space_id'], ['spaces.id'], name=op.f('fk_schedules_default_space_id_spaces')),
    sa.ForeignKeyConstraint(['default_trainer_id'], ['people.id'], name=op.f('fk_schedules_default_trainer_id_people')),
    sa.ForeignKeyConstraint(['pass_template_id'], ['pass_templates.id'], name=op.f('fk_schedules_pass_template_id_pass_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedules'))
    )
    op.create_table('occurrences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('original_start', storage.models.UtcDateTime(), nullable=False),
    sa.Column('start', storage.models.UtcDateTime(), nullable=False),
    sa.Column('moved', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', storage.models.UtcDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_occurrences_capacity_positive')),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedules.id'], name=op.f('fk_occurrences_schedule_id_schedules')),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_occurrences_space_id_spaces')),
    sa.ForeignKeyConstraint(['trainer_id'], ['people.id'], name=op.f('fk_occurrences_trainer_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrences')),
    sa.UniqueConstraint('schedule_id', 'original_start', name=op.f('uq_occurrences_schedule_id_original_start'))
    )
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.create_index('ix_occurrences_original_start', ['original_start'], unique=False)
        batch_op.create_index('ix_occurrences_start', ['start'], unique=False)

    op.create_table('pass_template_schedules',
    sa.Column('pass_template_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pass_template_id'], ['pass_templates.id'], name=op.f('fk_pass_template_schedules_pass_template_id_pass_templates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedules.id'], name=op.f('fk_pass_template_schedules_schedule_id_schedules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pass_template_id', 'schedule_id', name=op.f('pk_pass_template_schedules'))
    )
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('pass_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', storage.models.UtcDateTime(), nullable=False),
    sa.Column('cancelled_at', storage.models.UtcDateTime(), nullable=True),
    sa.Column('cancelled_by', sa.String(length=32), nullable=True),
    sa.CheckConstraint("status IN ('active', 'cancelled')", name=op.f('ck_bookings_known_status')),
    sa.ForeignKeyConstraint(['member_id'], ['people.id'], name=op.f('fk_bookings_member_id_people')),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_bookings_occurrence_id_occurrences')),
    sa.ForeignKeyConstraint(['pass_id'], ['passes.id'], name=op.f('fk_bookings_pass_id_passes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_member', ['member_id'], unique=False)
        batch_op.create_index('uq_bookings_active_member', ['occurrence_id', 'member_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('pass_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pass_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('at', storage.models.UtcDateTime(), nullable=False),
    sa.CheckConstraint("kind = 'grant' OR booking_id IS NOT NULL", name=op.f('ck_pass_ledger_use_refund_has_booking')),
    sa.CheckConstraint("kind IN ('grant', 'use', 'refund')", name=op.f('ck_pass_ledger_known_kind')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_pass_ledger_booking_id_bookings')),
    sa.ForeignKeyConstraint(['pass_id'], ['passes.id'], name=op.f('fk_pass_ledger_pass_id_passes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pass_ledger')),
    sa.UniqueConstraint('booking_id', 'kind', name=op.f('uq_pass_ledger_booking_id_kind'))
    )
    with op.batch_alter_table('pass_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_pass_ledger_pass', ['pass_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pass_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_pass_ledger_pass')

    op.drop_table('pass_ledger')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_active_member', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_bookings_member')

    op.drop_table('bookings')
    op.drop_table('pass_template_schedules')
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.drop_index('ix_occurrences_start')
        batch_op.drop_index('ix_occurrences_original_start')

    op.drop_table('occurrences')
    op.drop_table('schedules')
    op.drop_table('roles')
    with op.batch_alter_table('passes', schema=None) as batch_op:
        batch_op.drop_index('ix_passes_member')

    op.drop_table('passes')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_due')

    op.drop_table('notifications')
    op.drop_table('studio')
    op.drop_table('spaces')
    op.drop_table('people')
    op.drop_table('pass_templates')
