"""What a member sees (SPEC §3): their upcoming bookings, their places on waitlists,
their passes, and the sessions they may book in the coming days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.booking import Booking, WaitlistEntry
from domain.occurrence import Occurrence
from domain.passes import Pass
from domain.waitlist import deadline_passed

BOOKING_WINDOW = timedelta(days=14)  # how far ahead /book looks


@dataclass(frozen=True)
class BookedSession:
    booking: Booking
    occurrence: Occurrence
    cancellable: bool  # by the member: an open schedule's session, before the booking deadline

    @property
    def enrolled(self) -> bool:
        """A closed course's place: the staff cancel it, not the member."""
        return self.occurrence.schedule.closed


@dataclass(frozen=True)
class WaitingPlace:
    entry: WaitlistEntry
    occurrence: Occurrence
    position: int  # 1: first in line


@dataclass(frozen=True)
class PassView:
    pass_: Pass
    name: str
    # A closed schedule's pass: the member's upcoming sessions it holds bookings on
    # (their enrolment; its balance, used up by them, says little). None otherwise.
    enrolled: int | None = None


@dataclass(frozen=True)
class MemberOverview:
    bookings: tuple[BookedSession, ...]
    waiting: tuple[WaitingPlace, ...]
    passes: tuple[PassView, ...]


@dataclass(frozen=True)
class Offer:
    """A session the member may book (or, when full, wait for) with a usable pass."""

    occurrence: Occurrence
    pass_: Pass  # the pass a booking would use now
    waiting_position: int | None = None  # their place in line, if they are in it

    @property
    def full(self) -> bool:
        return self.occurrence.booked >= self.occurrence.capacity


def open_to_members(occurrence: Occurrence, now: datetime) -> bool:
    """A session members may book on their own right now (a pass aside)."""
    schedule = occurrence.schedule
    return (
        schedule.active
        and not schedule.closed
        and not schedule.private  # staff book its member from the card
        and not occurrence.cancelled
        and occurrence.start > now
        and not deadline_passed(occurrence, now)
    )


def current_passes(passes: list[Pass], now: datetime) -> list[Pass]:
    """Passes worth showing: active and not expired, the one expiring first first."""
    return sorted((p for p in passes if p.active and p.expires_at > now), key=lambda p: (p.expires_at, p.id))
