"""Bookings.booked_record_ids: the records of a member's active bookings, the one
column /book reads of them (issue 15), the same as active_of_member's."""

from __future__ import annotations

from datetime import date

from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World

TUESDAY = date(2026, 12, 1)


async def _both(world: World, member: int) -> tuple[set[int], set[int]]:
    async with SqlUnitOfWork(world.sessions) as uow:
        ids = await uow.bookings.booked_record_ids(member)
        bookings = {b.occurrence_id for b in await uow.bookings.active_of_member(member)}
    return ids, bookings


async def test_only_the_members_active_bookings_count(world: World) -> None:
    member, other = world.members[0], world.members[1]
    assert await _both(world, member) == (set(), set())
    mine = await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    await book_session(world.studio, other, world.yoga_on(TUESDAY), other)
    assert await _both(world, member) == ({mine.occurrence_id}, {mine.occurrence_id})
    await cancel_booking(world.studio, member, mine.id)
    assert await _both(world, member) == (set(), set())
    assert (await _both(world, other))[0] == {mine.occurrence_id}  # the same session, still theirs
