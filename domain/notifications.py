"""Member notifications implied by a change (SPEC §2.2, §2.3, §3).

They are drafts with structured payloads; the outbox stores them in the change's
transaction and the bot renders them in the studio's time zone when it sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class NotificationKind(StrEnum):
    UPDATED = "training_updated"
    RESCHEDULED = "training_rescheduled"
    CANCELLED = "training_cancelled"
    BOOKING_CANCELLED = "booking_cancelled"
    WAITLIST_PROMOTED = "waitlist_promoted"  # booked from the waitlist (domain/waitlist.py)
    BOOKED_BY_STAFF = "booked_by_staff"  # a trainer or admin booked them (domain/bookings/staff.py)
    # Timed notices (domain/reminders): queued when due, not by a change.
    REMINDER = "session_reminder"
    TRAINER_DAY = "trainer_day"
    PASS_LAST_SESSION = "pass_last_session"
    PASS_EXPIRING = "pass_expiring"
    # Trainers' notices (domain/trainer_notices.py): the person told leads, led or leads still.
    TRAINER_SUBSTITUTE = "trainer_substitute"  # you lead it now
    TRAINER_REPLACED = "trainer_replaced"  # someone else leads your session
    TRAINER_CHANGED = "trainer_session_changed"  # your session was moved or re-roomed
    TRAINER_CANCELLED = "trainer_session_cancelled"  # your session was cancelled
    # A schedule edited from a date on or ended: one message per trainer, not per session.
    TRAINER_SCHEDULE_LEAD = "trainer_schedule_lead"  # you lead its sessions from a date on
    TRAINER_SCHEDULE_REPLACED = "trainer_schedule_replaced"  # someone else leads them from a date on
    TRAINER_SCHEDULE_CHANGED = "trainer_schedule_changed"  # its time, space or duration from a date on
    TRAINER_SCHEDULE_ENDED = "trainer_schedule_ended"  # it ends: your sessions after it are cancelled


TRAINER_KINDS = frozenset(
    {
        NotificationKind.TRAINER_SUBSTITUTE,
        NotificationKind.TRAINER_REPLACED,
        NotificationKind.TRAINER_CHANGED,
        NotificationKind.TRAINER_CANCELLED,
        NotificationKind.TRAINER_SCHEDULE_LEAD,
        NotificationKind.TRAINER_SCHEDULE_REPLACED,
        NotificationKind.TRAINER_SCHEDULE_CHANGED,
        NotificationKind.TRAINER_SCHEDULE_ENDED,
    }
)


@dataclass(frozen=True)
class NotificationDraft:
    member_id: int
    kind: NotificationKind
    payload: dict[str, Any] = field(default_factory=dict)


def count_by_kind(drafts: tuple[NotificationDraft, ...]) -> dict[NotificationKind, int]:
    counts: dict[NotificationKind, int] = {}
    for draft in drafts:
        counts[draft.kind] = counts.get(draft.kind, 0) + 1
    return counts
