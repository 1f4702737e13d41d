"""storage/sqlite_driver.py: SQLite through aiosqlite with one trip to the connection's
thread per statement (issue 15) answers SQLAlchemy as aiosqlite's own cursor did —
rows, row counts, last row ids, errors — and makes one trip where it made four."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}")
    async with made.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT UNIQUE)"))
    yield made
    await made.dispose()


async def test_rows_counts_and_ids_as_before(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO t (x) VALUES ('a')"))
        assert (inserted.lastrowid, inserted.rowcount) == (1, 1)
        many = await connection.execute(text("INSERT INTO t (x) VALUES (:x)"), [{"x": "b"}, {"x": "c"}])
        assert many.rowcount == 2
        rows = await connection.execute(text("SELECT id, x FROM t ORDER BY id"))
        assert rows.all() == [(1, "a"), (2, "b"), (3, "c")]
        assert (await connection.execute(text("SELECT x FROM t WHERE id = 9"))).first() is None
        assert (await connection.execute(text("UPDATE t SET x = x || '!' WHERE id > 1"))).rowcount == 2
        returned = await connection.execute(text("INSERT INTO t (x) VALUES ('d') RETURNING id, x"))
        assert returned.all() == [(4, "d")]
    async with engine.connect() as connection:  # committed
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 4


async def test_errors_reach_sqlalchemy_as_they_did(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        with pytest.raises(OperationalError, match="no such column"):
            await connection.execute(text("SELECT nope FROM t"))
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (x) VALUES ('a')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (x) VALUES ('a')"))


async def test_one_trip_to_the_thread_per_statement(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    trips: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the first use begins the transaction
        trips.clear()
        rows = await connection.execute(text("SELECT id, x FROM t"))
        assert rows.all() == []
        assert len(trips) == 1  # aiosqlite's own cursor: cursor, execute, fetchall, close
