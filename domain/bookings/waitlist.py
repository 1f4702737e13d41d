"""Joining and leaving an occurrence's waitlist (SPEC §3; the rules in domain/waitlist.py).
Both change the aggregate, so both lock its root first and raise its version."""

from __future__ import annotations

from domain.aggregate import LOCK, READ, lock_session_of
from domain.booking import WaitlistEntry
from domain.bookings.rules import check_bookable, require_self_or_staff
from domain.errors import (
    AlreadyBooked,
    AlreadyWaiting,
    BookingDeadlinePassed,
    ClosedScheduleBooking,
    NotAllowed,
    NotOnWaitlist,
    NoUsablePass,
    PrivateSessionBooking,
    SpotAvailable,
)
from domain.member_view import WaitingPlace
from domain.occurrence import Occurrence, OccurrenceKey
from domain.passes import pick_pass
from domain.permissions import may_change
from domain.ports import UnitOfWork
from domain.studio import Studio
from domain.waitlist import deadline_passed
from domain.wording import N_


async def join_waitlist(studio: Studio, actor_id: int, key: OccurrenceKey, member_id: int) -> WaitingPlace:
    """Put a member in line for a full session of an open schedule, before the
    deadline, if they hold a pass that could pay for it. Nothing is deducted."""

    async def command(uow: UnitOfWork) -> WaitingPlace:
        actor = require_self_or_staff(await uow.people.get(actor_id), member_id, N_("You may book only yourself."))
        member = await uow.people.get(member_id)
        session = await LOCK.session(uow, studio.zone, key)
        occurrence, now = session.occurrence, studio.now()
        check_bookable(actor, member, occurrence, now)
        if occurrence.schedule.private:
            raise PrivateSessionBooking(N_("A private session has no waitlist."))
        if occurrence.schedule.closed:
            raise ClosedScheduleBooking()
        if deadline_passed(occurrence, now):
            raise BookingDeadlinePassed(N_("The booking deadline for this session has passed: its waitlist is closed."))
        if session.booking_of(member_id) is not None:
            raise AlreadyBooked(N_("You are already booked on this session."))
        if len(session.bookings) < occurrence.capacity:
            raise SpotAvailable()
        passes = await READ.passes(uow, members=[member_id])  # nothing is deducted: no lock
        if pick_pass(passes, occurrence.schedule, occurrence.start, now) is None:
            raise NoUsablePass()
        if session.place_of(member_id) is not None:
            raise AlreadyWaiting()
        record = await uow.occurrences.save(occurrence.record)
        assert record.id is not None
        entry = await uow.waitlist.add(record.id, member_id, now)
        shown = Occurrence.of(occurrence.schedule, record, len(session.bookings))
        return WaitingPlace(entry, shown, len(session.line) + 1)

    return await studio.change(command)


async def leave_waitlist(studio: Studio, actor_id: int, entry_id: int) -> WaitlistEntry:
    """A member leaves a line they are in (at any time: it costs nothing); staff of the
    session may take anyone out of it."""

    async def command(uow: UnitOfWork) -> WaitlistEntry:
        seen = await uow.waitlist.get(entry_id)
        if seen is None:
            raise NotOnWaitlist()
        refusal = N_("You may leave only your own place on a waitlist.")
        actor = require_self_or_staff(await uow.people.get(actor_id), seen.member_id, refusal)
        session = await lock_session_of(uow, studio.zone, seen.occurrence_id)  # the root first
        if seen not in session.line:
            raise NotOnWaitlist()
        if actor.id != seen.member_id and not may_change(actor, session.occurrence):
            raise NotAllowed(refusal)
        await uow.occurrences.save(session.occurrence.record)
        await uow.waitlist.remove([seen.id])
        return seen

    return await studio.change(command)
