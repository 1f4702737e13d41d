"""SPEC §5 and issue 11 under contention, on SQLite and PostgreSQL: every pair of
commands that change one occurrence aggregate — override with cancelled bookings,
cancelling the session, booking, a member's and a staff cancel, joining and
leaving the waitlist (promotions happen inside the cancels and the override), and
enrolment by a closed schedule's pass — raced against each other in both orders.

After every round: no error other than a clear domain answer reached anyone, the
database never gave up on a transaction (a deadlock would show as contention here
even when the retry hides it from the person), no session holds more bookings than
spots, nobody is both booked and waiting, and every pass balance equals its ledger
with no booking used or refunded twice.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.bookings.views import member_overview
from domain.bookings.waitlist import join_waitlist, leave_waitlist
from domain.errors import DomainError, TryAgain
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest
from domain.roles import Role
from domain.sessions.cancel import cancel_session
from domain.sessions.card import bookings_on, find_session
from domain.sessions.override import save_override
from domain.setup.passes import grant_pass
from domain.studio import Studio
from storage import unit_of_work
from storage.models import BookingRow, LedgerEntryRow, OccurrenceRow, WaitlistRow
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World

FIRST_TUESDAY = date(2026, 12, 1)
ROUNDS = 2  # per ordered pair


@dataclass
class Scene:
    """One occurrence of capacity 3: members 0-2 booked, member 3 in line."""

    key: OccurrenceKey
    bookings: dict[int, int]  # member -> booking id
    entry: int  # member 3's place in line


Command = Callable[[World, Scene], Awaitable[Any]]

OPEN_COMMANDS: dict[str, Command] = {
    "override": lambda w, s: save_override(
        w.studio, w.admin, s.key, OverrideRequest(capacity=4, cancel_bookings=True), confirmed=True
    ),
    "cancel_session": lambda w, s: cancel_session(w.studio, w.trainer, s.key, "Trainer is ill"),
    "book": lambda w, s: book_session(w.studio, w.members[4], s.key, w.members[4]),
    "member_cancel": lambda w, s: cancel_booking(w.studio, w.members[0], s.bookings[w.members[0]]),
    "staff_cancel": lambda w, s: cancel_booking(w.studio, w.admin, s.bookings[w.members[1]]),
    "join": lambda w, s: join_waitlist(w.studio, w.members[5], s.key, w.members[5]),
    "leave": lambda w, s: leave_waitlist(w.studio, w.members[3], s.entry),
}


@pytest.fixture
async def contention(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Every transaction the database gave up on (deadlock, serialization failure)."""
    seen: list[BaseException] = []
    original = unit_of_work.is_contention

    def counting(error: BaseException) -> bool:
        found = original(error)
        if found:
            seen.append(error)
        return found

    monkeypatch.setattr(unit_of_work, "is_contention", counting)
    return seen


@pytest.fixture
async def crowd(studio: Studio, world: World) -> World:
    """The test studio with six members, each also holding a long pass for many rounds."""
    async with SqlUnitOfWork(world.sessions) as uow:
        for number in range(len(world.members), 6):
            world.members.append((await uow.people.add(f"Member {number}", [Role.MEMBER], studio.now())).id)
        assert world.yoga is not None
        season = await uow.passes.add_template("Season", 1000, 400, [world.yoga.id])
        await uow.commit()
    for member in world.members:
        await grant_pass(studio, world.admin, member, season.id)
    return world


async def scene(world: World, day: date) -> Scene:
    key = world.yoga_on(day)
    studio = world.studio
    await save_override(studio, world.admin, key, OverrideRequest(capacity=3))
    for member in world.members[:3]:
        await book_session(studio, member, key, member)
    await join_waitlist(studio, world.members[3], key, world.members[3])
    booked = await bookings_on(studio, world.admin, key)
    [waiting] = [w for w in (await member_overview(studio, world.members[3])).waiting if w.occurrence.key == key]
    return Scene(key, {b.member_id: b.id for b, _ in booked.booked}, waiting.entry.id)


async def race(*attempts: Awaitable[Any]) -> list[Any]:
    """Run the attempts at once; each must succeed or be refused with a clear answer."""
    results = await asyncio.gather(*attempts, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            assert isinstance(result, DomainError), repr(result)
            assert not isinstance(result, TryAgain), "contention reached a person"
            assert result.text
    return results


async def check_invariants(world: World, key: OccurrenceKey) -> None:
    occurrence = await find_session(world.studio, world.admin, key)
    assert occurrence.booked <= occurrence.capacity
    async with world.sessions() as session:
        record_id = await session.scalar(
            select(OccurrenceRow.id).where(
                OccurrenceRow.schedule_id == key.schedule_id, OccurrenceRow.original_start == key.original_start
            )
        )
        booked = set(
            await session.scalars(
                select(BookingRow.member_id).where(BookingRow.occurrence_id == record_id, BookingRow.status == "active")
            )
        )
        waiting = set(await session.scalars(select(WaitlistRow.member_id).where(WaitlistRow.occurrence_id == record_id)))
        twice = await session.scalar(
            select(func.count()).select_from(
                select(LedgerEntryRow.booking_id)
                .where(LedgerEntryRow.booking_id.is_not(None))
                .group_by(LedgerEntryRow.booking_id, LedgerEntryRow.kind)
                .having(func.count() > 1)
                .subquery()
            )
        )
    assert not booked & waiting, "a member is both booked and waiting"
    if occurrence.cancelled:
        assert booked == set() and waiting == set()
    assert twice == 0
    assert all(left == ledger for left, ledger in (await world.balances()).values())


async def test_every_pair_of_commands_on_one_occurrence(crowd: World, contention: list[BaseException]) -> None:
    pairs = list(itertools.product(OPEN_COMMANDS, repeat=2))  # both orders, and each with itself
    days = (FIRST_TUESDAY + timedelta(days=7 * week + offset) for week in itertools.count() for offset in (0, 2))
    outcomes: dict[tuple[str, str], list[str]] = {}
    for (first, second), _, day in zip(itertools.cycle(pairs), range(len(pairs) * ROUNDS), days):
        current = await scene(crowd, day)
        results = await race(OPEN_COMMANDS[first](crowd, current), OPEN_COMMANDS[second](crowd, current))
        outcomes.setdefault((first, second), []).extend(
            type(r).__name__ if isinstance(r, BaseException) else "ok" for r in results
        )
        await check_invariants(crowd, current.key)
    assert contention == [], f"the database gave up on {len(contention)} transactions: {contention[:1]}"
    # Every command won some of its races, so none of the checks above was vacuous.
    won = {name for (a, b), results in outcomes.items() for name, r in zip((a, b) * ROUNDS, results) if r == "ok"}
    assert won == set(OPEN_COMMANDS)


async def test_enrolment_races_the_changes_of_a_closed_session(crowd: World, contention: list[BaseException]) -> None:
    """Granting a closed course's pass books its member on every session of the course;
    it locks those roots in key order, then the pass, like every other command."""
    world, studio = crowd, crowd.studio
    assert world.closed is not None
    first = world.closed_on(date(2026, 12, 2))
    newcomers = []
    async with SqlUnitOfWork(world.sessions) as uow:
        for number in range(4 * ROUNDS * 2 * 2):  # commands x rounds x orders x racers
            newcomers.append((await uow.people.add(f"Course {number}", [Role.MEMBER], studio.now())).id)
        await uow.commit()
    await grant_pass(studio, world.admin, world.members[0], world.closed_template)
    commands: dict[str, Callable[[int], Awaitable[Any]]] = {
        "enrol": lambda n: grant_pass(studio, world.admin, newcomers[n], world.closed_template),
        "override": lambda n: save_override(studio, world.admin, first, OverrideRequest(space_id=(world.studio_a, world.studio_b)[n % 2]), confirmed=True),
        "staff_cancel": lambda n: _cancel_first_booking(world, first),
        "cancel_session": lambda n: cancel_session(studio, world.trainer, world.closed_on(date(2026, 12, 9)), "Closed"),
    }
    number = 0
    for name in commands:
        for _ in range(ROUNDS):
            for order in (("enrol", name), (name, "enrol")):
                await race(*(commands[c](number + i) for i, c in enumerate(order)))
                number += 2
                await check_invariants(world, first)
    assert contention == [], f"the database gave up on {len(contention)} transactions: {contention[:1]}"


async def _cancel_first_booking(world: World, key: OccurrenceKey) -> None:
    booked = (await bookings_on(world.studio, world.admin, key)).booked
    if booked:
        await cancel_booking(world.studio, world.admin, booked[0][0].id)
