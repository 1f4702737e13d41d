"""SPEC §2.2: overriding a single occurrence — each check, each warning, each
notification case, the review that equals the save, and "cancel existing bookings"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.errors import (
    CapacityAboveSpaceMaximum,
    ClosedScheduleKeepsBookings,
    ConfirmationNeeded,
    InvalidCapacity,
    NothingToChange,
    OccurrenceCancelled,
    OccurrenceStarted,
    StaleReview,
    TimeCollision,
    TimeInPast,
    UnknownSpace,
    UnknownTrainer,
)
from domain.listing import DateRange
from domain.notifications import NotificationKind
from domain.override import OverrideRequest, WarningKind
from storage.models import SpaceRow
from tests.world import World, berlin
from domain.bookings.book import book_session
from domain.sessions.cancel import cancel_session
from domain.sessions.card import find_session
from domain.sessions.listing import list_sessions
from domain.sessions.override import review_override, save_override
from domain.setup.passes import grant_pass

TUESDAY = date(2026, 12, 1)
THURSDAY = date(2026, 12, 3)


async def override(world: World, request: OverrideRequest, day: date = TUESDAY, **options: object):  # type: ignore[no-untyped-def]
    return await save_override(world.studio, world.trainer, world.yoga_on(day), request, **options)  # type: ignore[arg-type]


async def assert_unchanged(world: World, day: date = TUESDAY) -> None:
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(day))
    assert occurrence.overridden == () and not occurrence.cancelled
    assert await world.notifications() == []


# -- each check of the list: a clear message and nothing changed -------------

@pytest.mark.parametrize("capacity", [0, -3, True])
async def test_capacity_must_be_a_positive_whole_number(world: World, capacity: int) -> None:
    with pytest.raises(InvalidCapacity, match="positive whole number"):
        await override(world, OverrideRequest(capacity=capacity))
    await assert_unchanged(world)


async def test_capacity_above_the_space_maximum_is_refused(world: World) -> None:
    with pytest.raises(CapacityAboveSpaceMaximum, match="Studio B holds at most 8"):
        await override(world, OverrideRequest(space_id=world.studio_b))  # 10 spots do not fit
    with pytest.raises(CapacityAboveSpaceMaximum):
        await override(world, OverrideRequest(space_id=world.studio_b, capacity=9))
    await assert_unchanged(world)
    saved = await override(world, OverrideRequest(space_id=world.studio_b, capacity=8))
    assert (saved.after.space_id, saved.after.capacity) == (world.studio_b, 8)


async def test_unknown_or_inactive_space_is_refused(world: World) -> None:
    with pytest.raises(UnknownSpace):
        await override(world, OverrideRequest(space_id=999))
    async with world.sessions() as session:
        (await session.get(SpaceRow, world.studio_b)).active = False  # type: ignore[union-attr]
        await session.commit()
    with pytest.raises(UnknownSpace):
        await override(world, OverrideRequest(space_id=world.studio_b, capacity=5))
    await assert_unchanged(world)


async def test_unknown_or_non_trainer_person_as_trainer_is_refused(world: World) -> None:
    with pytest.raises(UnknownTrainer):
        await override(world, OverrideRequest(trainer_id=999))
    with pytest.raises(UnknownTrainer):
        await override(world, OverrideRequest(trainer_id=world.members[0]))
    await assert_unchanged(world)


async def test_new_time_in_the_past_is_refused(world: World) -> None:
    with pytest.raises(TimeInPast):
        await override(world, OverrideRequest(start=world.studio.clock.now() - timedelta(minutes=1)))
    await assert_unchanged(world)


async def test_new_time_colliding_with_another_occurrence_of_the_schedule_is_refused(world: World) -> None:
    with pytest.raises(TimeCollision, match="another session of Yoga"):
        await override(world, OverrideRequest(start=berlin(2026, 12, 3, 17, 30)))  # overlaps Thursday 18:00
    await assert_unchanged(world)
    # once Thursday is cancelled its slot is free
    await cancel_session(world.studio, world.admin, world.yoga_on(THURSDAY))
    saved = await override(world, OverrideRequest(start=berlin(2026, 12, 3, 18)))
    assert saved.after.start == berlin(2026, 12, 3, 18)


async def test_a_session_that_already_started_cannot_be_changed(world: World) -> None:
    world.studio.clock.set(berlin(2026, 12, 1, 18, 5))  # type: ignore[attr-defined]
    with pytest.raises(OccurrenceStarted):
        await override(world, OverrideRequest(capacity=12))
    await assert_unchanged(world)


async def test_a_cancelled_session_cannot_be_changed(world: World) -> None:
    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY), "Flooded")
    with pytest.raises(OccurrenceCancelled):
        await override(world, OverrideRequest(capacity=12))
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert occurrence.capacity == 10


async def test_a_change_that_changes_nothing_is_refused(world: World) -> None:
    current = OverrideRequest(capacity=10, space_id=world.studio_a, trainer_id=world.trainer, start=berlin(2026, 12, 1, 18))
    with pytest.raises(NothingToChange):
        await override(world, current)
    with pytest.raises(NothingToChange):
        await override(world, OverrideRequest())
    with pytest.raises(NothingToChange):  # nothing to cancel either
        await override(world, OverrideRequest(cancel_bookings=True))
    await assert_unchanged(world)


# -- the warnings that need confirmation --------------------------------------

async def test_capacity_below_bookings_is_a_warning_and_keeps_the_bookings(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    with pytest.raises(ConfirmationNeeded) as refused:
        await override(world, OverrideRequest(capacity=2))
    assert [w.kind for w in refused.value.review.warnings] == [WarningKind.CAPACITY_BELOW_BOOKINGS]
    assert (await find_session(world.studio, world.admin, key)).capacity == 10
    saved = await override(world, OverrideRequest(capacity=2), confirmed=True)
    assert saved.after.capacity == 2 and saved.after.booked == 4
    assert await world.active_bookings() == 4
    assert await world.notifications() == []  # capacity alone: nobody is told
    # no new bookings until there is room
    extra = (await _add_member(world))
    with pytest.raises(Exception, match="full"):
        await book_session(world.studio, world.admin, key, extra)


async def test_space_or_trainer_busy_at_the_new_time_is_a_warning(world: World) -> None:
    # Thursday's session moves to Studio B and a substitute: both busy with Tuesday's.
    thursday_to_tuesday = OverrideRequest(start=berlin(2026, 12, 1, 19))
    review = await review_override(world.studio, world.trainer, world.yoga_on(THURSDAY), thursday_to_tuesday)
    assert [w.kind for w in review.warnings] == []  # 19:00 is after Tuesday's 18:00-19:00
    clash = OverrideRequest(start=berlin(2026, 12, 2, 10, 30))  # the closed course: Studio B, same trainer
    review = await review_override(world.studio, world.trainer, world.yoga_on(THURSDAY), clash)
    assert [w.kind for w in review.warnings] == [WarningKind.TRAINER_BUSY]
    assert review.warnings[0].other is not None and review.warnings[0].other.title == "Back course"
    clash_space = OverrideRequest(start=berlin(2026, 12, 2, 10, 30), space_id=world.studio_b, capacity=8, trainer_id=world.substitute)
    review = await review_override(world.studio, world.trainer, world.yoga_on(THURSDAY), clash_space)
    assert [w.kind for w in review.warnings] == [WarningKind.SPACE_BUSY]
    with pytest.raises(ConfirmationNeeded):
        await override(world, clash_space, day=THURSDAY)
    assert (await find_session(world.studio, world.admin, world.yoga_on(THURSDAY))).overridden == ()
    saved = await override(world, clash_space, day=THURSDAY, confirmed=True)
    assert saved.after.overridden == ("time", "capacity", "space", "trainer")


# -- notifications --------------------------------------------------------------

async def kinds(world: World) -> dict[str, list[int]]:
    by_kind: dict[str, list[int]] = {}
    for row in await world.notifications():
        by_kind.setdefault(row.kind, []).append(row.member_id)
    return by_kind


async def test_trainer_change_at_same_time_is_training_updated(world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY), world.members[:3])
    saved = await override(world, OverrideRequest(trainer_id=world.substitute))
    # The substitute is told too (test_trainer_notices.py); Tom changed it himself, so not him.
    assert await kinds(world) == {
        NotificationKind.TRAINER_SUBSTITUTE.value: [world.substitute],
        NotificationKind.UPDATED.value: world.members[:3],
    }
    assert saved.notified == {NotificationKind.TRAINER_SUBSTITUTE: 1, NotificationKind.UPDATED: 3}
    change = (await world.notifications())[1].payload["changes"]
    assert change == [{"field": "trainer", "before": "Tom Trainer", "after": "Sue Substitute"}]


async def test_space_change_at_same_time_is_training_updated(world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY), world.members[:2])
    await override(world, OverrideRequest(space_id=world.studio_b, capacity=8))
    assert await kinds(world) == {NotificationKind.UPDATED.value: world.members[:2]}


async def test_time_change_is_rescheduled_never_also_updated(world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    await override(world, OverrideRequest(start=berlin(2026, 12, 1, 19), trainer_id=world.substitute))
    assert await kinds(world) == {
        NotificationKind.TRAINER_SUBSTITUTE.value: [world.substitute],  # told of the new time in the same message
        NotificationKind.RESCHEDULED.value: world.members,
    }
    rows = await world.notifications()
    assert len({row.change_id for row in rows}) == 1  # one change, one message per member


async def test_capacity_alone_notifies_nobody(world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    saved = await override(world, OverrideRequest(capacity=14))
    assert saved.notifications == () and await world.notifications() == []


async def test_cancel_existing_bookings_refunds_and_tells_members_how_to_rebook(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    before = {m: await world.pass_balance(m) for m in world.members}
    saved = await override(world, OverrideRequest(start=berlin(2026, 12, 1, 19), cancel_bookings=True))
    assert len(saved.cancelled_bookings) == 4 and saved.refunded_passes == 4
    assert await world.active_bookings() == 0
    assert {m: await world.pass_balance(m) for m in world.members} == {m: b + 1 for m, b in before.items()}  # type: ignore[operator]
    assert await kinds(world) == {NotificationKind.BOOKING_CANCELLED.value: world.members}
    payload = (await world.notifications())[0].payload
    assert payload["rebook"] is True and payload["refund"]["sessions_left"] == 10
    assert all(left == ledger for left, ledger in (await world.balances()).values())


async def test_cancel_existing_bookings_is_refused_on_a_closed_schedule(world: World) -> None:
    key = world.closed_on(date(2026, 12, 2))
    with pytest.raises(ClosedScheduleKeepsBookings):
        await save_override(world.studio, world.trainer, key, OverrideRequest(capacity=5, cancel_bookings=True))
    with pytest.raises(ClosedScheduleKeepsBookings):
        await review_override(world.studio, world.trainer, key, OverrideRequest(capacity=5, cancel_bookings=True))
    assert (await find_session(world.studio, world.admin, key)).capacity == 6


async def test_members_keep_their_bookings_by_default(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    await override(world, OverrideRequest(start=berlin(2026, 12, 1, 20)))
    assert (await find_session(world.studio, world.admin, key)).booked == 4
    assert await world.active_bookings() == 4


# -- the review is exactly the save; the rest of the schedule is untouched ---

async def test_review_changes_nothing_and_saving_produces_what_was_reviewed(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    request = OverrideRequest(start=berlin(2026, 12, 1, 19), trainer_id=world.substitute, cancel_bookings=True)
    review = await review_override(world.studio, world.trainer, key, request)
    assert await world.active_bookings() == 4 and await world.notifications() == []
    saved = await save_override(world.studio, world.trainer, key, request, expected_version=review.version)
    assert saved.changes == review.changes
    assert saved.warnings == review.warnings
    assert saved.notifications == review.notifications
    assert saved.cancelled_bookings == review.cancelled_bookings
    stored = [(n.member_id, n.kind, n.payload) for n in await world.notifications()]
    assert stored == [(d.member_id, d.kind.value, d.payload) for d in review.notifications]


async def test_saving_against_a_stale_review_is_refused(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    review = await review_override(world.studio, world.trainer, key, OverrideRequest(capacity=12))
    await book_session(world.studio, world.admin, key, world.members[0])  # the session changes meanwhile
    with pytest.raises(StaleReview):
        await save_override(world.studio, world.trainer, key, OverrideRequest(capacity=12), expected_version=review.version)
    assert (await find_session(world.studio, world.admin, key)).capacity == 10


async def test_other_occurrences_are_untouched(world: World) -> None:
    await override(world, OverrideRequest(capacity=12, trainer_id=world.substitute))
    listing = await list_sessions(world.studio, world.admin, DateRange(date(2026, 11, 30), date(2026, 12, 13)))
    yoga = [o for o in listing if o.title == "Yoga"]
    assert [o.overridden for o in yoga] == [("capacity", "trainer"), (), (), ()]


async def test_an_override_back_to_the_default_clears_the_mark(world: World) -> None:
    await override(world, OverrideRequest(capacity=12))
    saved = await override(world, OverrideRequest(capacity=10))
    assert saved.after.overridden == () and saved.after.record.capacity is None


async def test_a_moved_occurrence_keeps_its_identity_across_daylight_saving(world: World) -> None:
    # Tuesday 2027-03-23 18:00 (winter time) moved to Tuesday 2027-03-30 07:00 (summer time).
    key = world.yoga_on(date(2027, 3, 23))
    world.studio.clock.set(berlin(2027, 3, 10, 9))  # type: ignore[attr-defined]
    await grant_pass(world.studio, world.admin, world.members[0], world.open_template)
    await world.book_all(key, world.members[:1])
    saved = await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2027, 3, 30, 7)))
    assert saved.after.key == key
    moved = await find_session(world.studio, world.admin, key)
    assert moved.start == berlin(2027, 3, 30, 7) and moved.booked == 1
    week = await list_sessions(world.studio, world.admin, DateRange(date(2027, 3, 29), date(2027, 4, 4)))
    assert [(o.key, o.start) for o in week if o.title == "Yoga"][0] == (key, berlin(2027, 3, 30, 7))
    assert berlin(2027, 3, 30, 7).hour == 5  # 07:00 summer time is 05:00 UTC


async def _add_member(world: World) -> int:
    from domain.roles import Role
    from storage.unit_of_work import SqlUnitOfWork

    async with SqlUnitOfWork(world.sessions) as uow:
        member = (await uow.people.add("Late Member", [Role.MEMBER], world.studio.now())).id
        await uow.commit()
    await grant_pass(world.studio, world.admin, member, world.open_template)
    return member
