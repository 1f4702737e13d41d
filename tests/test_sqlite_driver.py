"""storage/sqlite_driver.py: SQLite through aiosqlite with one trip to the connection's
thread per statement (issue 15) answers SQLAlchemy as aiosqlite's own cursor did —
rows, row counts, last row ids, errors — and makes one trip where it made four; a read
makes none."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import READING, create_engine


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


async def test_a_read_runs_on_the_loops_thread_and_a_change_on_the_connections(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only transaction (READING) makes no trip at all, from BEGIN to ROLLBACK:
    SQLite in WAL mode never makes a reader wait for a lock. A change still goes to the
    connection's thread, where a busy wait blocks nobody else."""
    trips: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("thread_id", 0, threading.get_ident)

    event.listen(engine.sync_engine, "connect", on_connect)
    await engine.dispose()  # new connections, each with thread_id()
    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    loop_thread = threading.get_ident()
    async with engine.connect() as connection:  # connected (settings, thread_id()) and pooled
        await connection.execute(text("SELECT 1"))
    trips.clear()
    async with engine.connect() as connection:
        await connection.execution_options(**{READING: True})
        async with connection.begin():
            assert (await connection.execute(text("SELECT thread_id()"))).scalar_one() == loop_thread
            with pytest.raises(OperationalError, match="no such column"):
                await connection.execute(text("SELECT nope FROM t"))
        assert trips == []
        async with connection.begin():
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
        assert trips == []
    async with engine.begin() as connection:
        assert (await connection.execute(text("SELECT thread_id()"))).scalar_one() != loop_thread
        await connection.execute(text("INSERT INTO t (x) VALUES ('a')"))
    assert len(trips) >= 3  # BEGIN IMMEDIATE, the two statements (and COMMIT)
    async with engine.connect() as connection:  # the same pooled connection, reading again
        await connection.execution_options(**{READING: True})
        async with connection.begin():
            assert (await connection.execute(text("SELECT x FROM t"))).all() == [("a",)]
