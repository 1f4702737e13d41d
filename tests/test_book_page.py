"""/book builds only the page shown (issue 15): `bookable_page` counts a member's
offers per schedule and walks only as far as its page. It must show exactly the page
of the whole list `bookable` gives, whatever the page size and number: a pass that
expires inside the two weeks, booking deadlines of different lengths, a session
booked, a place in a line, and a clock between a session's deadline and its start."""

from __future__ import annotations

from datetime import date, time, timedelta

from domain.bookings.book import book_session
from domain.bookings.views import bookable, bookable_page
from domain.bookings.waitlist import join_waitlist
from domain.occurrence import OccurrenceKey
from domain.schedule import Schedule
from domain.setup.passes import grant_pass
from storage.models import PassTemplateScheduleRow
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World, berlin

async def add_schedules(world: World) -> tuple[Schedule, Schedule]:
    async with SqlUnitOfWork(world.sessions) as uow:
        spin = await uow.schedules.add(
            Schedule(0, "Spin", "FREQ=DAILY", date(2026, 1, 1), time(7), timedelta(hours=1), 1, world.studio_a,
                     world.trainer, booking_deadline=timedelta(hours=6))
        )
        pilates = await uow.schedules.add(
            Schedule(0, "Pilates", "FREQ=WEEKLY;BYDAY=MO,WE,FR", date(2026, 1, 5), time(18), timedelta(hours=1),
                     10, world.studio_b, world.trainer)
        )
        await uow.commit()
    return spin, pilates


async def assert_pages_match(world: World, member: int) -> int:
    whole = await bookable(world.studio, member)
    for size in (1, 2, 3, 6):
        pages = max(1, -(-len(whole) // size))
        for number in range(pages + 2):  # past the end: the last page
            page = await bookable_page(world.studio, member, number, size)
            shown = min(number, pages - 1)
            expected = whole[shown * size : shown * size + size]
            assert (page.number, page.pages, page.total, page.offset) == (shown, pages, len(whole), shown * size)
            assert [(o.occurrence.key, o.pass_.id, o.waiting_position) for o in page.offers] == [
                (o.occurrence.key, o.pass_.id, o.waiting_position) for o in expected
            ]
    return len(whole)


async def test_each_page_is_that_page_of_the_whole_list(world: World) -> None:
    spin, pilates = await add_schedules(world)
    member, other = world.members[0], world.members[1]
    async with SqlUnitOfWork(world.sessions) as uow:  # spin and pilates, valid 5 days: gone mid-window
        short = await uow.passes.add_template("5 days", 10, 5, [spin.id, pilates.id])
        await uow.commit()
    await grant_pass(world.studio, world.admin, member, short.id)
    await grant_pass(world.studio, world.admin, other, short.id)
    assert await assert_pages_match(world, member) > 6

    await book_session(world.studio, member, world.yoga_on(date(2026, 12, 3)), member)
    spin_wednesday = OccurrenceKey(spin.id, berlin(2026, 12, 2, 7))  # capacity 1
    await book_session(world.studio, other, spin_wednesday, other)
    await join_waitlist(world.studio, member, spin_wednesday, member)
    count = await assert_pages_match(world, member)
    offers = await bookable(world.studio, member)
    assert any(o.waiting_position == 1 for o in offers)
    assert world.yoga_on(date(2026, 12, 3)) not in [o.occurrence.key for o in offers]

    # Wednesday 03:00: the 07:00 spin is past its six-hour deadline, not yet begun
    world.studio.clock.advance(timedelta(hours=43))
    assert await assert_pages_match(world, member) < count


async def test_a_pass_covering_one_more_schedule_is_offered_it_at_once(world: World) -> None:
    """What a template covers is kept in the memo of reads; a change to it empties it."""
    spin, _ = await add_schedules(world)
    member = world.members[0]
    before = await bookable(world.studio, member)
    assert spin.id not in {o.occurrence.schedule.id for o in before}
    async with SqlUnitOfWork(world.sessions) as uow:
        uow.session.add(PassTemplateScheduleRow(pass_template_id=world.open_template, schedule_id=spin.id))
        await uow.commit()
    after = await bookable_page(world.studio, member, 0, 100)
    assert spin.id in {o.occurrence.schedule.id for o in after.offers}
    assert after.total == len(await bookable(world.studio, member)) > len(before)
