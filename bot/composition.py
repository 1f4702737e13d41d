"""The composition root: the one place (besides the CLI, which opens the database)
that wires storage into the bot. Everything else in `bot/` reaches the domain through
the `Studio` built here."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock, SystemClock
from domain.studio import Studio
from bot.settings import Settings
from storage.unit_of_work import SqlUnitOfWork


def compose_studio(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock | None = None) -> Studio:
    return Studio(lambda: SqlUnitOfWork(sessionmaker), clock or SystemClock(), settings.zone)
