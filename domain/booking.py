"""Bookings — a member's place on one occurrence, paid with one session of a pass — and
waitlist entries, a member's place in the line for a full occurrence (SPEC §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class BookingStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class CancelledBy(StrEnum):
    MEMBER = "member"
    STAFF = "staff"
    OVERRIDE = "override"
    OCCURRENCE_CANCELLED = "occurrence_cancelled"


@dataclass(frozen=True)
class Booking:
    id: int
    occurrence_id: int
    member_id: int
    pass_id: int
    status: BookingStatus
    created_at: datetime
    # The pass's balance before any refund (None: unlimited), for the member's notice.
    pass_sessions_left: int | None = None

    @property
    def active(self) -> bool:
        return self.status is BookingStatus.ACTIVE


@dataclass(frozen=True)
class WaitlistEntry:
    """A place in an occurrence's line; the order is (joined_at, id)."""

    id: int
    occurrence_id: int
    member_id: int
    joined_at: datetime
