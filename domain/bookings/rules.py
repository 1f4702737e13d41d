"""Who may book, cancel or wait, on which session, and when (SPEC §1, §2.4, §3)."""

from __future__ import annotations

from datetime import datetime

from domain.booking import Booking, CancelledBy
from domain.errors import (
    BookingDeadlinePassed,
    ClosedScheduleBooking,
    ClosedScheduleCancel,
    NotAllowed,
    NotFound,
    OccurrenceCancelled,
    OccurrenceStarted,
    PrivateSessionBooking,
)
from domain.occurrence import Occurrence
from domain.permissions import may_change
from domain.roles import Person, Role
from domain.waitlist import deadline_passed
from domain.wording import N_


def require_self_or_staff(actor: Person | None, member_id: int, refusal: str) -> Person:
    """Checked before anything is locked: only the member or staff act on a booking."""
    if actor is None or not (actor.id == member_id or actor.is_staff):
        raise NotAllowed(refusal)
    return actor


def check_bookable(actor: Person, member: Person | None, occurrence: Occurrence, now: datetime) -> None:
    """Members book themselves on open, non-private schedules before the deadline;
    staff of the session book anyone onto it while it is ahead and not cancelled."""
    if member is None or not member.holds(Role.MEMBER):
        raise NotFound(N_("That member is unknown."))
    staff = may_change(actor, occurrence)
    if not (actor.id == member.id or staff):
        raise NotAllowed(N_("You may book only yourself."))
    if occurrence.cancelled:
        raise OccurrenceCancelled(N_("This session is cancelled."))
    if occurrence.start <= now:
        raise OccurrenceStarted(N_("This session has already started."))
    if not staff:
        if occurrence.schedule.private:
            raise PrivateSessionBooking()
        if occurrence.schedule.closed:
            raise ClosedScheduleBooking()
        if deadline_passed(occurrence, now):
            raise BookingDeadlinePassed()


def canceller(actor: Person, booking: Booking, occurrence: Occurrence, now: datetime) -> CancelledBy:
    """Staff cancel any booking at any time; a member their own before the deadline,
    on an open schedule only: a closed course's place came with its pass, and its
    member could never book it again."""
    if may_change(actor, occurrence):
        return CancelledBy.STAFF
    if actor.id != booking.member_id:
        raise NotAllowed(N_("You may cancel only your own bookings."))
    if occurrence.schedule.closed:
        raise ClosedScheduleCancel()
    if deadline_passed(occurrence, now):
        raise BookingDeadlinePassed(N_("The deadline to cancel this booking has passed; ask the staff."))
    return CancelledBy.MEMBER
