"""Fixtures: every storage and domain test runs on SQLite and on PostgreSQL.

PostgreSQL is the machine's server (TRAINERY_TEST_POSTGRES_URL, default the `test`
database on 127.0.0.1:5432); each run creates a database of its own there. A server
that is down fails the run; it never skips.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import FixedClock
from domain.studio import Studio
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
def postgres_migrated() -> Iterator[str]:
    """A fresh database of this run's own on the PostgreSQL server, migrated from
    scratch, so two runs on one machine (two developers, a developer and CI) never
    see each other's rows. Dropped at the end."""
    server = make_url(POSTGRES_URL)
    name = f"trainery_test_{os.getpid()}"

    async def admin(statement: str) -> None:
        engine = create_engine(server.render_as_string(hide_password=False))
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
        await engine.dispose()

    async def build(url: str) -> None:
        await admin(f'DROP DATABASE IF EXISTS "{name}"')
        await admin(f'CREATE DATABASE "{name}"')
        engine = create_engine(url)
        await migrate(engine)
        await engine.dispose()

    url = server.set(database=name).render_as_string(hide_password=False)
    asyncio.run(build(url))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
