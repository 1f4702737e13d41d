"""The Application, assembled in one builder chain (after python-telegram-bot/rules-bot)."""

from __future__ import annotations

import logging
from functools import partial
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults, TypeHandler

from bot import health, i18n, language, menus, notify, persistence, routes, update_log
from bot.bot_api_http import BotApiRequest
from bot.composition import compose
from bot.context import CONTEXT_TYPES, TraineryApplication, TraineryContext
from bot.notify import timed
from bot.notify.limiter import RepliesFirst
from bot.persistence import DatabasePersistence
from bot.sessions import change, receipts
from bot.settings import Settings
from bot.update_order import ChatOrderedProcessor

log = logging.getLogger(__name__)

TELEGRAM_API_URL = "https://api.telegram.org/bot"


def api_urls(bot_api_url: str) -> tuple[str, str]:
    """`base_url` and `base_file_url` for PTB, which appends the token to both.

    A self-hosted Bot API server answers `<root>/bot<token>/<method>` and serves
    files at `<root>/file/bot<token>/<path>`; the setting may omit the `/bot`.
    """
    url = (bot_api_url or TELEGRAM_API_URL).rstrip("/")
    if not url.endswith("/bot"):
        url += "/bot"
    root = url.removesuffix("/bot")
    return url, f"{root}/file/bot"


class Trainery(TraineryApplication):
    """The Application, which also resumes the conversations it restored from the
    database as soon as it starts (their time-outs run on its JobQueue), knows
    everyone's language before the first update, and stores the Telegram languages
    still gathered when it shuts down (bot/language.py)."""

    async def start(self) -> None:
        await language.preload(self)  # before the first update: no query per person then
        await super().start()
        change.resume(self)

    async def shutdown(self) -> None:
        await self.bot_data.languages.close(self.bot_data.studio)
        await super().shutdown()


def build_application(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> TraineryApplication:
    base_url, base_file_url = api_urls(settings.bot_api_url)
    services = compose(settings, sessionmaker)
    kept = DatabasePersistence(services.conversations)
    # The bot-wide guard at Telegram's 30/s; max_retries=0 so a 429 is never slept
    # away inside a request but reaches the notification dispatcher, which paces
    # itself and honours retry_after (bot/notify/dispatcher.py). It also tells the
    # dispatcher when the bot replies to people, who go first (bot/notify/pacing.py),
    # and lets the reply to the chat being handled skip the guard (bot/reply_pacing.py).
    limiter = RepliesFirst(overall_max_rate=30, overall_time_period=1, max_retries=0)
    builder = ApplicationBuilder()
    if settings.concurrent_updates > 1:  # else PTB's default: one update at a time
        builder = builder.concurrent_updates(ChatOrderedProcessor(settings.concurrent_updates))
    application = cast(
        TraineryApplication,
        builder.application_class(Trainery)
        .token(settings.bot_token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .request(BotApiRequest())  # aiohttp instead of PTB's httpx (bot/bot_api_http.py)
        .get_updates_request(BotApiRequest(pool_size=1))
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.zone))
        .rate_limiter(limiter)
        .post_init(post_init)
        .post_stop(post_stop)
        .persistence(kept)
        .build(),
    )
    application.bot_data.attach(settings, services)
    i18n.set_default(settings.language)
    limiter.on_reply = partial(notify.replied, application)
    kept.now = lambda: application.bot_data.studio.now()  # the studio's clock, which tests move
    update_log.register(application)  # one line per update, for the operator
    persistence.register(application)  # each step stored before the next update
    # Counts every update before any route sees it. It only increments a counter, so
    # block=True costs nothing and spawns no task per update.
    application.add_handler(TypeHandler(Update, health.count_update), group=-1)
    application.add_handler(TypeHandler(Update, language.for_update), group=-2)  # before any text
    routes.register(application)
    routes.register_fallbacks(application)  # last: only what nothing else took
    application.add_error_handler(log_error)
    return application


async def post_init(application: TraineryApplication) -> None:
    # Per-role menus (BotCommandScopeChat) come with invites; everyone gets these, in
    # their app's language when it is one of ours (bot/menus.py).
    await menus.set_default_menus(application.bot)
    await notify.start(application)
    await receipts.start(application)
    timed.start(application)  # reminders, trainer's days, pass warnings: a scan every 30 s
    await health.start(application)


async def post_stop(application: TraineryApplication) -> None:
    """After the last update: finish the notification in hand, keep the rest queued."""
    await health.stop(application)
    await receipts.stop(application)
    await notify.stop(application)


async def log_error(update: object, context: TraineryContext) -> None:
    """Log what went wrong and for which update; the person is not told details."""
    update_log.mark_failed(update, context.error)
    context.bot_data.metrics.errors.inc()
    where = _describe(update)
    log.error("Error while handling %s", where, exc_info=context.error)


def _describe(update: object) -> str:
    if isinstance(update, Update):
        user = update.effective_user
        who = f" from user {user.id}" if user else ""
        return f"update {update.update_id}{who}"
    return repr(update)[:200] if update is not None else "a job or the polling loop"
