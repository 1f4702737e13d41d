"""The memo of reads (domain.ports.Memo) for one database, and how it learns of changes
(issue 15, point 4).

Listings repeat the same work on every update — the 300 schedules, the week's
occurrences, the names of spaces and trainers — though these change seldom. A
`StudioMemo` keeps what reads computed, and drops all of it whenever a transaction
that wrote to one of the studio's tables commits. The engine tells it: every engine
made by `storage.database.create_engine` watches the statements it runs, marks a
connection that writes a watched table, and counts a change when that connection
commits (and the unit of work counts it again once the commit returned, so a read
that ran between the two cannot keep what it saw before the commit landed).

One process: the memo lives in the process, keyed by database URL, so it sees the
changes made through this process's engines. The bot is the only process that
writes these tables (`trainery dispatch`, the webhook and the backup write only the
outbox, secrets or nothing), so its memo is never stale. A second process writing
them would need a shared change counter; none does.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any
from weakref import WeakSet

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# The tables the memoized reads read; writes to any other table (the outbox, stored
# secrets, conversation state) leave the memo alone.
WATCHED = frozenset({"schedules", "occurrences", "bookings", "spaces", "people", "roles", "pass_template_schedules"})
LIMIT = 20_000  # entries per database (people by id are many and small; listings few)
_DML = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
_SCHEMA = re.compile(r"^\s*(?:CREATE|ALTER|DROP|TRUNCATE)\b", re.IGNORECASE)


_FAILED = object()  # what waiters of a build that raised are given: they build their own


class StudioMemo:
    def __init__(self) -> None:
        self.generation = 0
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._building: dict[tuple[Hashable, int], asyncio.Future[object]] = {}

    def changed(self) -> None:
        self.generation += 1
        self._entries.clear()

    def get(self, key: Hashable) -> object | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: object, generation: int) -> None:
        """Keep `value` if nothing changed since `generation`, when its read began."""
        if generation != self.generation:
            return
        self._entries[key] = value
        if len(self._entries) > LIMIT:
            self._entries.popitem(last=False)

    async def build_once(self, key: Hashable, generation: int, build: Callable[[], Awaitable[object]]) -> object:
        """`build`'s value, kept; while one read builds it for `generation`, the others
        of that generation wait for it (a read that began after a change builds anew)."""
        flight = self._building.get((key, generation))
        if flight is not None:
            value = await asyncio.shield(flight)  # a waiter cancelled leaves the build alone
            return await build() if value is _FAILED else value
        flight = self._building[key, generation] = asyncio.get_running_loop().create_future()
        try:
            value = await build()
        except BaseException:
            flight.set_result(_FAILED)
            raise
        finally:
            del self._building[key, generation]
        flight.set_result(value)
        self.put(key, value, generation)
        return value

    def __len__(self) -> int:
        return len(self._entries)


class ReadMemo:
    """The memo as one read sees it: it keeps only if nothing changed since it began."""

    def __init__(self, memo: StudioMemo) -> None:
        self._memo = memo
        self._generation = memo.generation

    def get(self, key: Hashable) -> object | None:
        return self._memo.get(key)

    def put(self, key: Hashable, value: object) -> None:
        self._memo.put(key, value, self._generation)

    async def kept(self, key: Hashable, build: Callable[[], Awaitable[object]]) -> object:
        value = self._memo.get(key)
        if value is not None:
            return value
        return await self._memo.build_once(key, self._generation, build)


_memos: dict[str, StudioMemo] = {}


def memo_for(url: object) -> StudioMemo:
    key = str(url)
    memo = _memos.get(key)
    if memo is None:
        memo = _memos[key] = StudioMemo()
    return memo


# Connections inside a transaction that wrote a watched table. Kept here, not in
# `connection.info`: reading that on a connection being closed would reconnect it.
_writing: WeakSet[Connection] = WeakSet()


def wrote(connection: Connection) -> bool:
    """Whether the connection's transaction wrote a watched table (so far)."""
    return connection in _writing


def watch(engine: Engine) -> None:
    """Count the engine's committed writes to the watched tables as changes."""
    memo = memo_for(engine.url)

    def before_execute(connection: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if writes_watched(statement):
            _writing.add(connection)

    def committed(connection: Connection) -> None:
        if connection in _writing:
            _writing.discard(connection)
            memo.changed()

    def rolled_back(connection: Connection) -> None:
        _writing.discard(connection)

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)


def writes_watched(statement: str) -> bool:
    found = _DML.match(statement)
    if found is not None:
        return found.group(1).lower() in WATCHED
    return _SCHEMA.match(statement) is not None  # a migration or an emptied table: anything may have changed
