"""Every SQLite connection of the engine is set up alike (storage/database.py): foreign
keys enforced, write-ahead log, and a small page cache of its own (issue 15: fifteen
pooled connections with SQLite's default 2 MB each pushed the bot past its memory
budget when many people read at once)."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
