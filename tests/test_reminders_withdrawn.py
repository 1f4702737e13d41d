"""Issue 13: a reminder is never sent for a cancelled session, a cancelled booking, or at
the old time of a moved session — also when it was queued already and its sending is
held up (a retry after a network error, a lease in flight, a backlog). The change
withdraws it in its own transaction (domain/reminders/withdraw.py); the outbox's
figures and /undelivered never count it. SQLite and PostgreSQL, fixed clock: Monday
2026-11-30 08:00 Berlin; Yoga Tuesday and Thursday 18:00 in Studio A with Tom."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta

import pytest
from sqlalchemy import text

from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.clock import FixedClock
from domain.notifications import NotificationKind
from domain.override import OverrideRequest
from domain.reminders.due import _reminders, send_due  # _reminders: the scan's part, inside a test's transaction
from domain.reminders.policy import NoticePolicy
from domain.sessions.cancel import cancel_session
from domain.sessions.override import save_override
from domain.setup.pass_edits import close_pass, extend_pass, topup_pass
from domain.setup.passes import add_template, grant_pass
from storage.models import NotificationRow
from storage.outbox import OutboxStore, outbox_figures
from storage.unit_of_work import SqlUnitOfWork
from tests.delivery_helpers import link_chats, wait_for
from tests.world import World, berlin

POLICY = NoticePolicy((timedelta(hours=24), timedelta(hours=2)), time(7), 7)
TUESDAY = date(2026, 12, 1)


async def of_kind(world: World, kind: NotificationKind) -> list[NotificationRow]:
    return [row for row in await world.notifications() if row.kind == kind.value]


async def scan_at(world: World, clock: FixedClock, when: tuple[int, int, int, int, int]) -> None:
    clock.set(berlin(*when))
    await send_due(world.studio, POLICY)


async def nothing_undelivered(world: World) -> None:
    """No withdrawn reminder counts as failed or retrying, in /undelivered or /metrics."""
    figures = await outbox_figures(world.sessions, world.studio.now())
    pending = [row for row in await world.notifications() if row.status == "pending"]
    assert (figures["retrying"], figures["failed"], figures["queued"]) == (0, 0, len(pending))
    assert (await OutboxStore(world.sessions).undelivered(10))[1] == 0


async def test_a_reminder_retried_or_in_flight_is_withdrawn_when_its_booking_is_cancelled(
    world: World, clock: FixedClock
) -> None:
    first, second, third = world.members[:3]
    await link_chats(world.sessions, None, [first, second, third])
    bookings = {m: await book_session(world.studio, m, world.yoga_on(TUESDAY), m) for m in (first, second, third)}
    await scan_at(world, clock, (2026, 11, 30, 18, 0))
    assert len(await of_kind(world, NotificationKind.REMINDER)) == 3
    dispatcher = OutboxStore(world.sessions)
    retried, in_flight, _ = await dispatcher.claim(clock.now(), 3)
    # The first failed on a network error and waits for its retry; the second is being sent.
    assert await dispatcher.retry_later(retried.id, clock.now(), clock.now() + timedelta(minutes=5), "network error")
    await cancel_booking(world.studio, retried.member_id, bookings[retried.member_id].id)  # by the member
    await cancel_booking(world.studio, world.admin, bookings[in_flight.member_id].id)  # by staff
    left = await of_kind(world, NotificationKind.REMINDER)
    assert [row.member_id for row in left] == [third]  # the other booking keeps its reminder
    # The one in flight may have reached the member: its sender finds no row to mark sent.
    assert not await dispatcher.mark_sent(in_flight.id, clock.now())
    assert not await dispatcher.retry_later(retried.id, clock.now(), clock.now(), "network error")
    clock.set(berlin(2026, 11, 30, 18, 10))
    due = [(d.kind, d.member_id) for d in await dispatcher.claim(clock.now(), 10)]
    assert due == [(NotificationKind.REMINDER, third), (NotificationKind.BOOKING_CANCELLED, in_flight.member_id)]
    await nothing_undelivered(world)
    await scan_at(world, clock, (2026, 12, 1, 16, 0))  # the 2 h lead: only for the booking kept
    assert [row.member_id for row in await of_kind(world, NotificationKind.REMINDER)] == [third, third]


async def test_a_cancelled_session_withdraws_its_reminders_and_the_trainers_unsent_day(
    world: World, clock: FixedClock
) -> None:
    members = world.members[:2]
    await link_chats(world.sessions, None, [*members, world.trainer])
    await world.book_all(world.yoga_on(TUESDAY), members)
    await scan_at(world, clock, (2026, 12, 1, 7, 0))  # the bot was down since Monday: 24 h lead and Tom's day
    assert len(await of_kind(world, NotificationKind.REMINDER)) == 2
    [day] = await of_kind(world, NotificationKind.TRAINER_DAY)
    assert [s["start"] for s in day.payload["sessions"]] == [berlin(2026, 12, 1, 18).isoformat()]
    clock.set(berlin(2026, 12, 1, 9, 0))
    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY), "The hall is flooded")
    assert await of_kind(world, NotificationKind.REMINDER) == []
    assert await of_kind(world, NotificationKind.TRAINER_DAY) == []
    await nothing_undelivered(world)
    await scan_at(world, clock, (2026, 12, 1, 9, 1))  # Tom's day again, as it is now: free, nothing sent
    await scan_at(world, clock, (2026, 12, 1, 16, 0))
    assert await of_kind(world, NotificationKind.TRAINER_DAY) == []
    assert await of_kind(world, NotificationKind.REMINDER) == []
    # Ada cancelled it: the members are told, and Tom by the trainer's notice instead of his day
    assert {row.kind for row in await world.notifications()} == {
        NotificationKind.CANCELLED.value,
        NotificationKind.TRAINER_CANCELLED.value,
    }


async def test_a_moved_session_is_reminded_at_its_new_time_once_per_lead(world: World, clock: FixedClock) -> None:
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    key = world.yoga_on(TUESDAY)
    await book_session(world.studio, member, key, member)
    dispatcher = OutboxStore(world.sessions)
    await scan_at(world, clock, (2026, 11, 30, 18, 0))
    [sent] = await dispatcher.claim(clock.now(), 10)
    assert await dispatcher.mark_sent(sent.id, clock.now())  # the 24 h reminder went out
    await scan_at(world, clock, (2026, 12, 1, 16, 0))  # the 2 h one is queued, and held up
    # An hour later: the 2 h one is withdrawn; the 24 h one was sent and its new moment passed.
    clock.set(berlin(2026, 12, 1, 16, 30))
    later = berlin(2026, 12, 1, 19)
    await save_override(world.studio, world.admin, key, OverrideRequest(start=later), confirmed=True)
    assert [r.payload["lead_minutes"] for r in await of_kind(world, NotificationKind.REMINDER)] == [1440]
    await scan_at(world, clock, (2026, 12, 1, 16, 59))
    assert len(await of_kind(world, NotificationKind.REMINDER)) == 1
    await scan_at(world, clock, (2026, 12, 1, 17, 0))
    await scan_at(world, clock, (2026, 12, 1, 17, 10))
    reminders = await of_kind(world, NotificationKind.REMINDER)
    assert [(r.payload["lead_minutes"], r.payload["start"]) for r in reminders] == [
        (1440, berlin(2026, 12, 1, 18).isoformat()),
        (120, later.isoformat()),
    ]
    # Moved again, to Wednesday: both leads are ahead at the new time and come again.
    clock.set(berlin(2026, 12, 1, 17, 30))
    wednesday = berlin(2026, 12, 2, 18)
    await save_override(world.studio, world.admin, key, OverrideRequest(start=wednesday), confirmed=True)
    assert len(await of_kind(world, NotificationKind.REMINDER)) == 1  # the unsent 2 h one is withdrawn
    for when in ((2026, 12, 1, 18, 0), (2026, 12, 1, 18, 0), (2026, 12, 2, 16, 0), (2026, 12, 2, 17, 0)):
        await scan_at(world, clock, when)
    reminders = (await of_kind(world, NotificationKind.REMINDER))[1:]
    assert [(r.payload["lead_minutes"], r.payload["start"], r.created_at) for r in reminders] == [
        (1440, wednesday.isoformat(), berlin(2026, 12, 1, 18)),
        (120, wednesday.isoformat(), berlin(2026, 12, 2, 16)),
    ]
    await nothing_undelivered(world)


async def test_a_session_moved_away_and_back_is_not_reminded_twice_of_one_time(world: World, clock: FixedClock) -> None:
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    key = world.yoga_on(TUESDAY)
    await book_session(world.studio, member, key, member)
    await scan_at(world, clock, (2026, 11, 30, 18, 0))
    dispatcher = OutboxStore(world.sessions)
    [sent] = await dispatcher.claim(clock.now(), 10)
    assert await dispatcher.mark_sent(sent.id, clock.now())
    clock.set(berlin(2026, 11, 30, 18, 30))
    await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 2, 18)), confirmed=True)
    clock.set(berlin(2026, 11, 30, 18, 40))
    await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 18)), confirmed=True)
    await scan_at(world, clock, (2026, 11, 30, 18, 41))  # 24 h before Tuesday 18:00: that one went out
    await scan_at(world, clock, (2026, 12, 1, 16, 0))
    reminders = await of_kind(world, NotificationKind.REMINDER)
    tuesday = berlin(2026, 12, 1, 18).isoformat()
    assert [(r.payload["lead_minutes"], r.payload["start"], r.status) for r in reminders] == [
        (1440, tuesday, "sent"),
        (120, tuesday, "pending"),
    ]


async def test_a_session_re_roomed_gets_its_unsent_reminder_again_with_the_new_space(
    world: World, clock: FixedClock
) -> None:
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    key = world.yoga_on(TUESDAY)
    await book_session(world.studio, member, key, member)
    await scan_at(world, clock, (2026, 11, 30, 18, 0))
    clock.set(berlin(2026, 11, 30, 18, 5))
    await save_override(
        world.studio, world.admin, key, OverrideRequest(space_id=world.studio_b, capacity=8), confirmed=True
    )
    assert await of_kind(world, NotificationKind.REMINDER) == []
    await scan_at(world, clock, (2026, 11, 30, 18, 5))
    await scan_at(world, clock, (2026, 11, 30, 18, 6))
    [again] = await of_kind(world, NotificationKind.REMINDER)
    assert (again.payload["lead_minutes"], again.payload["space"]) == (1440, "Studio B")
    await nothing_undelivered(world)


async def test_a_pass_warning_not_sent_when_the_last_session_is_booked_is_withdrawn(
    world: World, clock: FixedClock
) -> None:
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    template = await add_template(world.studio, world.admin, "Two classes", 2, 10, ["Yoga"])
    two = (await grant_pass(world.studio, world.admin, member, template.id)).pass_  # expires first: used first
    await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    await scan_at(world, clock, (2026, 11, 30, 9, 0))
    [warning] = await of_kind(world, NotificationKind.PASS_LAST_SESSION)
    assert warning.payload["pass_id"] == two.id
    await book_session(world.studio, member, world.yoga_on(date(2026, 12, 3)), member)  # its last one
    assert await of_kind(world, NotificationKind.PASS_LAST_SESSION) == []
    await scan_at(world, clock, (2026, 12, 3, 9, 0))  # inside the week before it expires: nothing left to book
    assert await of_kind(world, NotificationKind.PASS_LAST_SESSION) == []
    assert await of_kind(world, NotificationKind.PASS_EXPIRING) == []
    await nothing_undelivered(world)


async def test_a_pass_topped_up_extended_or_closed_loses_its_unsent_warning_and_is_warned_as_it_is_then(
    world: World, clock: FixedClock
) -> None:
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    template = await add_template(world.studio, world.admin, "Two classes", 2, 10, ["Yoga"])
    await grant_pass(world.studio, world.admin, member, template.id)  # until Thursday 10 December
    await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    await scan_at(world, clock, (2026, 11, 30, 9, 0))
    assert len(await of_kind(world, NotificationKind.PASS_LAST_SESSION)) == 1
    await topup_pass(world.studio, world.admin, "Member 0", "Two classes", 3)  # 4 left: "one left" is untrue
    assert await of_kind(world, NotificationKind.PASS_LAST_SESSION) == []
    await scan_at(world, clock, (2026, 12, 3, 9, 0))  # a week before it expires
    assert await of_kind(world, NotificationKind.PASS_LAST_SESSION) == []
    [expiring] = await of_kind(world, NotificationKind.PASS_EXPIRING)
    assert expiring.payload["sessions_left"] == 4
    await extend_pass(world.studio, world.admin, "Member 0", "Two classes", 14)  # until Thursday 24 December
    assert await of_kind(world, NotificationKind.PASS_EXPIRING) == []
    await scan_at(world, clock, (2026, 12, 3, 9, 1))
    assert await of_kind(world, NotificationKind.PASS_EXPIRING) == []
    await scan_at(world, clock, (2026, 12, 17, 9, 0))
    [expiring] = await of_kind(world, NotificationKind.PASS_EXPIRING)
    assert expiring.payload["expires_at"][:10] == "2026-12-24"
    await close_pass(world.studio, world.admin, "Member 0", "Two classes")
    await scan_at(world, clock, (2026, 12, 17, 9, 1))
    assert await of_kind(world, NotificationKind.PASS_EXPIRING) == []
    await nothing_undelivered(world)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite runs one writer at a time
async def test_a_cancel_while_a_scan_queues_its_reminder_waits_for_the_scan_and_withdraws_it(
    world: World, clock: FixedClock
) -> None:
    """PostgreSQL: the scan has read the booking as active when the member cancels; the
    cancel waits for the scan's transaction and then withdraws what it queued."""
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    booking = await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    clock.set(berlin(2026, 11, 30, 18, 0))
    async with SqlUnitOfWork(world.sessions) as uow:
        await uow.timed.lock_scan()  # a scan has begun
        cancelling = asyncio.create_task(cancel_booking(world.studio, member, booking.id))
        await wait_for(lambda: waiting_for_the_scan(world), what="the cancel waiting for the scan")
        report = await _reminders(uow, world.studio, POLICY)  # reads the booking as it was: active
        await uow.commit()
    assert report.queued[NotificationKind.REMINDER] == 1
    await cancelling
    assert await of_kind(world, NotificationKind.REMINDER) == []
    await nothing_undelivered(world)


async def waiting_for_the_scan(world: World) -> bool:
    async with world.sessions() as session:
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return bool(await session.scalar(text(query)))
