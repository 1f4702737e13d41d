"""The composition root: the one place (besides the CLI, which opens the database)
that wires storage into the bot. Everything else in `bot/` reaches storage through
what is built here: the `Studio` the use cases take, and the outbox queues the
notification dispatcher and `/undelivered` read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from domain.clock import Clock, SystemClock
from domain.delivery import DeliveryQueue
from domain.studio import Studio
from storage.outbox import OutboxStore, enqueued_on
from storage.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True)
class Services:
    studio: Studio
    queue: Callable[[str | None], DeliveryQueue]  # the outbox as one dispatcher (named, or new) sees it
    on_enqueued: Callable[[Callable[[], None]], Callable[[], None]]  # wakes a dispatcher on commit

    def with_studio(self, studio: Studio) -> Services:
        """Tests swap in a studio with a fixed clock."""
        return replace(self, studio=studio)


def compose(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock | None = None) -> Services:
    return Services(
        studio=Studio(lambda: SqlUnitOfWork(sessionmaker), clock or SystemClock(), settings.zone),
        queue=lambda owner: OutboxStore(sessionmaker, owner),
        on_enqueued=enqueued_on(sessionmaker),
    )
