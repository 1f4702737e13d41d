"""/book builds only the page shown (issue 15): `bookable_page` counts a member's
offers per schedule and walks only as far as its page. It must show exactly the page
of the whole list `bookable` gives, whatever the page size and number: a pass that
expires inside the two weeks, booking deadlines of different lengths, a session
booked, a place in a line, and a clock between a session's deadline and its start."""

from __future__ import annotations

from datetime import date, time, timedelta

from domain.aggregate import occurrences_between
from domain.bookings.book import book_session
from domain.bookings.views import bookable, bookable_page
from domain.bookings.waitlist import join_waitlist
from domain.member_view import BOOKING_WINDOW, open_to_members
from domain.occurrence import OccurrenceKey
from domain.passes import pick_pass
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


async def expected_offers(world: World, member: int) -> list[tuple[OccurrenceKey, int]]:
    """The offers by the rules, one session at a time: open to members now, within
    the two weeks, not booked by the member, paid by pick_pass's pass."""
    now = world.studio.now()
    async with SqlUnitOfWork(world.sessions) as uow:
        passes = await uow.passes.of_member(member)
        booked = {b.occurrence_id for b in await uow.bookings.active_of_member(member)}
        around = await occurrences_between(uow, world.studio.zone, now, now + BOOKING_WINDOW)
    offers = []
    for occurrence in around:
        pass_ = pick_pass(passes, occurrence.schedule, occurrence.start, now)
        if open_to_members(occurrence, now) and occurrence.record.id not in booked and pass_ is not None:
            offers.append((occurrence.key, pass_.id))
    return offers


async def test_members_sharing_templates_are_each_offered_what_their_own_passes_pay_for(world: World) -> None:
    """Members whose passes are of the same templates share how those templates cover
    the schedules (worked out once); what each is offered still follows their own
    passes: which expires first, which expires inside the two weeks, in which order."""
    spin, pilates = await add_schedules(world)
    async with SqlUnitOfWork(world.sessions) as uow:
        three_days = await uow.passes.add_template("3 days", 10, 3, [spin.id, world.yoga.id])  # type: ignore[union-attr]
        nine_days = await uow.passes.add_template("9 days", 10, 9, [pilates.id, spin.id])
        await uow.commit()
    first, second, third, fourth = world.members  # each holds the yoga pass of 60 days
    await grant_pass(world.studio, world.admin, first, three_days.id)
    await grant_pass(world.studio, world.admin, first, nine_days.id)
    await grant_pass(world.studio, world.admin, second, nine_days.id)
    world.studio.clock.advance(timedelta(days=2))  # the same templates, other expiries
    await grant_pass(world.studio, world.admin, second, three_days.id)
    await grant_pass(world.studio, world.admin, third, nine_days.id)
    await grant_pass(world.studio, world.admin, third, nine_days.id)  # two of one template
    await book_session(world.studio, first, OccurrenceKey(spin.id, berlin(2026, 12, 4, 7)), first)
    for member in world.members:
        whole = await bookable(world.studio, member)
        assert [(o.occurrence.key, o.pass_.id) for o in whole] == await expected_offers(world, member)
        await assert_pages_match(world, member)
    offered = {
        member: {o.occurrence.schedule.id for o in await bookable(world.studio, member)} for member in world.members
    }
    assert offered[fourth] == {world.yoga.id}  # type: ignore[union-attr]
    assert offered[first] == offered[second] == {world.yoga.id, spin.id, pilates.id}  # type: ignore[union-attr]
    assert offered[third] == {world.yoga.id, spin.id, pilates.id}  # type: ignore[union-attr]
