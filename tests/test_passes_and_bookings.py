"""SPEC §1 passes and bookings, §5 ledger guarantees."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from domain.errors import (
    AlreadyBooked,
    BookingDeadlinePassed,
    BookingNotActive,
    ClosedScheduleBooking,
    NoUsablePass,
    OccurrenceCancelled,
    SessionFull,
)
from domain.notifications import NotificationKind
from domain.override import OverrideRequest
from domain.passes import LedgerKind
from storage.models import LedgerEntryRow, PassRow
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World, berlin
from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.sessions.cancel import cancel_session
from domain.sessions.card import find_session
from domain.sessions.override import save_override
from domain.setup.passes import grant_pass

TUESDAY = date(2026, 12, 1)


async def test_booking_deducts_one_session_and_writes_the_ledger(world: World) -> None:
    member = world.members[0]
    booking = await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    assert await world.pass_balance(member) == 9
    async with SqlUnitOfWork(world.sessions) as uow:
        ledger = await uow.passes.ledger(world.passes[member].id)
    assert [(e.kind, e.delta, e.booking_id) for e in ledger] == [
        (LedgerKind.GRANT, 10, None), (LedgerKind.USE, -1, booking.id),
    ]


async def test_a_member_cannot_book_twice_or_beyond_capacity(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await book_session(world.studio, world.admin, key, world.members[0])
    with pytest.raises(AlreadyBooked):
        await book_session(world.studio, world.admin, key, world.members[0])
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=2))
    await book_session(world.studio, world.admin, key, world.members[1])
    with pytest.raises(SessionFull):
        await book_session(world.studio, world.admin, key, world.members[2])
    assert await world.active_bookings() == 2


async def _set_pass(world: World, member: int, **values: object) -> None:
    async with world.sessions() as session:
        await session.execute(update(PassRow).where(PassRow.id == world.passes[member].id).values(**values))
        await session.commit()


@pytest.mark.parametrize(
    "change",
    [
        {"active": False},
        {"sessions_left": 0},
        {"expires_at": datetime(2026, 11, 30, 6, tzinfo=timezone.utc)},  # expired already
        {"expires_at": datetime(2026, 12, 1, 12, tzinfo=timezone.utc)},  # expires before the session
    ],
)
async def test_only_a_usable_pass_books(world: World, change: dict[str, object]) -> None:
    member = world.members[0]
    await _set_pass(world, member, **change)
    with pytest.raises(NoUsablePass):
        await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    assert await world.active_bookings() == 0


async def test_a_pass_must_cover_the_training(world: World) -> None:
    member = world.members[0]
    with pytest.raises(NoUsablePass):  # the open pass does not cover the closed course
        await book_session(world.studio, world.admin, world.closed_on(date(2026, 12, 2)), member)
    await grant_pass(world.studio, world.admin, member, world.closed_template)
    with pytest.raises(AlreadyBooked):  # granting the course pass enrolled them
        await book_session(world.studio, world.admin, world.closed_on(date(2026, 12, 2)), member)


async def test_granting_a_closed_schedules_pass_enrols_the_member(world: World) -> None:
    """Each enrolled session uses one session of the pass, while sessions last."""
    member = world.members[0]
    course = (await grant_pass(world.studio, world.admin, member, world.closed_template)).pass_
    async with SqlUnitOfWork(world.sessions) as uow:
        stored = await uow.passes.get(course.id)
        ledger = await uow.passes.ledger(course.id)
    # 13 Wednesdays lie within the 90 days; the pass's 10 sessions enrol the first 10
    assert stored is not None and stored.sessions_left == 0
    assert [e.kind for e in ledger] == [LedgerKind.GRANT] + [LedgerKind.USE] * 10
    first = await find_session(world.studio, world.admin, world.closed_on(date(2026, 12, 2)))
    tenth = await find_session(world.studio, world.admin, world.closed_on(date(2027, 2, 3)))
    eleventh = await find_session(world.studio, world.admin, world.closed_on(date(2027, 2, 10)))
    assert (first.booked, tenth.booked, eleventh.booked) == (1, 1, 0)
    assert all(left == total for left, total in (await world.balances()).values())
    # cancelling an enrolled session refunds it like any booking
    await cancel_session(world.studio, world.trainer, world.closed_on(date(2026, 12, 2)), "Ill")
    assert (await world.balances())[course.id] == (1, 1)


async def test_members_cannot_book_closed_schedules_themselves(world: World) -> None:
    member = world.members[0]
    await grant_pass(world.studio, world.admin, member, world.closed_template)
    with pytest.raises(ClosedScheduleBooking):
        await book_session(world.studio, member, world.closed_on(date(2026, 12, 2)), member)


async def test_members_book_and_cancel_only_before_the_deadline(world: World) -> None:
    member = world.members[0]
    key = world.yoga_on(TUESDAY)
    booking = await book_session(world.studio, member, key, member)
    world.studio.clock.set(berlin(2026, 12, 1, 16, 1))  # type: ignore[attr-defined]  # 1h59 before
    with pytest.raises(BookingDeadlinePassed):
        await cancel_booking(world.studio, member, booking.id)
    with pytest.raises(BookingDeadlinePassed):
        await book_session(world.studio, world.members[1], key, world.members[1])
    # staff change bookings at any time, with a refund and a notice to the member
    await cancel_booking(world.studio, world.trainer, booking.id)
    assert await world.pass_balance(member) == 10
    rows = await world.notifications()
    assert [(r.member_id, r.kind) for r in rows] == [(member, NotificationKind.BOOKING_CANCELLED.value)]


async def test_a_member_cancelling_in_time_gets_the_session_back(world: World) -> None:
    member = world.members[0]
    booking = await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    await cancel_booking(world.studio, member, booking.id)
    assert await world.pass_balance(member) == 10
    with pytest.raises(BookingNotActive):
        await cancel_booking(world.studio, member, booking.id)
    assert await world.pass_balance(member) == 10
    assert await world.notifications() == []  # they did it themselves


async def test_no_booking_on_a_cancelled_session(world: World) -> None:
    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    with pytest.raises(OccurrenceCancelled):
        await book_session(world.studio, world.admin, world.yoga_on(TUESDAY), world.members[0])


async def test_the_database_refuses_a_second_refund_of_one_booking(world: World) -> None:
    member = world.members[0]
    booking = await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    await cancel_booking(world.studio, member, booking.id)
    async with world.sessions() as session:
        session.add(LedgerEntryRow(pass_id=world.passes[member].id, booking_id=booking.id, kind="refund",
                                   delta=1, at=datetime.now(timezone.utc)))
        with pytest.raises(IntegrityError):
            await session.commit()
    assert await world.pass_balance(member) == 10


async def test_an_unlimited_pass_records_uses_and_refunds_without_a_balance(world: World) -> None:
    async with SqlUnitOfWork(world.sessions) as uow:
        template = await uow.passes.add_template("Unlimited", None, 30, [world.yoga.id])  # type: ignore[union-attr]
        await uow.commit()
    member = world.members[0]
    await _set_pass(world, member, active=False)
    unlimited = (await grant_pass(world.studio, world.admin, member, template.id)).pass_
    booking = await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    assert booking.pass_id == unlimited.id
    done = await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert done.refunded_passes == 0  # nothing to give back
    async with SqlUnitOfWork(world.sessions) as uow:
        ledger = await uow.passes.ledger(unlimited.id)
        stored = await uow.passes.get(unlimited.id)
    assert [(e.kind, e.delta) for e in ledger] == [
        (LedgerKind.GRANT, 0), (LedgerKind.USE, 0), (LedgerKind.REFUND, 0),
    ]
    assert stored is not None and stored.sessions_left is None


async def test_the_earliest_expiring_usable_pass_is_used(world: World) -> None:
    member = world.members[0]
    world.studio.clock.advance(timedelta(days=-10))  # type: ignore[attr-defined]
    older = (await grant_pass(world.studio, world.admin, member, world.open_template)).pass_
    world.studio.clock.advance(timedelta(days=10))  # type: ignore[attr-defined]
    booking = await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    assert booking.pass_id == older.id
