"""Issue 14 under contention, on SQLite and PostgreSQL: an edit that moves a
schedule's sessions (a new time) or ends it, raced against the first booking of one
of those sessions, in both orders. The booking either lands on the session as the
edit left it or is refused clearly; no booking is ever left on a session the rule no
longer has (a session at the old time, or after the end), and no transaction was
given up by the database (a deadlock would show as contention)."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from domain.bookings.book import book_session
from domain.errors import DomainError, TryAgain
from domain.setup.schedule_edit import ScheduleEdit, edit_schedule, end_schedule
from storage import unit_of_work
from storage.models import BookingRow, OccurrenceRow
from tests.world import World, berlin

ROUNDS = 3  # per order


@pytest.fixture
def contention(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    seen: list[BaseException] = []
    original = unit_of_work.is_contention

    def counting(error: BaseException) -> bool:
        found = original(error)
        if found:
            seen.append(error)
        return found

    monkeypatch.setattr(unit_of_work, "is_contention", counting)
    return seen


async def race(*attempts: Any) -> None:
    for result in await asyncio.gather(*attempts, return_exceptions=True):
        if isinstance(result, BaseException):
            assert isinstance(result, DomainError) and not isinstance(result, TryAgain), repr(result)


async def booked_starts(world: World, day: date) -> set[tuple[int, int]]:
    """(hour, cancelled?) of the Yoga rows of that day holding an active booking."""
    assert world.yoga is not None
    async with world.sessions() as session:
        rows = await session.execute(
            select(OccurrenceRow.original_start, OccurrenceRow.cancelled_at)
            .join(BookingRow, BookingRow.occurrence_id == OccurrenceRow.id)
            .where(
                OccurrenceRow.schedule_id == world.yoga.id,
                BookingRow.status == "active",
                OccurrenceRow.original_start >= berlin(day.year, day.month, day.day),
                OccurrenceRow.original_start < berlin(day.year, day.month, day.day) + timedelta(days=1),
            )
        )
        return {(start.astimezone(world.studio.zone).hour, cancelled is not None) for start, cancelled in rows}


async def test_a_time_edit_and_a_first_booking_never_leave_a_booking_at_the_old_time(
    world: World, contention: list[BaseException]
) -> None:
    member, hour = world.members[0], 18
    for round_ in range(2 * ROUNDS):
        day = date(2026, 12, 10) + timedelta(weeks=round_)  # a Thursday each round, from that day on
        key, new = world.yoga_on(day), 19 if hour == 18 else 18
        key = type(key)(key.schedule_id, berlin(day.year, day.month, day.day, hour))
        edit = edit_schedule(world.studio, world.admin, "Yoga", day, ScheduleEdit(start_time=time(new)), confirmed=True)
        book = book_session(world.studio, member, key, member)
        await race(*((edit, book) if round_ % 2 else (book, edit)))
        assert await booked_starts(world, day) <= {(new, False)}, f"round {round_}"
        hour = new
    assert contention == []


async def test_ending_and_a_first_booking_never_leave_a_booking_after_the_end(
    world: World, contention: list[BaseException]
) -> None:
    member = world.members[0]
    last = date(2027, 1, 28)
    for round_ in range(2 * ROUNDS):
        last -= timedelta(weeks=1)
        after = last + timedelta(days=2)  # the Saturday after a Thursday: the next Tuesday
        after += timedelta(days=3)
        end = end_schedule(world.studio, world.admin, "Yoga", last, confirmed=True)
        book = book_session(world.studio, member, world.yoga_on(after), member)
        await race(*((end, book) if round_ % 2 else (book, end)))
        assert await booked_starts(world, after) <= {(18, True)}, f"round {round_}"
    assert contention == []
