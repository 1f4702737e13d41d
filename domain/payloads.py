"""The structured payloads of member notifications (SPEC §2.2, §2.3, §3): what the
outbox stores and the bot renders in the studio's zone when it sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.booking import Booking
from domain.occurrence import Occurrence


def occurrence_payload(occurrence: Occurrence) -> dict[str, Any]:
    return {
        "schedule_id": occurrence.schedule.id,
        "original_start": occurrence.key.original_start.isoformat(),
        "title": occurrence.title,
        "start": occurrence.start.isoformat(),
    }


def refund_payload(booking: Booking) -> dict[str, Any]:
    """The pass the booking used and its balance after the refund (None: unlimited)."""
    left = booking.pass_sessions_left
    return {"pass_id": booking.pass_id, "sessions_left": None if left is None else left + 1}


def rebook_payload(occurrence: Occurrence) -> dict[str, Any]:
    """Whether a member whose booking was cancelled may book the session again on their
    own, and until when (its booking deadline): the notice offers "Book again" only
    while that holds when it is sent, and the press is checked again."""
    if occurrence.schedule.closed or occurrence.schedule.private or occurrence.cancelled:
        return {"rebook": False}
    until = occurrence.start - max(occurrence.schedule.deadline(), timedelta(0))
    return {"rebook": True, "rebook_until": until.isoformat()}
