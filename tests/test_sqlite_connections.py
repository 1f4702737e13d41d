"""Every SQLite connection of the engine is set up alike (storage/database.py): foreign
keys enforced, write-ahead log, and a small page cache of its own (issue 15: fifteen
pooled connections with SQLite's default 2 MB each pushed the bot past its memory
budget when many people read at once)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import READING, SQLITE_PAGE_CACHE_KB, create_engine


async def test_each_pooled_connection_has_the_settings(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'studio.sqlite3'}")
    seen: list[tuple[int, str, int]] = []
    hold = asyncio.Event()

    async def one() -> None:  # held open together: three connections of the pool
        async with engine.connect() as connection:
            await connection.execution_options(**{READING: True})  # readers: no write lock
            keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            cache = (await connection.execute(text("PRAGMA cache_size"))).scalar_one()
            seen.append((keys, journal, cache))
            if len(seen) == 3:
                hold.set()
            await hold.wait()

    try:
        await asyncio.gather(one(), one(), one())
    finally:
        await engine.dispose()
    assert seen == [(1, "wal", -SQLITE_PAGE_CACHE_KB)] * 3 and SQLITE_PAGE_CACHE_KB <= 1024


async def test_a_change_takes_the_write_lock_at_its_start_and_a_read_none(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE for a unit of work that may write (two writers queue, neither
    fails half-way), a plain BEGIN for a read: it reads its snapshot beside the writer."""
    path = tmp_path / "studio.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as setup:
            await setup.execute(text("CREATE TABLE t (x INTEGER)"))
            await setup.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as writer:
            await writer.begin()  # nothing written yet
            with sqlite3.connect(path, timeout=0) as other, pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            async with engine.connect() as reader:
                await reader.execution_options(**{READING: True})
                await reader.begin()
                assert (await reader.execute(text("SELECT x FROM t"))).scalar_one() == 1
                with sqlite3.connect(path, timeout=0) as other, pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")  # the writer's lock, not the reader's
            await writer.rollback()
        with sqlite3.connect(path, timeout=0) as other:
            other.execute("BEGIN IMMEDIATE")  # free again
            other.rollback()
    finally:
        await engine.dispose()
