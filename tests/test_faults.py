"""Faults (SPEC §5): a database connection lost in the middle of a change leaves
nothing half-done, and the next command is served as usual."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import FixedClock
from domain.studio import Studio
from storage import database
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


async def test_a_connection_the_server_dropped_in_the_pool_is_replaced_before_use(
    postgres_migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pooled PostgreSQL connection idle for a while (the server restarted, a firewall
    cut it) is pinged at checkout and replaced when dead (storage/database.py); one in
    use within PING_AFTER_IDLE seconds is not pinged: a burst pays no round trip for it."""
    engine = create_engine(postgres_migrated)
    pings: list[object] = []
    dialect = engine.sync_engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(connection) or real_ping(connection))
    try:
        for _ in range(3):  # back to back: the same pooled connection, never pinged
            async with engine.connect() as connection:
                pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert pings == []
        await _terminate(postgres_migrated, pid)  # while it sits in the pool
        monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)  # as if it sat there long
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
        assert len(pings) == 1
    finally:
        await engine.dispose()


async def _terminate(url: str, pid: int) -> None:
    admin = create_engine(url)
    try:
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(100):  # gone once the server no longer lists it
                listed = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
                if not (await connection.execute(listed, {"pid": pid})).scalar_one():
                    return
                await asyncio.sleep(0.05)
        raise AssertionError(f"backend {pid} still there")
    finally:
        await admin.dispose()
