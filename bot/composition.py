"""The composition root: the one place (besides the CLI, which opens the database)
that wires storage into the bot. Everything else in `bot/` reaches storage through
what is built here: the `Studio` the use cases take, and the outbox queues the
notification dispatcher and `/undelivered` read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from bot.state_store import StateStore
from domain.clock import Clock, SystemClock
from domain.delivery import DeliveryQueue, Receipt, SendBudget
from domain.reminders.due import DueReport, send_due
from domain.reminders.policy import NoticePolicy
from domain.studio import Studio
from storage.bot_state import SqlStateStore
from storage.database import ping
from storage.outbox import OutboxStore, change_receipt, enqueued_on, outbox_figures
from storage.secrets import WEBHOOK_SECRET, stored_secret
from storage.send_budget import send_budget
from storage.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True)
class Services:
    studio: Studio
    queue: Callable[[str | None], DeliveryQueue]  # the outbox as one dispatcher (named, or new) sees it
    on_enqueued: Callable[[Callable[[], None]], Callable[[], None]]  # wakes a dispatcher on commit
    budget: SendBudget | None  # Telegram's 30/s shared by all dispatchers (PostgreSQL); None on SQLite
    ping: Callable[[], Awaitable[None]]  # raises unless the database answers (/healthz)
    outbox_figures: Callable[[datetime], Awaitable[dict[str, float]]]  # queue sizes for /metrics
    webhook_secret: Callable[[], Awaitable[str]]  # generated on first use, then read from the database
    receipt: Callable[[str], Awaitable[Receipt]]  # how far one change's notifications got (outcome screens)
    conversations: StateStore  # conversations in progress, kept across restarts (bot/persistence.py)
    notice_policy: NoticePolicy = NoticePolicy()  # the studio's reminders, trainer's day, pass warnings

    async def send_due_notices(self) -> DueReport:
        """Queue the timed notices due now — reminders, trainer's days, pass warnings —
        and record the ones no longer worth sending (domain/reminders/due.py). The bot
        process runs it every 30 s (bot/notify/timed.py); any other process that sends
        notifications may run it too: each notice is queued at most once either way."""
        return await send_due(self.studio, self.notice_policy)

    def with_studio(self, studio: Studio) -> Services:
        """Tests swap in a studio with a fixed clock."""
        return replace(self, studio=studio)


def compose(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock | None = None) -> Services:
    return Services(
        studio=Studio(
            lambda: SqlUnitOfWork(sessionmaker),
            clock or SystemClock(),
            settings.zone,
            pass_extension_days=settings.pass_extension_days,
        ),
        queue=lambda owner: OutboxStore(sessionmaker, owner),
        on_enqueued=enqueued_on(sessionmaker),
        budget=send_budget(sessionmaker),
        ping=partial(ping, sessionmaker),
        outbox_figures=partial(outbox_figures, sessionmaker),
        webhook_secret=partial(stored_secret, sessionmaker, WEBHOOK_SECRET),
        receipt=partial(change_receipt, sessionmaker),
        conversations=SqlStateStore(sessionmaker),
        notice_policy=settings.notice_policy,
    )
