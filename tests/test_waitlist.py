"""Issue 6, point 5 (domain): the waitlist of SPEC §1 and §3 on both databases —
joining costs nothing; a spot freed before the deadline (a member's or staff's
cancellation, an override raising the capacity or cancelling bookings) books the
first in line in the same transaction; every pass's balance equals its ledger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from domain.errors import (
    AlreadyBooked,
    AlreadyWaiting,
    BookingDeadlinePassed,
    ClosedScheduleBooking,
    NoUsablePass,
    NotAllowed,
    NotOnWaitlist,
    SpotAvailable,
)
from domain.notifications import NotificationKind
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest
from domain.passes import LedgerKind
from storage.models import BookingRow, PassRow, WaitlistRow
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World, berlin
from domain.bookings.cancel import cancel_booking
from domain.bookings.views import bookable, member_overview
from domain.bookings.waitlist import join_waitlist, leave_waitlist
from domain.sessions.cancel import cancel_session, review_cancel
from domain.sessions.override import review_override, save_override

TUESDAY = date(2026, 12, 1)


async def full_session(world: World, capacity: int = 2) -> OccurrenceKey:
    """Tuesday's Yoga with `capacity` spots, taken by the first members."""
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=capacity))
    await world.book_all(key, world.members[:capacity])
    return key


async def line(world: World, key: OccurrenceKey) -> list[int]:
    async with SqlUnitOfWork(world.sessions) as uow:
        record = await uow.occurrences.get(key)
        return [] if record is None or record.id is None else [e.member_id for e in await uow.waitlist.on(record.id)]


async def booked_members(world: World, key: OccurrenceKey) -> list[int]:
    async with SqlUnitOfWork(world.sessions) as uow:
        record = await uow.occurrences.get(key)
        assert record is not None and record.id is not None
        return [b.member_id for b in await uow.bookings.active_on(record.id)]


async def ledger_true(world: World) -> None:
    assert all(left == total for left, total in (await world.balances()).values())


async def booking_id(world: World, member: int) -> int:
    async with world.sessions() as session:
        found = await session.scalar(select(BookingRow.id).where(BookingRow.member_id == member, BookingRow.status == "active"))
    assert found is not None
    return found


# -- joining and leaving ------------------------------------------------------------

async def test_joining_costs_nothing_and_keeps_the_order(world: World) -> None:
    key = await full_session(world)
    m2, m3 = world.members[2], world.members[3]
    first = await join_waitlist(world.studio, m2, key, m2)
    second = await join_waitlist(world.studio, m3, key, m3)
    assert (first.position, second.position) == (1, 2)
    assert await line(world, key) == [m2, m3]
    assert await world.pass_balance(m2) == 10 and await world.pass_balance(m3) == 10
    await ledger_true(world)
    with pytest.raises(AlreadyWaiting):
        await join_waitlist(world.studio, m2, key, m2)
    assert await line(world, key) == [m2, m3]


@pytest.mark.parametrize("case", ["free spot", "booked", "no pass", "closed", "deadline", "someone else"])
async def test_joining_is_refused_with_a_clear_reason_and_changes_nothing(world: World, case: str) -> None:
    key = await full_session(world)
    member = world.members[2]
    if case == "free spot":
        key, expected = world.yoga_on(date(2026, 12, 3)), SpotAvailable
    elif case == "booked":
        member, expected = world.members[0], AlreadyBooked
    elif case == "no pass":
        async with world.sessions() as session:
            await session.execute(update(PassRow).where(PassRow.member_id == member).values(sessions_left=0))
            await session.commit()
        expected = NoUsablePass
    elif case == "closed":
        key, expected = world.closed_on(date(2026, 12, 2)), ClosedScheduleBooking
    elif case == "deadline":
        world.studio.clock.set(berlin(2026, 12, 1, 16, 30))  # type: ignore[attr-defined]
        expected = BookingDeadlinePassed
    else:
        expected = NotAllowed
    before = await world.balances()
    actor = world.members[3] if case == "someone else" else member
    with pytest.raises(expected):
        await join_waitlist(world.studio, actor, key, member)
    assert await line(world, key) == [] and await world.balances() == before


async def test_leaving_the_line_only_ones_own_place(world: World) -> None:
    key = await full_session(world)
    m2, m3 = world.members[2], world.members[3]
    place = await join_waitlist(world.studio, m2, key, m2)
    await join_waitlist(world.studio, m3, key, m3)
    with pytest.raises(NotAllowed):
        await leave_waitlist(world.studio, m3, place.entry.id)
    await leave_waitlist(world.studio, m2, place.entry.id)
    assert await line(world, key) == [m3]
    with pytest.raises(NotOnWaitlist):
        await leave_waitlist(world.studio, m2, place.entry.id)


# -- promotion ----------------------------------------------------------------------

async def test_a_members_cancellation_books_the_first_in_line(world: World) -> None:
    key = await full_session(world)
    m0, m2, m3 = world.members[0], world.members[2], world.members[3]
    await join_waitlist(world.studio, m2, key, m2)
    await join_waitlist(world.studio, m3, key, m3)
    await cancel_booking(world.studio, m0, await booking_id(world, m0))
    assert sorted(await booked_members(world, key)) == sorted([world.members[1], m2])
    assert await line(world, key) == [m3]
    assert await world.pass_balance(m0) == 10 and await world.pass_balance(m2) == 9
    async with SqlUnitOfWork(world.sessions) as uow:
        ledger = await uow.passes.ledger(world.passes[m2].id)
    assert [e.kind for e in ledger] == [LedgerKind.GRANT, LedgerKind.USE]
    notices = await world.notifications()
    assert [(n.member_id, n.kind) for n in notices] == [(m2, NotificationKind.WAITLIST_PROMOTED.value)]
    assert notices[0].payload["pass"]["sessions_left"] == 9
    assert notices[0].payload["start"] == berlin(2026, 12, 1, 18).isoformat()
    await ledger_true(world)


async def test_a_staff_cancellation_tells_both_members_and_promotes(world: World) -> None:
    key = await full_session(world)
    m0, m2 = world.members[0], world.members[2]
    await join_waitlist(world.studio, m2, key, m2)
    world.studio.clock.set(berlin(2026, 12, 1, 12))  # type: ignore[attr-defined]  # before the 16:00 deadline
    await cancel_booking(world.studio, world.trainer, await booking_id(world, m0))
    assert m2 in await booked_members(world, key)
    kinds = {n.member_id: n.kind for n in await world.notifications()}
    assert kinds == {m0: NotificationKind.BOOKING_CANCELLED.value, m2: NotificationKind.WAITLIST_PROMOTED.value}
    await ledger_true(world)


async def test_after_the_deadline_a_freed_spot_stays_free(world: World) -> None:
    key = await full_session(world)
    m0, m2 = world.members[0], world.members[2]
    await join_waitlist(world.studio, m2, key, m2)
    world.studio.clock.set(berlin(2026, 12, 1, 16, 30))  # type: ignore[attr-defined]  # past the deadline
    await cancel_booking(world.studio, world.trainer, await booking_id(world, m0))  # staff: any time
    assert await booked_members(world, key) == [world.members[1]]
    assert await line(world, key) == [m2] and await world.pass_balance(m2) == 10
    assert [n.kind for n in await world.notifications()] == [NotificationKind.BOOKING_CANCELLED.value]
    await ledger_true(world)


async def test_raising_the_capacity_books_the_line_in_order_and_the_review_says_so(world: World) -> None:
    key = await full_session(world, capacity=1)
    m1, m2, m3 = world.members[1], world.members[2], world.members[3]
    for member in (m3, m1, m2):
        await join_waitlist(world.studio, member, key, member)
    request = OverrideRequest(capacity=3)
    review = await review_override(world.studio, world.trainer, key, request)
    assert [p.member_id for p in review.promoted] == [m3, m1]
    assert review.notified == {NotificationKind.WAITLIST_PROMOTED: 2}
    assert await line(world, key) == [m3, m1, m2]  # a review changes nothing
    saved = await save_override(world.studio, world.trainer, key, request, expected_version=review.version)
    assert saved.promoted == review.promoted and saved.notifications == review.notifications
    assert saved.after.booked == 3
    assert sorted(await booked_members(world, key)) == sorted([world.members[0], m3, m1])
    assert await line(world, key) == [m2]
    stored = [(n.member_id, n.kind, n.payload) for n in await world.notifications()]
    assert stored == [(d.member_id, d.kind.value, d.payload) for d in review.notifications]
    await ledger_true(world)


async def test_an_override_cancelling_bookings_fills_the_spots_from_the_line(world: World) -> None:
    """Decision: spots an override frees by cancelling bookings go to the line first,
    like any freed spot; the members whose bookings it cancelled are refunded and
    may book again, or join the line."""
    key = await full_session(world)
    m0, m1, m2 = world.members[0], world.members[1], world.members[2]
    await join_waitlist(world.studio, m2, key, m2)
    saved = await save_override(world.studio, 
        world.trainer, key, OverrideRequest(trainer_id=world.substitute, cancel_bookings=True)
    )
    assert [p.member_id for p in saved.promoted] == [m2]
    assert await booked_members(world, key) == [m2]
    kinds = {n.member_id: n.kind for n in await world.notifications()}
    assert kinds == {
        world.substitute: NotificationKind.TRAINER_SUBSTITUTE.value,  # Tom saved it: only Sue of the trainers
        m0: NotificationKind.BOOKING_CANCELLED.value,
        m1: NotificationKind.BOOKING_CANCELLED.value,
        m2: NotificationKind.WAITLIST_PROMOTED.value,
    }
    await ledger_true(world)


async def test_a_member_in_line_without_a_usable_pass_is_passed_over_but_keeps_the_place(world: World) -> None:
    key = await full_session(world)
    m0, m2, m3 = world.members[0], world.members[2], world.members[3]
    await join_waitlist(world.studio, m2, key, m2)
    await join_waitlist(world.studio, m3, key, m3)
    async with world.sessions() as session:  # m2's pass runs out meanwhile
        await session.execute(update(PassRow).where(PassRow.member_id == m2).values(active=False))
        await session.commit()
    await cancel_booking(world.studio, m0, await booking_id(world, m0))
    assert m3 in await booked_members(world, key) and m2 not in await booked_members(world, key)
    assert await line(world, key) == [m2]
    await ledger_true(world)


async def test_cancelling_the_session_clears_the_line_and_tells_it(world: World) -> None:
    key = await full_session(world)
    m2 = world.members[2]
    await join_waitlist(world.studio, m2, key, m2)
    review = await review_cancel(world.studio, world.trainer, key, "Ill")
    assert [e.member_id for e in review.waitlisted] == [m2]
    done = await cancel_session(world.studio, world.trainer, key, "Ill")
    assert done.notifications == review.notifications
    assert await line(world, key) == []
    notices = {n.member_id: n for n in await world.notifications() if n.kind == NotificationKind.CANCELLED.value}
    assert set(notices) == {world.members[0], world.members[1], m2}
    assert notices[m2].payload["waitlisted"] is True and "refund" not in notices[m2].payload
    assert await world.pass_balance(m2) == 10
    await ledger_true(world)


async def test_booking_directly_leaves_the_line(world: World) -> None:
    key = await full_session(world)
    m2 = world.members[2]
    await join_waitlist(world.studio, m2, key, m2)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=3))  # m2 is booked from the line
    assert await line(world, key) == []
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(WaitlistRow)) == 0


# -- what a member sees --------------------------------------------------------------

async def test_the_overview_and_the_offers(world: World) -> None:
    key = await full_session(world)
    m0, m2 = world.members[0], world.members[2]
    await join_waitlist(world.studio, m2, key, m2)
    overview = await member_overview(world.studio, m0)
    assert [b.occurrence.key for b in overview.bookings] == [key] and overview.bookings[0].cancellable
    assert [(p.name, p.pass_.sessions_left) for p in overview.passes] == [("10 classes", 9)]
    waiting = await member_overview(world.studio, m2)
    assert [(w.occurrence.key, w.position) for w in waiting.waiting] == [(key, 1)] and waiting.bookings == ()
    offers = await bookable(world.studio, m2)
    # Yoga on Tuesday and Thursday for two weeks; the closed course is never offered
    assert [o.occurrence.start for o in offers] == [
        berlin(2026, 12, d, 18) for d in (1, 3, 8, 10)
    ]
    assert offers[0].full and offers[0].waiting_position == 1 and not offers[1].full
    assert [o.occurrence.key for o in await bookable(world.studio, m0)][0] == world.yoga_on(date(2026, 12, 3))
    world.studio.clock.advance(timedelta(days=1, hours=9, minutes=30))  # Tuesday 17:30: past its deadline
    assert world.yoga_on(TUESDAY) not in [o.occurrence.key for o in await bookable(world.studio, m2)]
    with pytest.raises(NotAllowed):
        await bookable(world.studio, world.trainer)


# -- at the same time (both databases decide: row locks, BEGIN IMMEDIATE, versions) ----

async def test_simultaneous_cancellations_give_each_freed_spot_to_one_in_line(world: World) -> None:
    from tests.test_concurrency import race

    key = await full_session(world)
    m0, m1, m2, m3 = world.members
    await join_waitlist(world.studio, m2, key, m2)
    await join_waitlist(world.studio, m3, key, m3)
    ids = [await booking_id(world, m0), await booking_id(world, m1)]
    won, lost = await race(cancel_booking(world.studio, m0, ids[0]), cancel_booking(world.studio, m1, ids[1]))
    # The second waits for the session's lock and then goes through: both cancel,
    # and each freed spot goes to the next in line, once.
    assert lost == [] and len(won) == 2
    booked = await booked_members(world, key)
    assert sorted(booked) == sorted([m2, m3])
    assert await line(world, key) == []
    promoted = [n.member_id for n in await world.notifications()]
    assert sorted(promoted) == sorted([m2, m3])
    await ledger_true(world)


async def test_a_double_tap_on_join_waits_once(world: World) -> None:
    from tests.test_concurrency import race

    key = await full_session(world)
    m2 = world.members[2]
    won, lost = await race(*(join_waitlist(world.studio, m2, key, m2) for _ in range(3)))
    assert len(won) == 1 and len(lost) == 2
    assert await line(world, key) == [m2]
