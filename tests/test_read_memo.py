"""Issue 15, point 4: reads keep the schedules, the week's occurrences and the names
(storage/read_cache.py) while nothing changes, and any committed change is visible
on the very next screen — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.listing import DateRange
from domain.override import OverrideRequest
from domain.ports import UnitOfWork
from domain.roles import Role
from domain.schedule import Schedule
from domain.sessions.listing import SessionList, sessions_screen
from domain.sessions.override import save_override
from storage.database import create_engine, create_sessionmaker
from storage.models import PersonRow
from storage.read_cache import ReadMemo, StudioMemo, writes_watched
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World

WEEK = DateRange(date(2026, 11, 30), date(2026, 12, 6))
TUESDAY = date(2026, 12, 1)


class Statements:
    """The SQL statements an engine runs, counted."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


@pytest.fixture
def statements(sessions: async_sessionmaker[AsyncSession]) -> Iterator[Statements]:
    engine = sessions.kw["bind"].sync_engine
    counter = Statements()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def line(screen: SessionList, title: str, day: date) -> tuple[int, int]:
    """(booked, capacity) of the session `title` on `day`."""
    found = next(o for o in screen.occurrences if o.title == title and o.start.date() == day)
    return found.booked, found.capacity


async def test_a_repeated_listing_reads_nothing_and_every_change_shows_on_the_next(
    world: World, statements: Statements, sessions: async_sessionmaker[AsyncSession]
) -> None:
    studio = world.studio
    first = await sessions_screen(studio, world.trainer, WEEK)
    statements.count = 0
    again = await sessions_screen(studio, world.trainer, WEEK)
    assert statements.count == 0 and again == first, "nothing changed: the listing comes from the memo"
    assert line(again, "Yoga", TUESDAY) == (0, 10)

    await world.book_all(world.yoga_on(TUESDAY), world.members[:1])  # a booking
    assert line(await sessions_screen(studio, world.trainer, WEEK), "Yoga", TUESDAY) == (1, 10)

    await save_override(studio, world.trainer, world.yoga_on(TUESDAY), OverrideRequest(capacity=12))  # an override
    assert line(await sessions_screen(studio, world.trainer, WEEK), "Yoga", TUESDAY) == (1, 12)

    async with SqlUnitOfWork(sessions) as uow:  # a new schedule, a new trainer, a renamed space
        assert world.yoga is not None
        await uow.schedules.add(
            Schedule(
                0,
                "Boxing",
                "FREQ=WEEKLY;BYDAY=TU",
                date(2026, 1, 6),
                time(7),
                timedelta(hours=1),
                5,
                world.studio_b,
                world.members[0],
            )
        )
        await uow.people.grant(world.members[0], Role.TRAINER)
        await uow.commit()
    screen = await sessions_screen(studio, world.trainer, WEEK)
    assert line(screen, "Boxing", TUESDAY) == (0, 5)
    assert screen.directory.trainer_name(world.members[0]) == "Member 0"

    other = create_engine(str(sessions.kw["bind"].url.render_as_string(hide_password=False)))
    try:  # another engine of this process, on the same database: its commits count too
        async with create_sessionmaker(other)() as session:
            await session.execute(update(PersonRow).where(PersonRow.id == world.members[0]).values(name="Max Boxer"))
            await session.commit()
    finally:
        await other.dispose()
    assert (await sessions_screen(studio, world.trainer, WEEK)).directory.trainer_name(world.members[0]) == "Max Boxer"


async def test_a_command_never_reads_the_memo(world: World) -> None:
    await sessions_screen(world.studio, world.trainer, WEEK)  # fills it
    seen: list[object] = []

    async def command(uow: UnitOfWork) -> None:
        seen.append(uow.memo.get(("schedules",)))
        seen.append(await uow.schedules.all())

    await world.studio.change(command)
    assert seen[0] is None and len(seen[1]) == 2  # type: ignore[arg-type]


def test_which_statements_count_as_changes() -> None:
    assert writes_watched("INSERT INTO bookings (occurrence_id) VALUES (?)")
    assert writes_watched('UPDATE "schedules" SET title=$1')
    assert writes_watched("DELETE FROM roles WHERE person_id = ?")
    assert writes_watched("TRUNCATE people, roles RESTART IDENTITY CASCADE")
    assert writes_watched("ALTER TABLE occurrences ADD COLUMN x INTEGER")
    assert not writes_watched("UPDATE notifications SET status='sent'")  # the outbox: not what listings read
    assert not writes_watched("SELECT id FROM occurrences WHERE id = ? FOR UPDATE")


class OccurrenceReads(Statements):
    """The statements that read the occurrences table, counted."""

    def __call__(self, connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM occurrences" in statement:
            self.count += 1


async def test_listings_asked_at_once_after_a_change_read_the_week_once(
    world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Right after a change the memo is empty; eight trainers asking in the same
    instant wait for one read of the week instead of each making their own."""
    engine = sessions.kw["bind"].sync_engine
    reads = OccurrenceReads()
    event.listen(engine, "before_cursor_execute", reads)
    try:
        await world.book_all(world.yoga_on(TUESDAY), world.members[:1])
        reads.count = 0
        alone = await sessions_screen(world.studio, world.trainer, WEEK)
        one_listing = reads.count
        await world.book_all(world.yoga_on(TUESDAY), world.members[1:2])
        reads.count = 0
        screens = await asyncio.gather(*(sessions_screen(world.studio, world.trainer, WEEK) for _ in range(8)))
    finally:
        event.remove(engine, "before_cursor_execute", reads)
    assert one_listing >= 1 and reads.count == one_listing
    assert all(line(s, "Yoga", TUESDAY) == (2, 10) for s in screens) and line(alone, "Yoga", TUESDAY) == (1, 10)


async def test_a_build_waited_for_is_shared_and_its_failure_is_not() -> None:
    memo = StudioMemo()
    started, release, builds = asyncio.Event(), asyncio.Event(), []

    async def build() -> object:
        builds.append(1)
        started.set()
        await release.wait()
        return ("week",)

    first = asyncio.create_task(ReadMemo(memo).kept("week", build))
    await started.wait()
    waiters = [asyncio.create_task(ReadMemo(memo).kept("week", build)) for _ in range(3)]
    cancelled = asyncio.create_task(ReadMemo(memo).kept("week", build))
    await asyncio.sleep(0)
    cancelled.cancel()  # one reader goes away: the build goes on for the others
    release.set()
    assert await first == ("week",) and [await w for w in waiters] == [("week",)] * 3 and len(builds) == 1
    assert memo.get("week") == ("week",)

    async def fails() -> object:
        await asyncio.sleep(0.01)
        raise RuntimeError("database went away")

    memo.changed()
    failing = asyncio.create_task(ReadMemo(memo).kept("week", fails))
    await asyncio.sleep(0)
    release.clear()
    waiting = asyncio.create_task(ReadMemo(memo).kept("week", build))
    with pytest.raises(RuntimeError):
        await failing
    release.set()
    assert await waiting == ("week",) and len(builds) == 2  # the waiter built its own


async def test_a_read_begun_after_a_change_does_not_wait_for_a_build_of_before() -> None:
    memo = StudioMemo()
    release = asyncio.Event()

    async def old() -> object:
        await release.wait()
        return ("before",)

    async def new() -> object:
        return ("after",)

    before = ReadMemo(memo)
    building = asyncio.create_task(before.kept("week", old))
    await asyncio.sleep(0)
    memo.changed()
    assert await ReadMemo(memo).kept("week", new) == ("after",)
    release.set()
    assert await building == ("before",) and memo.get("week") == ("after",)
