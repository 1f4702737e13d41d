"""Issue 13: reminders before booked sessions, the trainer's day and pass warnings,
queued by the scan (domain/reminders/due.py) on SQLite and PostgreSQL with a fixed
clock. The studio clock starts at Monday 2026-11-30 08:00 Berlin; Yoga runs Tuesday
and Thursday 18:00, the closed Back course Wednesday 10:00 (tests/world.py)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, time, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.clock import FixedClock
from domain.notifications import NotificationKind
from domain.override import OverrideRequest
from domain.reminders.due import send_due
from domain.reminders.policy import NoticePolicy, parse_leads
from domain.reminders.settings import Setting, change_setting
from domain.sessions.cancel import cancel_session
from domain.sessions.override import save_override
from domain.setup.passes import add_template, grant_pass
from domain.studio import Studio
from storage.database import create_engine, create_sessionmaker
from storage.models import NotificationRow, TimedNoticeRow
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import BERLIN
from tests.delivery_helpers import link_chats
from tests.world import World, berlin

POLICY = NoticePolicy((timedelta(hours=24), timedelta(hours=2)), time(7), 7)
TUESDAY = date(2026, 12, 1)
REMINDER = NotificationKind.REMINDER.value


async def queued(world: World, kind: str = REMINDER) -> list[NotificationRow]:
    return [row for row in await world.notifications() if row.kind == kind]


async def marks(world: World) -> list[tuple[str, int, int, str]]:
    async with world.sessions() as session:
        rows = await session.scalars(select(TimedNoticeRow).order_by(TimedNoticeRow.id))
        return [(r.kind, r.subject_id, r.slot, r.outcome) for r in rows]


async def scan_at(world: World, clock: FixedClock, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
    clock.set(berlin(year, month, day, hour, minute))
    await send_due(world.studio, POLICY)


async def booked_member(world: World, key_day: date = TUESDAY) -> tuple[int, int]:
    """Member 0, linked to a chat, booked on Yoga of `key_day`: (member, booking id)."""
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    booking = await book_session(world.studio, member, world.yoga_on(key_day), member)
    return member, booking.id


async def test_a_reminder_is_sent_at_each_lead_time_once(world: World, clock: FixedClock) -> None:
    member, booking = await booked_member(world)
    await scan_at(world, clock, 2026, 11, 30, 17, 59)  # 24 h before Tuesday 18:00 is Monday 18:00
    assert await queued(world) == []
    await scan_at(world, clock, 2026, 11, 30, 18, 0)
    await scan_at(world, clock, 2026, 11, 30, 18, 0)
    await scan_at(world, clock, 2026, 12, 1, 15, 59)
    [first] = await queued(world)
    assert (first.member_id, first.payload["lead_minutes"], first.payload["booking_id"]) == (member, 1440, booking)
    assert first.payload["start"] == berlin(2026, 12, 1, 18).isoformat()
    assert first.payload["cancel_until"] == berlin(2026, 12, 1, 16).isoformat()  # the studio's 2 h deadline
    assert (first.payload["space"], first.payload["trainer"]) == ("Studio A", "Tom Trainer")
    await scan_at(world, clock, 2026, 12, 1, 16, 0)
    await scan_at(world, clock, 2026, 12, 1, 17, 0)
    assert [row.payload["lead_minutes"] for row in await queued(world)] == [1440, 120]
    assert await marks(world) == [("reminder", booking, 1440, "queued"), ("reminder", booking, 120, "queued")]


async def test_no_reminder_for_a_cancelled_session_or_a_cancelled_booking(world: World, clock: FixedClock) -> None:
    first, second = world.members[0], world.members[1]
    await link_chats(world.sessions, None, [first, second])
    await book_session(world.studio, first, world.yoga_on(TUESDAY), first)
    thursday = await book_session(world.studio, second, world.yoga_on(date(2026, 12, 3)), second)
    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY), "The hall is flooded")
    await cancel_booking(world.studio, second, thursday.id)
    for day, hour in ((30, 18), (1, 16), (2, 18), (3, 16)):
        await scan_at(world, clock, 2026, 12 if day < 30 else 11, day, hour)
    assert await queued(world) == []
    assert await marks(world) == []


async def test_a_moved_session_is_reminded_at_its_new_time_across_the_change_to_summer_time(
    world: World, clock: FixedClock
) -> None:
    """Thursday 25 March 2027 18:00 CET moves to Monday 29 March 18:00 CEST (the clocks go
    forward on Sunday 28 March): nothing at the old time, each lead before the new one."""
    clock.set(berlin(2027, 3, 22, 8))
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    await grant_pass(world.studio, world.admin, member, world.open_template)  # the first one expired in January
    key = world.yoga_on(date(2027, 3, 25))
    await book_session(world.studio, member, key, member)
    moved = berlin(2027, 3, 29, 18)
    assert moved.hour == 16  # UTC+2 by then
    await save_override(world.studio, world.admin, key, OverrideRequest(start=moved), confirmed=True)
    await scan_at(world, clock, 2027, 3, 24, 18)  # the old 24 h lead
    await scan_at(world, clock, 2027, 3, 25, 16)  # the old 2 h lead
    assert await queued(world) == []
    await scan_at(world, clock, 2027, 3, 28, 17, 59)
    assert await queued(world) == []
    await scan_at(world, clock, 2027, 3, 28, 18)  # 24 h before Monday 18:00 CEST
    await scan_at(world, clock, 2027, 3, 29, 15, 59)
    await scan_at(world, clock, 2027, 3, 29, 16)  # 2 h before
    rows = await queued(world)
    assert [(r.payload["lead_minutes"], r.payload["start"]) for r in rows] == [
        (1440, moved.isoformat()),
        (120, moved.isoformat()),
    ]
    assert [r.created_at for r in rows] == [berlin(2027, 3, 28, 18), berlin(2027, 3, 29, 16)]


async def test_a_member_who_switched_reminders_off_gets_none_until_switched_on(world: World, clock: FixedClock) -> None:
    member, booking = await booked_member(world)
    await change_setting(world.studio, member, Setting.REMINDERS, False)
    await scan_at(world, clock, 2026, 11, 30, 18)
    assert await queued(world) == []
    await change_setting(world.studio, member, Setting.REMINDERS, True)
    await scan_at(world, clock, 2026, 12, 1, 16)
    assert [r.payload["lead_minutes"] for r in await queued(world)] == [120]
    # The lead due while they were off is not sent late: it was recorded as skipped.
    assert await marks(world) == [("reminder", booking, 1440, "skipped"), ("reminder", booking, 120, "queued")]


async def test_a_scan_reads_only_what_fell_due_since_the_last_one(world: World, clock: FixedClock) -> None:
    """The window query leaves out what is recorded (queued, skipped): at studio scale a
    scan reads the few bookings whose lead has just come, not every booking ahead."""
    await link_chats(world.sessions, None, world.members[:2])
    await world.book_all(world.yoga_on(TUESDAY))  # members 2 and 3 have no chat
    await world.book_all(world.yoga_on(date(2026, 12, 3)))
    await scan_at(world, clock, 2026, 11, 30, 18)

    async def due(at: tuple[int, int, int, int]) -> list[tuple[int, int]]:
        now = berlin(*at)
        async with SqlUnitOfWork(world.sessions) as uow:
            held = await uow.timed.reminders_due(now - timedelta(minutes=5), now, POLICY.leads)
        return [(h.booking_id, h.member_id) for h in held]

    assert await due((2026, 11, 30, 18)) == []
    assert await due((2026, 12, 1, 15)) == []  # Tuesday's 2 h lead has not come, Thursday's 24 h neither
    assert len(await due((2026, 12, 1, 16))) == len(world.members)  # Tuesday's 2 h lead


async def test_a_reminder_due_while_the_bot_was_down_is_sent_only_while_the_session_is_ahead(
    world: World, clock: FixedClock
) -> None:
    member, tuesday = await booked_member(world)
    thursday = await book_session(world.studio, member, world.yoga_on(date(2026, 12, 3)), member)
    await scan_at(world, clock, 2026, 11, 30, 8)  # the last scan before the bot went down
    # Back up on Thursday at 17:00: Tuesday's session is over, Thursday's is an hour ahead.
    await scan_at(world, clock, 2026, 12, 3, 17)
    rows = await queued(world)
    assert [(r.payload["booking_id"], r.payload["lead_minutes"]) for r in rows] == [(thursday.id, 120)]
    assert sorted(await marks(world)) == sorted(
        [
            ("reminder", tuesday, 1440, "dropped"),
            ("reminder", tuesday, 120, "dropped"),
            ("reminder", thursday.id, 1440, "superseded"),  # the shorter lead says it better now
            ("reminder", thursday.id, 120, "queued"),
        ]
    )


async def test_a_booking_made_inside_a_lead_gets_only_the_later_ones(world: World, clock: FixedClock) -> None:
    clock.set(berlin(2026, 12, 1, 8))  # Tuesday morning: less than 24 h before 18:00
    _, booking = await booked_member(world)
    await scan_at(world, clock, 2026, 12, 1, 8, 1)
    await scan_at(world, clock, 2026, 12, 1, 16)
    assert [r.payload["lead_minutes"] for r in await queued(world)] == [120]
    assert await marks(world) == [("reminder", booking, 1440, "skipped"), ("reminder", booking, 120, "queued")]


async def test_a_restart_sends_nothing_twice(world: World, clock: FixedClock, database_url: str) -> None:
    await booked_member(world)
    await scan_at(world, clock, 2026, 11, 30, 18)
    restarted, sessions = await _another_process(database_url, clock)
    try:
        await send_due(restarted, POLICY)
    finally:
        await sessions.kw["bind"].dispose()
    assert len(await queued(world)) == 1


async def test_two_dispatchers_scanning_at_once_queue_each_reminder_once(
    world: World, clock: FixedClock, database_url: str
) -> None:
    await link_chats(world.sessions, None, world.members)
    for day in (TUESDAY, date(2026, 12, 3)):
        await world.book_all(world.yoga_on(day))
    other, sessions = await _another_process(database_url, clock)
    reports = []
    try:
        for moment in ((30, 11, 18), (1, 12, 16), (2, 12, 18), (3, 12, 16)):
            clock.set(berlin(2026, moment[1], moment[0], moment[2]))
            reports += await asyncio.gather(send_due(world.studio, POLICY), send_due(other, POLICY))
    finally:
        await sessions.kw["bind"].dispose()
    rows = await queued(world)
    per_key = Counter((r.payload["booking_id"], r.payload["lead_minutes"]) for r in rows)
    assert len(per_key) == 2 * 2 * len(world.members) and set(per_key.values()) == {1}
    assert sum(r.queued[NotificationKind.REMINDER] for r in reports) == len(rows)


async def _another_process(database_url: str, clock: FixedClock) -> tuple[Studio, async_sessionmaker[AsyncSession]]:
    """A second scanner on the same database, with its own engine and connections."""
    sessions = create_sessionmaker(create_engine(database_url))
    return Studio(lambda: SqlUnitOfWork(sessions), clock, BERLIN), sessions


# -- the trainer's day -----------------------------------------------------------------


async def test_the_trainers_day_is_sent_once_at_the_studios_hour_and_not_on_a_free_day(
    world: World, clock: FixedClock
) -> None:
    await link_chats(world.sessions, None, [world.trainer, world.members[0], world.members[1]])
    await world.book_all(world.yoga_on(TUESDAY), world.members[:2])
    await scan_at(world, clock, 2026, 11, 30, 8)  # Monday: Tom leads nothing
    assert await queued(world, NotificationKind.TRAINER_DAY.value) == []
    assert ("trainer_day", world.trainer, date(2026, 11, 30).toordinal(), "free") in await marks(world)
    await scan_at(world, clock, 2026, 12, 1, 6, 59)
    assert await queued(world, NotificationKind.TRAINER_DAY.value) == []
    await scan_at(world, clock, 2026, 12, 1, 7)
    await scan_at(world, clock, 2026, 12, 1, 12)
    [day] = await queued(world, NotificationKind.TRAINER_DAY.value)
    assert day.member_id == world.trainer
    assert day.payload["day"] == "2026-12-01"
    assert [(s["title"], s["start"], s["booked"], s["capacity"]) for s in day.payload["sessions"]] == [
        ("Yoga", berlin(2026, 12, 1, 18).isoformat(), 2, 10)
    ]


async def test_a_trainer_who_switched_the_morning_list_off_gets_none(world: World, clock: FixedClock) -> None:
    await link_chats(world.sessions, None, [world.trainer])
    await change_setting(world.studio, world.trainer, Setting.TRAINER_DAY, False)
    await scan_at(world, clock, 2026, 12, 1, 7)
    assert await queued(world, NotificationKind.TRAINER_DAY.value) == []


# -- pass warnings ---------------------------------------------------------------------


async def test_a_pass_with_one_session_left_is_announced_once(world: World, clock: FixedClock) -> None:
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    template = await add_template(world.studio, world.admin, "Two classes", 2, 30, ["Yoga"])
    two = (await grant_pass(world.studio, world.admin, member, template.id)).pass_  # expires first: used first
    await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    await scan_at(world, clock, 2026, 11, 30, 9)
    await scan_at(world, clock, 2026, 11, 30, 10)
    [warning] = await queued(world, NotificationKind.PASS_LAST_SESSION.value)
    assert (warning.member_id, warning.payload["pass_id"], warning.payload["sessions_left"]) == (member, two.id, 1)
    assert warning.payload["title"] == "Two classes"


async def test_a_pass_expiring_with_sessions_left_is_announced_once_a_week_before(
    world: World, clock: FixedClock
) -> None:
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    expires = world.passes[member].expires_at
    clock.set(expires - timedelta(days=7, seconds=1))
    await send_due(world.studio, POLICY)
    assert await queued(world, NotificationKind.PASS_EXPIRING.value) == []
    clock.set(expires - timedelta(days=7))
    await send_due(world.studio, POLICY)
    clock.set(expires - timedelta(days=1))
    await send_due(world.studio, POLICY)
    [warning] = await queued(world, NotificationKind.PASS_EXPIRING.value)
    assert (warning.payload["sessions_left"], warning.payload["expires_at"]) == (10, expires.isoformat())
    # The others have no chat: their passes are recorded as skipped, and not read again.
    others = {world.passes[m].id for m in world.members[1:]}  # no bookings here: every mark is of a pass
    assert {(subject, outcome) for kind, subject, _, outcome in await marks(world) if subject in others} == {
        (pass_id, "skipped") for pass_id in others
    }


# -- the studio's settings ------------------------------------------------------------


def test_lead_times_are_read_in_hours_or_minutes_longest_first() -> None:
    hours, minutes = timedelta(hours=1), timedelta(minutes=1)
    assert parse_leads("24h,2h") == (24 * hours, 2 * hours)
    assert parse_leads(" 90m 24h;2 H, 2h ") == (24 * hours, 2 * hours, 90 * minutes)
    assert parse_leads("") == parse_leads(" , ") == ()
    for bad in ("2", "2 days", "24h,2x", "90min", "0h", "400h", "h"):
        with pytest.raises(ValueError):
            parse_leads(bad)


def test_the_process_settings_give_the_policy_and_refuse_bad_values() -> None:
    def settings(**values: object) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]

    assert settings().notice_policy == NoticePolicy((timedelta(hours=24), timedelta(hours=2)), time(7), 7)
    policy = settings(reminders="", trainer_day_at="", pass_warning_days="").notice_policy
    assert policy == NoticePolicy((), None, 0)
    assert settings(trainer_day_at="6:30").notice_policy.trainer_day_at == time(6, 30)
    for bad in (
        {"reminders": "2 days"},
        {"trainer_day_at": "7"},
        {"trainer_day_at": "25:00"},
        {"pass_warning_days": -1},
    ):
        with pytest.raises(ValidationError):
            settings(**bad)


async def test_a_courses_pass_gets_no_warning(world: World, clock: FixedClock) -> None:
    """Its sessions are its enrolment (booked at the grant), not for /book: the ones it
    keeps unused (fewer sessions left in the course, one cancelled) are no use there."""
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    clock.set(berlin(2027, 3, 4, 8))  # two sessions of the course are left
    course = (await grant_pass(world.studio, world.admin, member, world.closed_template)).pass_
    await cancel_session(world.studio, world.admin, world.closed_on(date(2027, 3, 10)), "The trainer is ill")
    async with SqlUnitOfWork(world.sessions) as uow:
        refreshed = await uow.passes.get(course.id)
    assert refreshed is not None and refreshed.sessions_left == 9  # 10, less one left session booked
    clock.set(course.expires_at - timedelta(days=2))
    await send_due(world.studio, POLICY)
    warned = [
        row.payload["pass_id"]
        for kind in (NotificationKind.PASS_EXPIRING, NotificationKind.PASS_LAST_SESSION)
        for row in await queued(world, kind.value)
    ]
    assert course.id not in warned
    assert ("pass_expiring", course.id, 0, "skipped") in await marks(world)
