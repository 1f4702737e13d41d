"""Fixtures: every storage and domain test runs on SQLite and on PostgreSQL.

PostgreSQL is the machine's server (TRAINERY_TEST_POSTGRES_URL, default the `test`
database on 127.0.0.1:5432). A server that is down fails the run; it never skips.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import FixedClock
from domain.services import Studio
from storage.database import create_engine, create_sessionmaker, migrate
from storage.models import Base
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World

POSTGRES_URL = os.environ.get("TRAINERY_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate(engine)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    """Reset the test database's schema once and migrate it from scratch."""

    async def build() -> None:
        engine = create_engine(POSTGRES_URL)
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await migrate(engine)
        await engine.dispose()

    asyncio.run(build())
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "trainery.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    return request.getfixturevalue("postgres_migrated")


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield create_sessionmaker(engine)
    await engine.dispose()


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def clock() -> FixedClock:
    # A Monday morning in the studio: 2026-11-30 08:00 Berlin.
    return FixedClock(datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc))


@pytest.fixture
def studio(sessions: async_sessionmaker[AsyncSession], clock: FixedClock) -> Studio:
    return Studio(lambda: SqlUnitOfWork(sessions), clock, BERLIN)


@pytest.fixture
async def world(studio: Studio, sessions: async_sessionmaker[AsyncSession]) -> World:
    return await World.build(studio, sessions)
