"""One unit of work per domain command: one session, one transaction. Leaving the
block without `commit()` rolls everything back."""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import (
    BookingsRepository,
    InvitesRepository,
    OccurrencesRepository,
    OutboxRepository,
    PassesRepository,
    PeopleRepository,
    SchedulesRepository,
    SpacesRepository,
    WaitlistRepository,
)


class SqlUnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        await self.session.begin()
        session = self.session
        self.people = PeopleRepository(session)
        self.spaces = SpacesRepository(session)
        self.schedules = SchedulesRepository(session)
        self.occurrences = OccurrencesRepository(session)
        self.bookings = BookingsRepository(session)
        self.waitlist = WaitlistRepository(session)
        self.passes = PassesRepository(session)
        self.outbox = OutboxRepository(session)
        self.invites = InvitesRepository(session)
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.session.rollback()  # a no-op after commit
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
