"""Issue 14 in the domain, on SQLite and PostgreSQL: a schedule edited from a date on
(earlier sessions and a session's own overrides keep their values, booked members of
changed sessions are told, bookings move with a new time), ended on a date and
skipped on a date (cancelled with refunds and notices, refunded once), conflicts
confirmed before an edit is saved, and the pass expiry extension."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select, update

from domain.bookings.cancel import cancel_booking
from domain.bookings.waitlist import join_waitlist
from domain.clock import FixedClock
from domain.errors import NotAllowed, OccurrenceCancelled, OccurrenceStarted
from domain.listing import DateRange
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest
from domain.reminders.due import send_due
from domain.reminders.policy import NoticePolicy
from domain.schedule_review import ScheduleWarningKind
from domain.sessions.cancel import cancel_session
from domain.sessions.card import find_session
from domain.sessions.listing import list_sessions
from domain.sessions.override import save_override
from domain.setup.names import SetupError
from domain.setup.schedule_edit import (
    CancellingNeedsConfirmation,
    ScheduleEdit,
    ScheduleEditNeedsConfirmation,
    edit_schedule,
    end_schedule,
    skip_date,
)
from domain.setup.schedules import ScheduleDraft, add_schedule, list_schedules
from storage.models import LedgerEntryRow, PassExtensionRow, PassRow
from tests.delivery_helpers import link_chats
from tests.world import World, berlin

DECEMBER = DateRange(date(2026, 12, 1), date(2026, 12, 31))


def yoga_at(world: World, day: date, hour: int) -> OccurrenceKey:
    assert world.yoga is not None
    return OccurrenceKey(world.yoga.id, berlin(day.year, day.month, day.day, hour))


async def yoga_sessions(world: World) -> list[tuple[str, str, int, str, bool, int]]:
    """December's Yoga as a trainer's list shows it: day and time, capacity, trainer."""
    names = {world.trainer: "Tom", world.substitute: "Sue"}
    listing = await list_sessions(world.studio, world.admin, DECEMBER)
    return [
        (
            f"{o.start.astimezone(world.studio.zone):%d %H:%M}",
            o.title,
            o.capacity,
            names[o.trainer_id],
            o.cancelled,
            o.booked,
        )
        for o in listing
        if o.schedule.id == (world.yoga.id if world.yoga else 0)
    ][:8]


async def test_an_edit_from_a_date_on_keeps_earlier_and_overridden_sessions_and_tells_the_booked(world: World) -> None:
    m0, m1, m2, m3 = world.members
    await world.book_all(world.yoga_on(date(2026, 12, 1)), [m0, m1])  # before the date: kept as it was
    await world.book_all(world.yoga_on(date(2026, 12, 10)), [m0, m2])
    await save_override(world.studio, world.admin, world.yoga_on(date(2026, 12, 15)), OverrideRequest(capacity=5))
    await world.book_all(world.yoga_on(date(2026, 12, 15)), [m3])
    moved = OverrideRequest(start=berlin(2026, 12, 17, 17))  # a time of its own
    await save_override(world.studio, world.admin, world.yoga_on(date(2026, 12, 17)), moved)
    await world.book_all(world.yoga_on(date(2026, 12, 17)), [m1])
    before = len(await world.notifications())

    done = await edit_schedule(
        world.studio, world.admin, "yoga", date(2026, 12, 8), ScheduleEdit(start_time=time(19), trainer="Sue")
    )

    assert (done.before.start_time, done.after.start_time) == (time(18), time(19))
    assert await yoga_sessions(world) == [
        ("01 18:00", "Yoga", 10, "Tom", False, 2),
        ("03 18:00", "Yoga", 10, "Tom", False, 0),
        ("08 19:00", "Yoga", 10, "Sue", False, 0),
        ("10 19:00", "Yoga", 10, "Sue", False, 2),  # its bookings moved with it
        ("15 19:00", "Yoga", 5, "Sue", False, 1),  # its own capacity kept; the time follows
        ("17 17:00", "Yoga", 10, "Sue", False, 1),  # its own time kept; the trainer follows
        ("22 19:00", "Yoga", 10, "Sue", False, 0),
        ("24 19:00", "Yoga", 10, "Sue", False, 0),
    ]
    told = [
        (r.member_id, r.kind, [c["field"] for c in r.payload["changes"]])
        for r in (await world.notifications())[before:]
    ]
    assert sorted(told) == sorted(
        [
            (m0, NotificationKind.RESCHEDULED.value, ["time", "trainer"]),
            (m2, NotificationKind.RESCHEDULED.value, ["time", "trainer"]),
            (m3, NotificationKind.RESCHEDULED.value, ["time", "trainer"]),
            (m1, NotificationKind.UPDATED.value, ["trainer"]),
            # The trainers once each, for all the sessions from the date on (tests/test_schedule_notices.py).
            (world.substitute, NotificationKind.TRAINER_SCHEDULE_LEAD.value, ["time"]),
            (world.trainer, NotificationKind.TRAINER_SCHEDULE_REPLACED.value, ["time"]),
        ]
    )
    assert len(done.sessions) == 3 and len(done.notifications) == 6
    assert await world.active_bookings() == 6
    assert all(left == ledger for left, ledger in (await world.balances()).values())
    # The moved session is the same aggregate: its old key is gone, the new one is it.
    card = await find_session(world.studio, world.admin, yoga_at(world, date(2026, 12, 10), 19))
    assert card.booked == 2 and card.trainer_id == world.substitute
    [yoga] = [s for s in await list_schedules(world.studio, world.admin) if s.title == "Yoga"]
    assert (yoga.start_time, yoga.default_trainer_id, len(yoga.eras)) == (time(19), world.substitute, 1)


async def test_a_later_edit_from_an_earlier_date_keeps_the_fields_it_does_not_change(world: World) -> None:
    await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 15), ScheduleEdit(trainer="Sue"))
    await edit_schedule(
        world.studio, world.admin, "Yoga", date(2026, 12, 8), ScheduleEdit(capacity=6, title="Yoga flow")
    )
    sessions = await yoga_sessions(world)
    assert [(day, title, cap, who) for day, title, cap, who, _, _ in sessions[:6]] == [
        ("01 18:00", "Yoga", 10, "Tom"),
        ("03 18:00", "Yoga", 10, "Tom"),
        ("08 18:00", "Yoga flow", 6, "Tom"),
        ("10 18:00", "Yoga flow", 6, "Tom"),
        ("15 18:00", "Yoga flow", 6, "Sue"),
        ("17 18:00", "Yoga flow", 6, "Sue"),
    ]
    assert {s.title for s in await list_schedules(world.studio, world.admin)} == {"Back course", "Yoga flow"}


@pytest.mark.parametrize(
    ("since", "edit", "message"),
    [
        (date(2026, 11, 29), ScheduleEdit(capacity=8), "is in the past"),
        (date(2026, 12, 8), ScheduleEdit(), "Say what changes"),
        (date(2026, 12, 8), ScheduleEdit(title="back COURSE"), "exists already"),
        (date(2026, 12, 8), ScheduleEdit(capacity=0), "from 1 to 10000"),
        (date(2026, 12, 8), ScheduleEdit(capacity=10**20), "from 1 to 10000"),
        (date(9999, 12, 31), ScheduleEdit(capacity=8), "more than ten years ahead"),
        (date(1, 1, 1), ScheduleEdit(capacity=8), "is in the past"),
        (date(2026, 12, 8), ScheduleEdit(duration=timedelta(0)), "duration"),
        (date(2026, 12, 8), ScheduleEdit(space="Gym"), "No space is called"),
        (date(2026, 12, 8), ScheduleEdit(space="Studio B"), "holds at most 8"),
        (date(2026, 12, 8), ScheduleEdit(trainer="Member 0"), "No trainer is called"),
        (date(2026, 12, 8), ScheduleEdit(trainer="Tom"), "nothing to change"),
    ],
)
async def test_a_wrong_edit_is_refused_and_changes_nothing(
    world: World, since: date, edit: ScheduleEdit, message: str
) -> None:
    await world.book_all(world.yoga_on(date(2026, 12, 10)), world.members[:1])
    with pytest.raises(SetupError, match=message):
        await edit_schedule(world.studio, world.admin, "Yoga", since, edit)
    assert [s for s in await list_schedules(world.studio, world.admin) if s.title == "Yoga"] == [world.yoga]
    assert len(await world.notifications()) == 0


async def test_only_admins_edit_end_and_skip(world: World) -> None:
    with pytest.raises(NotAllowed):
        await edit_schedule(world.studio, world.trainer, "Yoga", date(2026, 12, 8), ScheduleEdit(capacity=8))
    with pytest.raises(NotAllowed):
        await end_schedule(world.studio, world.trainer, "Yoga", date(2026, 12, 8))
    with pytest.raises(NotAllowed):
        await skip_date(world.studio, world.members[0], "Yoga", date(2026, 12, 8))
    assert [s for s in await list_schedules(world.studio, world.admin) if s.title == "Yoga"] == [world.yoga]


async def test_an_edit_that_takes_a_busy_space_is_saved_only_when_confirmed(world: World) -> None:
    pilates = ScheduleDraft(
        "Pilates", "FREQ=WEEKLY;BYDAY=TH", date(2026, 12, 3), time(19), timedelta(minutes=50), 8, "Studio A", "Sue"
    )
    await add_schedule(world.studio, world.admin, pilates)
    later = ScheduleEdit(start_time=time(19))
    with pytest.raises(ScheduleEditNeedsConfirmation) as needed:
        await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8), later)
    [warning] = needed.value.warnings
    assert (warning.kind, warning.other and warning.other.title) == (ScheduleWarningKind.SPACE_BUSY, "Pilates")
    assert warning.other is not None and warning.other.start == berlin(2026, 12, 10, 19)  # the first from the date
    assert [s for s in await list_schedules(world.studio, world.admin) if s.title == "Yoga"] == [world.yoga]
    await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8), later, confirmed=True)
    assert ("10 19:00", "Yoga", 10, "Tom", False, 0) in await yoga_sessions(world)


async def test_ending_a_schedule_cancels_the_sessions_after_it_with_refunds_once(world: World) -> None:
    m0, m1, *_ = world.members
    await world.book_all(world.yoga_on(date(2026, 12, 3)), [m0])  # on or before the last day: kept
    await world.book_all(world.yoga_on(date(2026, 12, 10)), [m0, m1])
    await world.book_all(world.yoga_on(date(2026, 12, 15)), [m0])
    with pytest.raises(CancellingNeedsConfirmation) as needed:
        await end_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8))
    assert [len(r.cancelled_bookings) for r in needed.value.reviews] == [2, 1]
    assert await world.active_bookings() == 4 and await world.notifications() == []  # nothing changed
    done = await end_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8), confirmed=True)
    assert (len(done.cancelled), done.refunded, done.told) == (2, 3, 3)
    assert [await world.pass_balance(m) for m in (m0, m1)] == [9, 10]
    *rows, ended = await world.notifications()  # the trainer once, for every session after the day
    assert (ended.member_id, ended.kind, ended.payload["count"]) == (world.trainer, "trainer_schedule_ended", None)
    assert {(r.member_id, r.kind) for r in rows} == {(m0, "training_cancelled"), (m1, "training_cancelled")}
    assert {r.payload["reason"] for r in rows} == {"Yoga ends on Tue 08 Dec 2026."}
    assert done.trainers == (NotificationDraft(ended.member_id, NotificationKind(ended.kind), ended.payload),)
    sessions = await yoga_sessions(world)
    assert sessions == [
        ("01 18:00", "Yoga", 10, "Tom", False, 0),
        ("03 18:00", "Yoga", 10, "Tom", False, 1),
        ("08 18:00", "Yoga", 10, "Tom", False, 0),
        ("10 18:00", "Yoga", 10, "Tom", True, 0),  # held by people: shown cancelled
        ("15 18:00", "Yoga", 10, "Tom", True, 0),
    ]
    with pytest.raises(SetupError, match="no session after 2026-12-08 already"):
        await end_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8))
    async with world.sessions() as session:
        refunds = await session.scalar(
            select(func.count()).select_from(LedgerEntryRow).where(LedgerEntryRow.kind == "refund")
        )
    assert refunds == 3 and all(left == ledger for left, ledger in (await world.balances()).values())
    [yoga] = [s for s in await list_schedules(world.studio, world.admin) if s.title == "Yoga"]
    assert yoga.rrule == "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261208T235959"


async def test_a_skipped_date_is_a_cancelled_session_with_its_reason_refunded_once(world: World) -> None:
    day = date(2026, 12, 10)
    await world.book_all(world.yoga_on(day), world.members[:2])
    with pytest.raises(CancellingNeedsConfirmation):
        await skip_date(world.studio, world.admin, "yoga", day, "Hall repairs")
    assert await world.active_bookings() == 2 and await world.notifications() == []  # nothing changed
    review = await skip_date(world.studio, world.admin, "yoga", day, "Hall repairs", confirmed=True)
    assert review.occurrence.cancelled and review.refunded_passes == 2
    assert [await world.pass_balance(m) for m in world.members[:2]] == [10, 10]
    rows = await world.notifications()
    assert [(r.kind, r.payload["reason"]) for r in rows] == [
        ("trainer_session_cancelled", "Hall repairs"),  # its trainer, as a session's cancel tells them
        ("training_cancelled", "Hall repairs"),
        ("training_cancelled", "Hall repairs"),
    ]
    with pytest.raises(OccurrenceCancelled, match="cancelled already"):
        await skip_date(world.studio, world.admin, "yoga", day)
    assert len(await world.notifications()) == 3 and [await world.pass_balance(m) for m in world.members[:2]] == [
        10,
        10,
    ]
    assert ("10 18:00", "Yoga", 10, "Tom", True, 0) in await yoga_sessions(world)
    with pytest.raises(SetupError, match="Yoga has no session on Mon 07 Dec 2026"):
        await skip_date(world.studio, world.admin, "yoga", date(2026, 12, 7))
    unnamed = await skip_date(world.studio, world.admin, "yoga", date(2026, 12, 15))
    assert unnamed.occurrence.record.cancel_reason == "No session on this date."


async def test_a_skipped_date_moves_with_a_later_time_edit(world: World) -> None:
    await skip_date(world.studio, world.admin, "Yoga", date(2026, 12, 10), "Hall repairs")
    await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8), ScheduleEdit(start_time=time(19)))
    assert ("10 19:00", "Yoga", 10, "Tom", True, 0) in await yoga_sessions(world)
    assert not [s for s in await yoga_sessions(world) if s[0] == "10 18:00"]


async def expiry(world: World, member: int) -> object:
    async with world.sessions() as session:
        return await session.scalar(select(PassRow.expires_at).where(PassRow.id == world.passes[member].id))


async def test_cancelled_sessions_extend_each_refunded_pass_once_when_the_studio_says_so(world: World) -> None:
    studio = replace(world.studio, pass_extension_days=7)
    m0, m1, m2, _ = world.members
    granted = {m: await expiry(world, m) for m in world.members}
    await world.book_all(world.yoga_on(date(2026, 12, 10)), [m0, m1])
    await world.book_all(world.yoga_on(date(2026, 12, 15)), [m0])
    await world.book_all(world.yoga_on(date(2026, 12, 1)), [m1])
    await world.book_all(world.yoga_on(date(2026, 12, 3)), [m2])
    [own] = await _bookings_of(world, m2)
    await cancel_booking(studio, m2, own.id)  # a member's own cancellation: no extension
    assert await expiry(world, m2) == granted[m2]

    await end_schedule(studio, world.admin, "Yoga", date(2026, 12, 8), confirmed=True)  # m0 twice, m1 once
    await cancel_session(studio, world.trainer, world.yoga_on(date(2026, 12, 1)), "Ill")  # m1 once more
    await cancel_session(studio, world.trainer, world.yoga_on(date(2026, 12, 1)), "Ill")  # nothing twice
    assert await expiry(world, m0) == granted[m0] + timedelta(days=14)  # type: ignore[operator]
    assert await expiry(world, m1) == granted[m1] + timedelta(days=14)  # type: ignore[operator]
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PassExtensionRow)) == 4
    last = {
        r.member_id: r.payload["refund"]["extended_until"]
        for r in await world.notifications()
        if r.member_id in (m0, m1)
    }
    assert last[m0] == (granted[m0] + timedelta(days=14)).isoformat()  # type: ignore[operator]


async def _bookings_of(world: World, member: int) -> list:  # type: ignore[type-arg]
    async with world.studio.unit_of_work() as uow:
        return await uow.bookings.active_of_member(member)


async def test_a_higher_capacity_from_a_date_on_books_the_line_and_a_lower_one_keeps_bookings(world: World) -> None:
    m0, m1, m2, m3 = world.members
    await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8), ScheduleEdit(capacity=2))
    for day in (date(2026, 12, 10), date(2026, 12, 15)):
        await world.book_all(world.yoga_on(day), [m0, m1])
        await join_waitlist(world.studio, m2, world.yoga_on(day), m2)  # one pass session left for two spots
    await world.book_all(world.yoga_on(date(2026, 12, 17)), [m3])
    async with world.sessions() as session:
        await session.execute(update(PassRow).where(PassRow.id == world.passes[m2].id).values(sessions_left=1))
        await session.commit()
    done = await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8), ScheduleEdit(capacity=3))
    assert done.promoted == 1 and await world.pass_balance(m2) == 0  # the first session's spot; then none left
    promoted = [r for r in await world.notifications() if r.kind == NotificationKind.WAITLIST_PROMOTED.value]
    assert [(r.member_id, r.payload["start"]) for r in promoted] == [(m2, berlin(2026, 12, 10, 18).isoformat())]
    lowered = await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 8), ScheduleEdit(capacity=1))
    assert lowered.over_capacity == 2 and lowered.notifications == ()  # capacity alone tells nobody
    assert await world.active_bookings() == 6


async def test_a_session_that_started_keeps_its_values_so_an_edit_starts_the_day_after(world: World) -> None:
    clock = world.studio.clock
    assert isinstance(clock, FixedClock)
    clock.set(berlin(2026, 12, 1, 18, 30))  # Tuesday's Yoga is on
    with pytest.raises(SetupError, match="has started or would start in the past; change it from 2026-12-02 on"):
        await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 1), ScheduleEdit(capacity=8))
    with pytest.raises(OccurrenceStarted):
        await skip_date(world.studio, world.admin, "Yoga", date(2026, 12, 1))
    clock.set(berlin(2026, 12, 3, 9))  # Thursday morning: 18:00 is ahead, 08:00 would not be
    with pytest.raises(SetupError, match="would start in the past"):
        await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 3), ScheduleEdit(start_time=time(8)))
    with pytest.raises(SetupError, match="2026-12-01 is in the past; skip today or a later date"):
        await skip_date(world.studio, world.admin, "Yoga", date(2026, 12, 1))
    done = await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 3), ScheduleEdit(start_time=time(10)))
    assert done.after.start_time == time(10)
    assert ("01 18:00", "Yoga", 10, "Tom", False, 0) in await yoga_sessions(world)


async def test_a_private_schedule_keeps_its_capacity_of_one(world: World) -> None:
    private = ScheduleDraft(
        "Rehab 1:1",
        "FREQ=WEEKLY;BYDAY=FR",
        date(2026, 12, 4),
        time(9),
        timedelta(minutes=60),
        1,
        "Studio B",
        "Sue",
        private=True,
    )
    await add_schedule(world.studio, world.admin, private)
    with pytest.raises(SetupError, match="Rehab 1:1 is private, for one member: its capacity stays 1."):
        await edit_schedule(world.studio, world.admin, "Rehab", date(2026, 12, 8), ScheduleEdit(capacity=4))
    done = await edit_schedule(world.studio, world.admin, "Rehab", date(2026, 12, 8), ScheduleEdit(start_time=time(10)))
    assert done.after.private and done.after.default_capacity == 1


async def test_a_new_time_from_a_date_on_takes_back_the_unsent_reminder_and_reminds_at_the_new_time(
    world: World,
) -> None:
    clock = world.studio.clock
    assert isinstance(clock, FixedClock)
    member = world.members[0]
    await link_chats(world.sessions, None, [member])
    await world.book_all(world.yoga_on(date(2026, 12, 10)), [member])
    policy = NoticePolicy((timedelta(hours=24),), None, 0)
    for minute in (59, 60):  # a scan just before and at 24 hours before Thursday 18:00
        clock.set(berlin(2026, 12, 9, 17) + timedelta(minutes=minute))
        await send_due(world.studio, policy)
    assert [r.payload["start"] for r in await world.notifications() if r.kind == NotificationKind.REMINDER.value] == [
        berlin(2026, 12, 10, 18).isoformat()
    ]
    await edit_schedule(world.studio, world.admin, "Yoga", date(2026, 12, 10), ScheduleEdit(start_time=time(19)))
    clock.set(berlin(2026, 12, 9, 19))
    await send_due(world.studio, policy)
    reminders = [r.payload["start"] for r in await world.notifications() if r.kind == NotificationKind.REMINDER.value]
    assert reminders == [berlin(2026, 12, 10, 19).isoformat()]  # the 18:00 one was never sent: taken back
