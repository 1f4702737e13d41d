"""Booking a member onto an occurrence with a usable pass (SPEC §1, §3): one session
deducted, the member out of the line if they were in it."""

from __future__ import annotations

from dataclasses import replace

from domain.aggregate import LOCK, SessionAggregate, book_with
from domain.booking import Booking
from domain.bookings.rules import check_bookable, require_self_or_staff
from domain.errors import AlreadyBooked, NotFound, NoUsablePass, SessionFull
from domain.occurrence import OccurrenceKey
from domain.passes import pick_pass
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.studio import Studio
from domain.wording import N_


async def book_session(
    studio: Studio, actor_id: int, key: OccurrenceKey, member_id: int, pass_id: int | None = None
) -> Booking:
    """Book `member_id`, paid with `pass_id` or their usable pass that expires first."""
    return await studio.change(lambda uow: book_in(uow, studio, actor_id, key, member_id, pass_id))


async def book_in(
    uow: UnitOfWork, studio: Studio, actor_id: int, key: OccurrenceKey, member_id: int, pass_id: int | None = None
) -> Booking:
    """`book_session` inside a unit of work the caller opened (the demo books many)."""
    actor = require_self_or_staff(await uow.people.get(actor_id), member_id, N_("You may book only yourself."))
    member = await uow.people.get(member_id)
    session = await LOCK.session(uow, studio.zone, key)
    return await book_locked(uow, studio, actor, member_id, member, session, pass_id)


async def book_locked(
    uow: UnitOfWork,
    studio: Studio,
    actor: Person,
    member_id: int,
    member: Person | None,
    session: SessionAggregate,
    pass_id: int | None = None,
) -> Booking:
    """The booking on an aggregate the caller locked (LOCK.session): the rules, then
    the passes locked and one session used."""
    now = studio.now()
    check_bookable(actor, member, session.occurrence, now)
    if session.booking_of(member_id) is not None:
        raise AlreadyBooked()
    if len(session.bookings) >= session.occurrence.capacity:
        raise SessionFull()
    passes = await LOCK.passes(uow, members=[member_id])
    again = await uow.people.get(member_id)  # a departure (/member_leave) holding these passes came first
    if again is None or not again.holds(Role.MEMBER):
        raise NotFound(N_("That member is unknown."))
    offered = [p for p in passes if pass_id is None or p.id == pass_id]
    chosen = pick_pass(offered, session.occurrence.schedule, session.occurrence.start, now)
    if chosen is None:
        raise NoUsablePass()
    record = await uow.occurrences.save(session.occurrence.record)  # the aggregate changed
    assert record.id is not None
    booking = await book_with(uow, record.id, member_id, chosen, now)
    await uow.waitlist.remove_member(record.id, member_id)  # booked: no longer waiting
    return replace(booking, pass_sessions_left=chosen.sessions_left)
