"""SQLite through aiosqlite, with one trip to the connection's thread per statement
that may write, and none for a read (`Connection.reading`).

aiosqlite runs every call of a connection on a thread of its own, and SQLAlchemy's
adapter makes four calls per query: make a cursor, execute, fetch the rows, close the
cursor. Each call is a hand-over — a queue put, a wake-up of the event loop, the GIL
passed back and forth — and a burst of updates (issue 15: 300 `/book` at once) paid
~29 of them per update, the most of what SQLite cost over PostgreSQL. Here a cursor
does the four in one call on the thread: it executes, fetches every row, notes the
description, row count and last row id, and closes; what SQLAlchemy asks afterwards
is answered from those notes. Transactions (BEGIN, COMMIT, ROLLBACK) stay one call
each, as before. A read-only transaction makes no trip at all: its statements run on
the event loop's thread.

Every row of a result is fetched at once, as SQLAlchemy's adapter already did for all
but server-side cursors (`stream`), which Trainery does not use.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from threading import Thread
from types import TracebackType
from typing import Any, Self, cast

import aiosqlite
from aiosqlite.context import contextmanager
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url

# What one statement leaves behind: description, row count, last row id, the rows.
_Outcome = tuple[Any, int, int | None, list[Any]]


class Cursor:
    """The part of aiosqlite's cursor SQLAlchemy's adapter uses, one call per statement."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Self:
        await self._run(_execute, sql, () if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Self:
        await self._run(_executemany, sql, parameters)
        return self

    async def _run(self, work: Any, sql: str, parameters: Any) -> None:
        if self._connection.reading:  # see Connection.reading
            outcome = work(self._connection, sql, parameters)
        else:
            on_thread = cast(Callable[..., Awaitable[_Outcome]], self._connection._execute)  # aiosqlite's queue
            outcome = await on_thread(work, self._connection, sql, parameters)
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(len(self._rows), self.arraysize if size is None else size)
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()  # the driver's cursor was closed on the thread

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _execute(connection: Connection, sql: str, parameters: Sequence[Any]) -> _Outcome:
    """On the connection's thread: the statement, its rows, and the cursor closed."""
    cursor = connection._conn.cursor()
    try:
        cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _executemany(connection: Connection, sql: str, parameters: Iterable[Sequence[Any]]) -> _Outcome:
    cursor = connection._conn.cursor()
    try:
        cursor.executemany(sql, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


class Connection(aiosqlite.Connection):
    # Set while a read-only transaction is open (storage.database begins it): its
    # statements, and the rollback that ends it, run right here on the event loop's
    # thread instead of a trip each to the connection's thread (issue 15: a /book read
    # is ~5 short statements; a trip cost ten times the statement). A reader in WAL mode
    # does not wait for writers (only, rarely, for another process recovering the log
    # after a crash), so this does not block the loop on a lock; what may write still
    # goes to the thread, where a busy wait blocks nobody else.
    reading = False

    @contextmanager
    async def cursor(self) -> Cursor:  # type: ignore[override]  # the same calls, fewer trips
        return Cursor(self)

    async def rollback(self) -> None:
        if self.reading:
            self.reading = False
            self._conn.rollback()
        else:
            await super().rollback()

    async def commit(self) -> None:
        if self.reading:  # a read-only transaction: nothing to write, nothing to wait for
            self.reading = False
            self._conn.commit()
        else:
            await super().commit()


def connector(url: str, **extra: Any) -> Callable[[], Connection]:
    """What opens a connection to the database at `url`: the arguments SQLAlchemy's
    SQLite dialect would give the driver for it (the file's path, check_same_thread,
    uri...), and `extra` (e.g. the busy timeout)."""
    args, options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    database, options = str(args[0]), {**options, **extra}
    open_file: Callable[..., sqlite3.Connection] = sqlite3.connect

    def connect() -> Connection:
        connection = Connection(lambda: open_file(database, **options), 64)
        # A daemon thread, as SQLAlchemy makes aiosqlite's own: a connection never closed
        # must not keep the process alive (aiosqlite < 0.22: the connection is the thread).
        thread = connection if isinstance(connection, Thread) else connection._thread
        thread.daemon = True
        return connection

    return connect
