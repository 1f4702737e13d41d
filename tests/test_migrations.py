"""Migrations: upgrade -> downgrade -> upgrade on both databases, the models match the
migrated schema, and a database newer than the code is refused (SPEC §6.3)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.database import DatabaseError, alembic_config, create_engine, migrate, open_database
from storage.models import Base


def _cycle(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "base")
    command.upgrade(config, "head")


def _diff(connection: Connection) -> list[object]:
    return compare_metadata(MigrationContext.configure(connection), Base.metadata)


async def test_upgrade_downgrade_upgrade_and_models_match(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        if engine.dialect.name == "postgresql":  # earlier tests' rows: some downgrades refuse data they cannot keep
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        async with engine.begin() as connection:
            await connection.run_sync(_cycle)
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_a_database_migrated_by_newer_code_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'newer.sqlite3'}"
    engine = create_engine(url)
    await migrate(engine)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    await engine.dispose()
    with pytest.raises(DatabaseError, match="newer version"):
        await open_database(url)


async def test_start_creates_and_migrates_a_missing_sqlite_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "fresh.sqlite3"
    engine, _ = await open_database(f"sqlite+aiosqlite:///{path}")
    async with engine.connect() as connection:
        tables = set((await connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))).scalars())
    await engine.dispose()
    assert path.exists()
    assert {"occurrences", "bookings", "pass_ledger", "notifications", "alembic_version"} <= tables
