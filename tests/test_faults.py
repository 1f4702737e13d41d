"""Faults (SPEC §5): a database connection lost in the middle of a change leaves
nothing half-done, and the next command is served as usual."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import FixedClock
from domain.studio import Studio
from storage.database import create_engine, create_sessionmaker
from storage.models import Base
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import BERLIN
from tests.world import World, berlin
from domain.sessions.cancel import cancel_session
from domain.sessions.card import find_session


class ConnectionLostUnitOfWork(SqlUnitOfWork):
    """The real unit of work whose PostgreSQL connection is killed by the server just
    before the commit, after the bookings, refunds and notices were written."""

    async def commit(self) -> None:
        await self.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        await super().commit()


@pytest.fixture
async def pg_sessions(postgres_migrated: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(postgres_migrated)
    async with engine.begin() as connection:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_a_connection_lost_mid_change_commits_nothing_and_serving_goes_on(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(berlin(2026, 11, 30, 8))
    studio = Studio(lambda: SqlUnitOfWork(pg_sessions), clock, BERLIN)
    world = await World.build(studio, pg_sessions)
    key = world.yoga_on(date(2026, 12, 1))
    await world.book_all(key)
    failing: Any = Studio(lambda: ConnectionLostUnitOfWork(pg_sessions), clock, BERLIN)
    with pytest.raises(DBAPIError):
        await cancel_session(failing, world.trainer, key, "Flooded")
    occurrence = await find_session(studio, world.admin, key)
    assert not occurrence.cancelled and occurrence.booked == 4
    assert await world.notifications() == []
    assert [await world.pass_balance(m) for m in world.members] == [9] * 4
    # the pool replaces the dead connection; the same change then goes through whole
    done = await cancel_session(studio, world.trainer, key, "Flooded")
    assert done.refunded_passes == 4 and len(await world.notifications()) == 4
