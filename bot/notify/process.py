"""`trainery dispatch` (README "Running in production"): the notification dispatcher
alone — no polling, no webhook — on the bot's database, with the scan for due timed
notices (`periodic_jobs`). With PostgreSQL several such
processes and the bot share the outbox: claims never overlap, none sends to a chat
another one holds, and every start is reserved in the shared send budget, so all of
them together keep Telegram's 30 messages a second (storage/send_budget.py).

A stop (SIGTERM, Ctrl-C) finishes the sends in flight, records them and gives the
other claimed rows back for the next dispatcher.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot import i18n
from bot.composition import Services, compose
from bot.notify import timed
from bot.notify.dispatcher import Dispatcher
from bot.settings import Settings
from domain.reminders.due import SCAN_INTERVAL

log = logging.getLogger(__name__)

# Work a dispatch process does besides sending: (every so many seconds, job).
PeriodicJob = tuple[float, Callable[[], Awaitable[object]]]


def periodic_jobs(services: Services, settings: Settings) -> list[PeriodicJob]:
    """The jobs `trainery dispatch` runs next to the dispatcher: the scan for due timed
    notices (reminders, trainer's days, pass warnings; bot/notify/timed.py runs the same
    in the bot). It queues them in the outbox, which this process then sends like any
    notification; the bot and every dispatch process may scan, each notice is queued
    at most once (domain/reminders/due.py), so the notices keep coming while the bot
    is down."""

    async def scan() -> None:
        timed.log_report(await services.send_due_notices())

    return [(SCAN_INTERVAL.total_seconds(), scan)]


async def serve(bot: Bot, settings: Settings, sessions: async_sessionmaker[AsyncSession], stop: asyncio.Event) -> None:
    """Send notifications (and run the periodic jobs) until `stop` is set."""
    services = compose(settings, sessions)
    i18n.set_default(settings.language)  # for members who chose no language and never wrote
    dispatcher = Dispatcher(
        bot, services.queue(None), settings.zone, on_enqueued=services.on_enqueued, budget=services.budget
    )
    await dispatcher.start()
    jobs = [asyncio.create_task(_every(seconds, job, stop)) for seconds, job in periodic_jobs(services, settings)]
    try:
        await stop.wait()
    finally:
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        await dispatcher.stop()
        stats = dispatcher.stats
        log.info(
            "Notification dispatcher stopped: %d sent, %d failed, %d retried", stats.sent, stats.failed, stats.retried
        )


async def _every(seconds: float, job: Callable[[], Awaitable[object]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception:
            log.exception("Periodic job %s failed; it runs again in %.0f s", getattr(job, "__name__", job), seconds)
        try:
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            pass
