"""SPEC §2.3: cancelling a single occurrence."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidReason, NotAllowed, OccurrenceStarted
from domain.listing import DateRange
from domain.notifications import NotificationKind
from tests.world import World, berlin
from domain.sessions.cancel import cancel_session, review_cancel
from domain.sessions.card import find_session
from domain.sessions.listing import list_sessions

TUESDAY = date(2026, 12, 1)


async def test_cancel_refunds_every_booking_and_tells_each_member_the_reason(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    review = await review_cancel(world.studio, world.trainer, key, "Trainer ill")
    assert len(review.cancelled_bookings) == 4 and await world.active_bookings() == 4  # review changes nothing
    done = await cancel_session(world.studio, world.trainer, key, "  Trainer\nill ", expected_version=review.version)
    assert done.occurrence.cancelled and done.refunded_passes == 4
    assert await world.active_bookings() == 0
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4
    rows = await world.notifications()
    assert [(r.member_id, r.kind) for r in rows] == [(m, NotificationKind.CANCELLED.value) for m in world.members]
    assert {r.payload["reason"] for r in rows} == {"Trainer ill"}
    assert {r.payload["refund"]["sessions_left"] for r in rows} == {10}


async def test_cancel_without_reason(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:1])
    await cancel_session(world.studio, world.trainer, key)
    assert (await world.notifications())[0].payload["reason"] is None


async def test_cancelling_twice_changes_nothing_and_refunds_nothing_twice(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    await cancel_session(world.studio, world.trainer, key, "Flooded")
    again = await cancel_session(world.studio, world.admin, key, "Something else")
    assert again.already_cancelled and again.cancelled_bookings == ()
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4
    assert len(await world.notifications()) == 4
    occurrence = await find_session(world.studio, world.admin, key)
    assert occurrence.record.cancel_reason == "Flooded"
    assert all(left == ledger for left, ledger in (await world.balances()).values())


async def test_a_cancelled_occurrence_stays_visible_and_others_are_untouched(world: World) -> None:
    await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY), "Flooded")
    listing = await list_sessions(world.studio, world.admin, DateRange(date(2026, 11, 30), date(2026, 12, 6)))
    assert [(o.title, o.cancelled) for o in listing] == [
        ("Yoga", True), ("Back course", False), ("Yoga", False),
    ]


async def test_a_started_session_cannot_be_cancelled(world: World) -> None:
    world.studio.clock.set(berlin(2026, 12, 1, 18))  # type: ignore[attr-defined]
    with pytest.raises(OccurrenceStarted):
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))
    assert not (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).cancelled


async def test_an_overlong_reason_is_refused(world: World) -> None:
    with pytest.raises(InvalidReason, match="at most 500"):
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY), "x" * 501)
    assert not (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).cancelled


async def test_only_staff_with_the_right_may_cancel(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    for person in (world.members[0], world.stranger, world.substitute):
        with pytest.raises(NotAllowed):
            await cancel_session(world.studio, person, key)
    assert not (await find_session(world.studio, world.admin, key)).cancelled
