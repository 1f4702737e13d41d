"""SPEC §2.4 and §5 under concurrency, on both databases: simultaneous changes to one
occurrence end as one consistent change — no overbooking, no double refund — and
each loser gets a clear message. The database decides (row locks on PostgreSQL,
BEGIN IMMEDIATE on SQLite, version checks and unique keys on both)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date
from typing import Any

from domain.errors import DomainError
from domain.override import OverrideRequest
from tests.world import World, berlin
from domain.bookings.book import book_session
from domain.sessions.cancel import cancel_session
from domain.sessions.card import find_session
from domain.sessions.override import review_override, save_override

TUESDAY = date(2026, 12, 1)


async def race(*attempts: Awaitable[Any]) -> tuple[list[Any], list[DomainError]]:
    results = await asyncio.gather(*attempts, return_exceptions=True)
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)]
    assert unexpected == [], unexpected
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert all(error.text for error in lost)
    return won, lost


async def test_two_staff_override_the_same_occurrence_at_once(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    version = (await find_session(world.studio, world.admin, key)).version
    won, lost = await race(
        save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 19)), expected_version=version),
        save_override(world.studio, world.trainer, key, OverrideRequest(trainer_id=world.substitute), expected_version=version),
    )
    assert len(won) == 1 and len(lost) == 1 and "changed since" in lost[0].text
    occurrence = await find_session(world.studio, world.admin, key)
    assert occurrence.version == version + 1
    # one change told once: the 4 members, and Tom (Ada moved it) or Sue (Tom handed it over)
    assert len(await world.notifications()) == 5


async def test_a_double_tap_on_save_saves_once(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    request = OverrideRequest(capacity=12, cancel_bookings=True)
    review = await review_override(world.studio, world.trainer, key, request)
    won, lost = await race(*(save_override(world.studio, world.trainer, key, request, expected_version=review.version) for _ in range(3)))
    assert len(won) == 1 and len(lost) == 2
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4
    assert len(await world.notifications()) == 4
    assert all(left == ledger for left, ledger in (await world.balances()).values())


async def test_two_cancels_at_once_refund_once(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    won, lost = await race(cancel_session(world.studio, world.admin, key, "A"), cancel_session(world.studio, world.trainer, key, "B"))
    # The second waits for the first's lock, then finds the session cancelled.
    assert lost == [] and sorted(r.already_cancelled for r in won) == [False, True]
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4
    [done] = [r for r in won if not r.already_cancelled]
    rows = await world.notifications()
    assert sorted(row.member_id for row in rows if row.member_id != world.trainer) == world.members  # told once
    assert len(rows) == len(done.notifications)  # and Tom too when Ada's cancel won


async def test_a_cancel_racing_a_booking_of_the_last_spot(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=4))
    await world.book_all(key, world.members[:3])
    won, lost = await race(book_session(world.studio, world.members[3], key, world.members[3]), cancel_session(world.studio, world.trainer, key))
    occurrence = await find_session(world.studio, world.admin, key)
    assert occurrence.cancelled and occurrence.booked == 0
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4  # whoever won, nothing is lost
    assert all(left == ledger for left, ledger in (await world.balances()).values())


async def test_members_racing_for_the_last_spots_never_overbook(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=2))
    won, lost = await race(*(book_session(world.studio, m, key, m) for m in world.members))
    assert len(won) == 2 and len(lost) == 2
    assert (await find_session(world.studio, world.admin, key)).booked == 2
    assert all(left == ledger for left, ledger in (await world.balances()).values())


async def test_racing_for_a_session_nobody_has_touched_yet(world: World) -> None:
    """No occurrence row exists yet: both sides insert one, the unique key picks one."""
    key = world.yoga_on(date(2026, 12, 3))
    won, lost = await race(
        save_override(world.studio, world.admin, key, OverrideRequest(capacity=12)),
        save_override(world.studio, world.trainer, key, OverrideRequest(capacity=14)),
        book_session(world.studio, world.members[0], key, world.members[0]),
    )
    occurrence = await find_session(world.studio, world.admin, key)
    assert occurrence.capacity in (10, 12, 14) and occurrence.booked in (0, 1)
    assert occurrence.version == len(won)
    assert all(left == ledger for left, ledger in (await world.balances()).values())


async def test_two_cancels_refunding_the_same_members_in_opposite_order_both_succeed(world: World) -> None:
    """Refunds lock passes in one order, so crossing refunds queue up rather than deadlock."""
    first, second = world.yoga_on(TUESDAY), world.yoga_on(date(2026, 12, 3))
    await world.book_all(first, world.members)
    await world.book_all(second, list(reversed(world.members)))
    won, lost = await race(cancel_session(world.studio, world.admin, first), cancel_session(world.studio, world.trainer, second))
    assert lost == [] and [r.refunded_passes for r in won] == [4, 4]
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4
    assert all(left == ledger for left, ledger in (await world.balances()).values())
