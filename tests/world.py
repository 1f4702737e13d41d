"""A small studio to test against: two spaces, an admin, two trainers, members with
passes, an open weekly class and a closed one (times in Europe/Berlin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.occurrence import OccurrenceKey
from domain.passes import Pass
from domain.recurrence import to_utc
from domain.roles import Role
from domain.schedule import Schedule
from domain.studio import Studio
from storage.models import BookingRow, LedgerEntryRow, NotificationRow, PassRow
from storage.unit_of_work import SqlUnitOfWork
from domain.bookings.book import book_session
from domain.setup.passes import grant_pass

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return to_utc(datetime(year, month, day, hour, minute), BERLIN)


@dataclass
class World:
    studio: Studio
    sessions: async_sessionmaker[AsyncSession]
    admin: int = 0
    trainer: int = 0  # leads both schedules
    substitute: int = 0
    members: list[int] = field(default_factory=list)
    stranger: int = 0  # a person with no role at all
    studio_a: int = 0
    studio_b: int = 0  # holds at most 8
    yoga: Schedule | None = None  # open, weekly Tuesday and Thursday 18:00, capacity 10, Studio A
    closed: Schedule | None = None  # closed, weekly Wednesday 10:00, Studio B
    open_template: int = 0
    closed_template: int = 0
    passes: dict[int, Pass] = field(default_factory=dict)  # member -> open pass

    @classmethod
    async def build(cls, studio: Studio, sessions: async_sessionmaker[AsyncSession], members: int = 4) -> World:
        world = cls(studio, sessions)
        async with SqlUnitOfWork(sessions) as uow:
            world.admin = (await uow.people.add("Ada Admin", [Role.ADMIN], studio.now(), telegram_user_id=1001)).id
            world.trainer = (await uow.people.add("Tom Trainer", [Role.TRAINER], studio.now(), telegram_user_id=1002)).id
            world.substitute = (await uow.people.add("Sue Substitute", [Role.TRAINER, Role.MEMBER], studio.now())).id
            world.stranger = (await uow.people.add("Sam Stranger", [], studio.now())).id
            for number in range(members):
                world.members.append((await uow.people.add(f"Member {number}", [Role.MEMBER], studio.now())).id)
            world.studio_a = (await uow.spaces.add("Studio A")).id
            world.studio_b = (await uow.spaces.add("Studio B", max_capacity=8)).id
            closed_template = await uow.passes.add_template("Course pass", 10, 90, [])
            world.closed_template = closed_template.id
            world.yoga = await uow.schedules.add(
                Schedule(0, "Yoga", "FREQ=WEEKLY;BYDAY=TU,TH", date(2025, 1, 7), time(18), timedelta(hours=1),
                         10, world.studio_a, world.trainer)
            )
            world.closed = await uow.schedules.add(
                Schedule(0, "Back course", "FREQ=WEEKLY;BYDAY=WE;COUNT=20", date(2026, 11, 4), time(10),
                         timedelta(minutes=90), 6, world.studio_b, world.trainer, closed=True,
                         pass_template_id=closed_template.id)
            )
            world.open_template = (await uow.passes.add_template("10 classes", 10, 60, [world.yoga.id])).id
            await uow.commit()
        for member in world.members:
            world.passes[member] = (await grant_pass(studio, world.admin, member, world.open_template)).pass_
        return world

    def yoga_on(self, day: date) -> OccurrenceKey:
        assert self.yoga is not None
        return OccurrenceKey(self.yoga.id, berlin(day.year, day.month, day.day, 18))

    def closed_on(self, day: date) -> OccurrenceKey:
        assert self.closed is not None
        return OccurrenceKey(self.closed.id, berlin(day.year, day.month, day.day, 10))

    async def book_all(self, key: OccurrenceKey, members: list[int] | None = None) -> None:
        for member in members if members is not None else self.members:
            await book_session(self.studio, self.admin, key, member)

    async def notifications(self) -> list[NotificationRow]:
        async with self.sessions() as session:
            return list(await session.scalars(select(NotificationRow).order_by(NotificationRow.id)))

    async def active_bookings(self) -> int:
        async with self.sessions() as session:
            return await session.scalar(select(func.count()).select_from(BookingRow).where(BookingRow.status == "active")) or 0

    async def balances(self) -> dict[int, tuple[int | None, int]]:
        """pass id -> (stored balance, sum of its ledger)."""
        async with self.sessions() as session:
            ledger = dict(
                (await session.execute(select(LedgerEntryRow.pass_id, func.sum(LedgerEntryRow.delta)).group_by(LedgerEntryRow.pass_id))).all()
            )
            rows = await session.execute(select(PassRow.id, PassRow.sessions_left))
            return {pass_id: (left, int(ledger.get(pass_id, 0))) for pass_id, left in rows}

    async def pass_balance(self, member: int) -> int | None:
        async with self.sessions() as session:
            return await session.scalar(select(PassRow.sessions_left).where(PassRow.id == self.passes[member].id))
