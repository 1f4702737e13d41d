"""Bookings.booked_record_ids: the records of a member's active bookings, the one
column /book reads of them (issue 15), the same as active_of_member's; and the passes
/book reads, those usable now."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.override import OverrideRequest
from domain.sessions.override import save_override
from domain.setup.passes import grant_pass
from storage.models import PassRow
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World, berlin

TUESDAY = date(2026, 12, 1)


async def _both(world: World, member: int) -> tuple[set[int], set[int]]:
    async with SqlUnitOfWork(world.sessions) as uow:
        ids = await uow.bookings.booked_record_ids(member, starting_from=world.studio.now())
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


async def test_from_a_moment_on_only_the_sessions_starting_then_or_later(world: World) -> None:
    """What /book asks (issue 15): none of the years behind, by each session's start as
    it is now, a rescheduled one's included."""
    member = world.members[0]
    tuesday = await book_session(world.studio, member, world.yoga_on(TUESDAY), member)
    later = await book_session(world.studio, member, world.yoga_on(TUESDAY + timedelta(days=7)), member)
    start = berlin(2026, 12, 1, 18)
    async with SqlUnitOfWork(world.sessions) as uow:
        assert await uow.bookings.booked_record_ids(member, starting_from=start) == {
            tuesday.occurrence_id, later.occurrence_id}
        after_it = await uow.bookings.booked_record_ids(member, starting_from=start + timedelta(minutes=1))
        assert after_it == {later.occurrence_id}
    moved = OverrideRequest(start=start + timedelta(hours=2))
    await save_override(world.studio, world.trainer, world.yoga_on(TUESDAY), moved)
    async with SqlUnitOfWork(world.sessions) as uow:
        assert await uow.bookings.booked_record_ids(member, starting_from=start + timedelta(hours=1)) == {
            tuesday.occurrence_id, later.occurrence_id}


async def test_the_passes_usable_now_are_those_the_rule_says(world: World) -> None:
    """Passes.usable_of_member filters in the database what Pass.usable_now says: active,
    sessions left or unlimited, not expired (expiring this very instant is expired)."""
    member = world.members[0]
    now = world.studio.now()
    async with SqlUnitOfWork(world.sessions) as uow:
        unlimited = (await uow.passes.add_template("Unlimited", None, 30, [world.yoga.id])).id
        await uow.commit()
    for template in (unlimited, world.open_template, world.open_template, world.open_template):
        await grant_pass(world.studio, world.admin, member, template)
    async with world.sessions() as session, session.begin():
        ids = list(await session.scalars(select(PassRow.id).where(PassRow.member_id == member).order_by(PassRow.id)))
        await session.execute(update(PassRow).where(PassRow.id == ids[2]).values(sessions_left=0))
        await session.execute(update(PassRow).where(PassRow.id == ids[3]).values(expires_at=now))
        await session.execute(update(PassRow).where(PassRow.id == ids[4]).values(active=False))
    async with SqlUnitOfWork(world.sessions) as uow:
        every = await uow.passes.of_member(member)
        usable = await uow.passes.usable_of_member(member, now)
        assert [p.id for p in usable] == [p.id for p in every if p.usable_now(now)] == [ids[0], ids[1]]
        assert usable[1].unlimited
        assert await uow.passes.usable_of_member(member, now + timedelta(days=400)) == []
