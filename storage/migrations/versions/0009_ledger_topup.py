"""pass_ledger: a `topup` entry — sessions an admin adds to a pass (issue 14)

Revision ID: 0009
Revises: 0008

A top-up moves the balance without a booking, like a grant; both checks on the
ledger's kind are widened for it. Downgrading refuses (the old check fails) while a
top-up entry exists: dropping one would break balance == ledger.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD = ("kind IN ('grant', 'use', 'refund')", "kind = 'grant' OR booking_id IS NOT NULL")
NEW = ("kind IN ('grant', 'use', 'refund', 'topup')", "kind IN ('grant', 'topup') OR booking_id IS NOT NULL")


def _checks(known_kind: str, has_booking: str) -> None:
    with op.batch_alter_table("pass_ledger", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_pass_ledger_known_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_pass_ledger_use_refund_has_booking"), type_="check")
        batch_op.create_check_constraint(op.f("ck_pass_ledger_known_kind"), known_kind)
        batch_op.create_check_constraint(op.f("ck_pass_ledger_use_refund_has_booking"), has_booking)


def upgrade() -> None:
    _checks(*NEW)


def downgrade() -> None:
    _checks(*OLD)
