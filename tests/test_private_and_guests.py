"""Issue 14 in the domain, on SQLite and PostgreSQL: private (1:1) sessions that
members never see nor book, staff booking a member onto a session (the trainer who
leads it or an admin; one pass session used; the member told), and guest members
booked and granted passes before they link Telegram — linking keeps all of it.
The studio clock stands at Monday 2026-11-30 08:00 Berlin."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.bookings.staff import booking_candidates, review_staff_booking, staff_book
from domain.bookings.views import bookable, member_overview
from domain.bookings.waitlist import join_waitlist
from domain.errors import (
    AlreadyBooked,
    DomainError,
    InvalidCapacity,
    NotAllowed,
    NotFound,
    NoUsablePass,
    OccurrenceCancelled,
    OccurrenceStarted,
    PrivateSessionBooking,
    SessionFull,
)
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest
from domain.roles import Role
from domain.schedule import Schedule
from domain.sessions.cancel import cancel_session
from domain.sessions.override import save_override
from domain.setup.invites import invite, redeem
from domain.setup.names import SetupError
from domain.setup.passes import add_template, grant_pass
from domain.setup.schedules import ScheduleDraft, add_schedule
from storage.models import NotificationRow, ScheduleRow
from tests.world import World, berlin

TUESDAY = date(2026, 12, 1)
WEDNESDAY = date(2026, 12, 2)


def private_draft(**changes: object) -> ScheduleDraft:
    values: dict[str, object] = dict(
        title="Anna PT",
        rrule="FREQ=WEEKLY;BYDAY=WE",
        starts_on=WEDNESDAY,
        start_time=time(7),
        duration=timedelta(minutes=60),
        capacity=1,
        space="Studio A",
        trainer="Tom",
        private=True,
    )
    values.update(changes)
    return ScheduleDraft(**values)  # type: ignore[arg-type]


async def private_session(world: World) -> tuple[Schedule, OccurrenceKey]:
    """A weekly private session, Wednesdays 07:00 with Tom, and a pass for it held by
    members[0] (a 1:1 pack: its template covers the private schedule)."""
    schedule = await add_schedule(world.studio, world.admin, private_draft())
    template = await add_template(world.studio, world.admin, "PT pack", 5, 60, ["Anna PT"])
    await grant_pass(world.studio, world.admin, world.members[0], template.id)
    return schedule, OccurrenceKey(schedule.id, berlin(2026, 12, 2, 7))


async def kinds(world: World) -> list[tuple[int, str]]:
    return [(n.member_id, n.kind) for n in await world.notifications()]


async def ledger_true(world: World) -> None:
    assert all(left == total for left, total in (await world.balances()).values())


# -- private sessions -----------------------------------------------------------------


async def test_a_private_schedule_is_for_one_and_not_closed(world: World) -> None:
    schedule = await add_schedule(world.studio, world.admin, private_draft())
    assert schedule.private and schedule.default_capacity == 1 and not schedule.closed
    once = await add_schedule(world.studio, world.admin, private_draft(title="Ben PT", rrule="FREQ=DAILY;COUNT=1", starts_on=date(2026, 12, 4)))
    assert once.private  # a one-off 1:1 session
    cases = [
        (private_draft(title="PT 2", capacity=2), "for one member, so its capacity is 1, not 2"),
        (private_draft(title="PT 3", closed_with="Course pass"), "cannot be closed too"),
    ]
    for draft, message in cases:
        with pytest.raises(SetupError, match=message):
            await add_schedule(world.studio, world.admin, draft)
    async with world.sessions() as session:
        assert sorted(await session.scalars(select(ScheduleRow.title).where(ScheduleRow.private))) == ["Anna PT", "Ben PT"]


async def test_members_never_see_nor_book_a_private_session(world: World) -> None:
    _, key = await private_session(world)
    member = world.members[0]
    offered = [o.occurrence.title for o in await bookable(world.studio, member)]
    assert "Anna PT" not in offered and "Yoga" in offered  # a pass that covers it changes nothing
    with pytest.raises(PrivateSessionBooking, match="private session: only its trainer or an admin"):
        await book_session(world.studio, member, key, member)  # a forged Book button
    with pytest.raises(PrivateSessionBooking):
        await join_waitlist(world.studio, member, key, member)
    assert await world.active_bookings() == 0
    booked = await staff_book(world.studio, world.trainer, key, member)
    assert booked.sessions_left == 4 and booked.occurrence.title == "Anna PT"
    assert [b.occurrence.title for b in (await member_overview(world.studio, member)).bookings] == ["Anna PT"]
    # the one spot is taken: another member cannot be booked, nor wait for it
    pack = await add_template(world.studio, world.admin, "PT pack 2", 5, 60, ["Anna PT"])
    await grant_pass(world.studio, world.admin, world.members[1], pack.id)
    with pytest.raises(SessionFull, match="private session is booked already"):
        await staff_book(world.studio, world.admin, key, world.members[1])
    with pytest.raises(PrivateSessionBooking, match="no waitlist"):
        await join_waitlist(world.studio, world.admin, key, world.members[1])
    with pytest.raises(InvalidCapacity, match="capacity stays 1"):
        await save_override(world.studio, world.admin, key, OverrideRequest(capacity=2))
    assert await world.active_bookings() == 1
    await ledger_true(world)


async def test_a_member_cancelled_off_a_private_session_is_not_offered_to_book_again(world: World) -> None:
    _, key = await private_session(world)
    booked = await staff_book(world.studio, world.trainer, key, world.members[0])
    await cancel_booking(world.studio, world.trainer, booked.booking.id)
    rows = await world.notifications()
    assert [r.kind for r in rows] == ["booked_by_staff", "booking_cancelled"]
    assert rows[1].payload["rebook"] is False  # no "Book again": members cannot book it


# -- staff booking ----------------------------------------------------------------------


async def test_the_trainer_books_a_member_with_their_pass_and_they_are_told(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    member = world.members[1]
    found = await booking_candidates(world.studio, world.trainer, key)
    assert [c.label for c in found.bookable] == ["Member 0", "Member 1", "Member 2", "Member 3"]
    assert found.without_pass == 1  # Sue Substitute is a member without a pass
    occurrence, candidate = await review_staff_booking(world.studio, world.trainer, key, member)
    assert (candidate.label, candidate.pass_name, candidate.pass_.id) == (
        "Member 1",
        "10 classes",
        world.passes[member].id,
    )
    assert await world.active_bookings() == 0  # a review books nothing
    booked = await staff_book(world.studio, world.trainer, key, member)
    assert booked.sessions_left == 9 and await world.pass_balance(member) == 9
    [row] = await world.notifications()
    assert (row.member_id, row.kind) == (member, "booked_by_staff")
    assert row.payload["by"] == "Tom Trainer" and row.payload["pass"]["sessions_left"] == 9
    assert row.payload["title"] == "Yoga" and row.payload["start"] == occurrence.start.isoformat()
    assert [c.label for c in (await booking_candidates(world.studio, world.trainer, key)).bookable] == [
        "Member 0",
        "Member 2",
        "Member 3",
    ]
    await ledger_true(world)


async def test_staff_book_after_the_deadline_and_onto_a_closed_course(world: World) -> None:
    world.studio.clock.set(berlin(2026, 12, 1, 17, 30))  # type: ignore[attr-defined]  # members' deadline passed
    await staff_book(world.studio, world.trainer, world.yoga_on(TUESDAY), world.members[0])
    course = await grant_pass(world.studio, world.admin, world.members[1], world.closed_template)
    assert course.enrolment is not None
    assert await world.active_bookings() == 1 + len(course.enrolment.booked)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("member", "Only an admin or the trainer who leads this session"),
        ("stranger", "Only an admin or the trainer who leads this session"),
        ("substitute", "Only an admin or the trainer who leads this session"),  # a trainer who does not lead it
    ],
)
async def test_only_the_sessions_trainer_or_an_admin_books_members(world: World, who: str, message: str) -> None:
    actor = {"member": world.members[0], "stranger": world.stranger, "substitute": world.substitute}[who]
    key = world.yoga_on(TUESDAY)
    for attempt in (
        lambda: staff_book(world.studio, actor, key, world.members[1]),
        lambda: review_staff_booking(world.studio, actor, key, world.members[1]),
        lambda: booking_candidates(world.studio, actor, key),
    ):
        with pytest.raises(NotAllowed, match=message):
            await attempt()
    assert await world.active_bookings() == 0 and await world.notifications() == []


async def test_each_refusal_says_why_and_changes_nothing(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await staff_book(world.studio, world.admin, key, world.members[0])
    before = (await world.active_bookings(), await world.balances(), len(await world.notifications()))
    cases: list[tuple[OccurrenceKey, int, type[DomainError], str]] = [
        (key, world.members[0], AlreadyBooked, "Member 0 is booked on this session already"),
        (
            key,
            world.substitute,
            NoUsablePass,
            "Sue Substitute holds no valid pass for Yoga.*/pass_grant Sue Substitute",
        ),
        (key, world.stranger, NotFound, "unknown"),  # no member
        (key, 999999, NotFound, "unknown"),
        (OccurrenceKey(world.yoga.id, berlin(2026, 12, 2, 18)), world.members[1], NotFound, "does not exist"),  # type: ignore[union-attr]
        (world.yoga_on(date(2026, 11, 26)), world.members[1], OccurrenceStarted, "already started"),
    ]
    for target, member, error, message in cases:
        for attempt in (staff_book, review_staff_booking):
            with pytest.raises(error, match=message):
                await attempt(world.studio, world.trainer, target, member)
    assert (await world.active_bookings(), await world.balances(), len(await world.notifications())) == before


async def test_a_full_or_cancelled_session_is_refused(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=1))
    await staff_book(world.studio, world.trainer, key, world.members[0])
    with pytest.raises(SessionFull, match=r"full \(1/1\).*Raise its capacity"):
        await staff_book(world.studio, world.trainer, key, world.members[1])
    thursday = world.yoga_on(date(2026, 12, 3))
    await cancel_session(world.studio, world.admin, thursday)
    with pytest.raises(OccurrenceCancelled):
        await staff_book(world.studio, world.trainer, thursday, world.members[1])
    assert await world.active_bookings() == 1
    await ledger_true(world)


# -- guests -----------------------------------------------------------------------------


async def test_a_guest_booked_and_granted_before_linking_keeps_everything(world: World) -> None:
    [link] = await invite(world.studio, world.admin, Role.MEMBER, ["Gus Guest"])
    guest = link.person.id
    assert link.person.telegram_user_id is None and link.person.chat_id is None
    granted = await grant_pass(world.studio, world.admin, guest, world.open_template)
    key = world.yoga_on(TUESDAY)
    await staff_book(world.studio, world.trainer, key, guest)
    _, private_key = await private_session(world)
    pack = await add_template(world.studio, world.admin, "Gus PT", 3, 30, ["Anna PT"])
    await grant_pass(world.studio, world.admin, guest, pack.id)
    await staff_book(world.studio, world.admin, private_key, guest)
    assert (guest, "booked_by_staff") in await kinds(world)  # recorded for the dispatcher (no chat yet)

    redeemed = await redeem(world.studio, link.token, telegram_user_id=5555, chat_id=5555)
    assert redeemed.person.id == guest and redeemed.person.chat_id == 5555
    overview = await member_overview(world.studio, guest)
    assert [b.occurrence.title for b in overview.bookings] == ["Yoga", "Anna PT"]
    assert {p.pass_.id: p.pass_.sessions_left for p in overview.passes}[granted.pass_.id] == 9
    assert len(overview.passes) == 2
    async with world.sessions() as session:
        rows = list(await session.scalars(select(NotificationRow).where(NotificationRow.member_id == guest)))
    assert len(rows) == 2
    await ledger_true(world)
