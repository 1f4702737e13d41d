"""One unit of work per domain command: one session, one transaction. Leaving the
block without `commit()` rolls everything back.

A transaction the database gave up on under contention — PostgreSQL's deadlock
(40P01) or serialization failure (40001), SQLite's "database is locked" after its
busy timeout — leaves as `domain.errors.Contention`, which the domain retries
(`domain/studio.py`); every other error passes through unchanged.
"""

from __future__ import annotations

import weakref
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain import ports
from domain.errors import Contention
from storage import read_cache
from storage.database import READING
from storage.repositories import (
    BookingsRepository,
    InvitesRepository,
    OccurrencesRepository,
    OutboxRepository,
    PassesRepository,
    PeopleRepository,
    PersonSettingsRepository,
    SchedulesRepository,
    SpacesRepository,
    TimedNoticesRepository,
    WaitlistRepository,
)

CONTENTION_STATES = frozenset({"40P01", "40001"})


def is_contention(error: BaseException) -> bool:
    if not isinstance(error, DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return state in CONTENTION_STATES or "database is locked" in str(error.orig)


# The engine of read-only units of work, one per sessionmaker: making it anew (an
# OptionEngine) cost as much as a short query, on every update (issue 15).
_READING_ENGINES: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], tuple[AsyncEngine, AsyncEngine]] = (
    weakref.WeakKeyDictionary()
)


def _reading(sessions: async_sessionmaker[AsyncSession], bind: AsyncEngine) -> AsyncEngine:
    kept = _READING_ENGINES.get(sessions)
    if kept is None or kept[0] is not bind:
        kept = _READING_ENGINES[sessions] = (bind, bind.execution_options(**{READING: True}))
    return kept[1]


class SqlUnitOfWork:
    read_only = False  # Studio.read sets it: no write lock on SQLite, and the memo of reads
    memo: ports.Memo = ports.NoMemo()
    # Typed as the ports, so this class is a domain.ports.UnitOfWork.
    people: ports.People
    spaces: ports.Spaces
    schedules: ports.Schedules
    occurrences: ports.Occurrences
    bookings: ports.Bookings
    waitlist: ports.Waitlist
    passes: ports.Passes
    outbox: ports.Outbox
    invites: ports.Invites
    person_settings: ports.PersonSettings
    timed: ports.TimedNotices

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> Self:
        bind = self._sessions.kw.get("bind")
        self._studio_memo = read_cache.memo_for(bind.url) if bind is not None else None
        if self.read_only and bind is not None and self._studio_memo is not None:
            self.memo = read_cache.ReadMemo(self._studio_memo)  # before any read: see ReadMemo
            self.session = self._sessions(bind=_reading(self._sessions, bind))
        else:
            self.session = self._sessions()
        await self.session.begin()
        session = self.session
        self.people = PeopleRepository(session, self.memo)
        self.spaces = SpacesRepository(session)
        self.schedules = SchedulesRepository(session, self.memo)
        self.occurrences = OccurrencesRepository(session)
        self.bookings = BookingsRepository(session)
        self.waitlist = WaitlistRepository(session)
        self.passes = PassesRepository(session, self.memo)
        self.outbox = OutboxRepository(session)
        self.invites = InvitesRepository(session)
        self.person_settings = PersonSettingsRepository(session)
        self.timed = TimedNoticesRepository(session)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.session.rollback()  # a no-op after commit
        finally:
            await self.session.close()
        if error is not None and is_contention(error):
            raise Contention(str(error)) from error

    async def commit(self) -> None:
        await self.session.flush()
        sync = (await self.session.connection()).sync_connection
        wrote = sync is not None and read_cache.wrote(sync)  # the engine's commit event counts it first
        await self.session.commit()
        if wrote and self._studio_memo is not None:
            self._studio_memo.changed()  # again, now that the commit landed
