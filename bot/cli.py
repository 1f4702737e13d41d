"""`trainery run` (SPEC §6.3): check the settings, open and migrate the database,
then poll Telegram — or, when TRAINERY_WEBHOOK_URL is set, receive updates on a
webhook — until SIGTERM or Ctrl-C. `trainery dispatch`: only the notification
dispatcher, on PostgreSQL next to the bot (bot/notify/process.py).
`trainery backup <file>`: a consistent copy of the SQLite database, taken while the
bot runs (storage/backup.py).

Every start-up failure ends with one clear line on stderr and a non-zero exit,
never a traceback; the bot token never reaches the logs.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import signal
import sys
import threading
from collections.abc import Awaitable
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from bot import event_loop
from bot.app import api_urls, build_application
from bot.bot_api_http import BotApiRequest
from bot.context import TraineryApplication
from bot.notify import process
from bot.settings import Settings
from storage.backup import backup
from storage.database import BadDatabaseUrl, DatabaseError, check_url, open_database

log = logging.getLogger("trainery")

NO_TOKEN = """\
Trainery needs a bot token, and TRAINERY_BOT_TOKEN is empty.
To get one: open Telegram, talk to @BotFather (https://t.me/BotFather), send /newbot
and follow its questions. It answers with a token like 123456789:AAE...
Put it in the environment (export TRAINERY_BOT_TOKEN=...) or in a .env file in this
folder (TRAINERY_BOT_TOKEN=...; see .env.example), then run `trainery run` again."""
DISPATCH_NEEDS_POSTGRES = """\
trainery dispatch needs PostgreSQL (TRAINERY_DATABASE_URL=postgresql+asyncpg://...).
With SQLite the bot process sends the notifications itself (`trainery run`), and a
second sender could not share Telegram's 30 messages a second with it."""


class StartupError(Exception):
    """The bot cannot start; the message says why and what to do."""


class RedactToken(logging.Filter):
    """Replaces the token in every record: httpx and PTB log request URLs, which contain it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let the handler report it as usual
            return True
        if self.token in message:
            record.msg, record.args = redact(message, self.token), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.token)
        return True


def redact(text: str, token: str) -> str:
    return text.replace(token, "<bot token>") if token else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trainery", description="Telegram bot for fitness studios.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    commands.add_parser("run", help="start the bot: migrate the database, then poll Telegram")
    commands.add_parser("dispatch", help="send notifications only, next to the bot (PostgreSQL)")
    backing_up = commands.add_parser("backup", help="copy the SQLite database to FILE, also while the bot runs")
    backing_up.add_argument("file", help="where to write the copy; an existing file is kept unless --force")
    backing_up.add_argument("--force", action="store_true", help="replace FILE if it exists")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "backup":
            print(back_up(Path(arguments.file), force=arguments.force))
        elif arguments.command == "dispatch":
            dispatch()
        else:
            run()
    except StartupError as error:
        print(f"trainery: {error}", file=sys.stderr)
        return 1
    return 0


def back_up(target: Path, *, force: bool) -> str:
    """The one line that says where the copy is and how big; needs no bot token."""
    try:
        settings = Settings()
    except ValidationError as error:
        raise StartupError(_explain(error)) from None
    try:
        size = backup(settings.database_url, target, force=force)
    except BadDatabaseUrl as error:
        raise StartupError(f"TRAINERY_DATABASE_URL: {error}") from None
    except DatabaseError as error:  # BackupError: one line that says why
        raise StartupError(str(error)) from None
    return f"Backed up the database to {target.expanduser().absolute()} ({size:,} bytes)"


def run() -> None:
    settings = load_settings()
    configure_logging(settings.bot_token)
    loop = event_loop.new_event_loop()
    asyncio.set_event_loop(loop)
    # SIGTERM and Ctrl-C only set this event; the start-up looks at it between its steps
    # and the running bot waits on it. PTB's run_polling/run_webhook instead raise
    # SystemExit from the signal handler, which, arriving mid-request (during
    # setWebhook, say), left a half-closed HTTP client and exit 1 with a traceback.
    stop = asyncio.Event()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, stop.set)
    try:
        loop.run_until_complete(_run(settings, stop))
    finally:
        _let_driver_threads_finish()
        loop.close()


async def _run(settings: Settings, stop: asyncio.Event) -> None:
    engine, sessionmaker = await _open_database(settings)
    try:
        application = build_application(settings, sessionmaker)
        try:
            if not stop.is_set():
                await _connect(application, settings)
                await _serve(application, settings, stop)
        finally:
            await application.shutdown()  # stores the conversations once more; a no-op before initialize
    finally:
        await engine.dispose()
    if stop.is_set():
        log.info("Stopped")


async def _serve(application: TraineryApplication, settings: Settings, stop: asyncio.Event) -> None:
    """The steps of PTB's run_polling/run_webhook, each undone in reverse on the way out."""
    if stop.is_set():
        return
    try:
        await _listening(application.post_init(application), "TRAINERY_HEALTH_PORT", settings.health_port)  # type: ignore[misc]
        if stop.is_set():
            return
        try:
            await _receive(application, settings)
            if not stop.is_set():
                await application.start()
                await stop.wait()
        finally:
            # PTB's order: stop fetching first (confirming the offset when polling), then
            # stop the Application, which handles what was fetched and stores conversations.
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
    finally:
        await application.post_stop(application)  # type: ignore[misc]


async def _receive(application: TraineryApplication, settings: Settings) -> None:
    """Start taking updates: long polling, or the webhook when TRAINERY_WEBHOOK_URL is set."""
    updater = application.updater
    assert updater is not None
    if not settings.webhook_url:
        # Starting to poll deletes any webhook a previous run registered (PTB's
        # bootstrap calls deleteWebhook), keeping the updates Telegram holds.
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("Connected as @%s; polling (stop with Ctrl-C or SIGTERM)", application.bot.username)
        return
    secret = settings.webhook_secret or await application.bot_data.services.webhook_secret()
    # Telegram posts to TRAINERY_WEBHOOK_URL (usually a reverse proxy in front of
    # LISTEN:PORT); the local path is the URL's path. A request without the secret token
    # in X-Telegram-Bot-Api-Secret-Token gets 403 from PTB's webhook server.
    started = updater.start_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlsplit(settings.webhook_url).path.strip("/"),
        webhook_url=settings.webhook_url,
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
    )
    await _listening(started, "TRAINERY_WEBHOOK_PORT", settings.webhook_port)
    log.info(
        "Connected as @%s; webhook at %s, listening on %s:%d (stop with Ctrl-C or SIGTERM)",
        application.bot.username,
        settings.webhook_url,
        settings.webhook_listen,
        settings.webhook_port,
    )


async def _listening(step: Awaitable[object], setting: str, port: int | None) -> None:
    """A port another program holds is one line, not a traceback."""
    try:
        await step
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise StartupError(
            f"port {port} is already in use by another program; stop it, or set {setting} to a free port"
        ) from None


def dispatch() -> None:
    """The notification dispatcher alone until SIGTERM or Ctrl-C (bot/notify/process.py)."""
    settings = load_settings()
    try:
        backend = check_url(settings.database_url).get_backend_name()
    except BadDatabaseUrl as error:
        raise StartupError(f"TRAINERY_DATABASE_URL: {redact(str(error), settings.bot_token)}") from None
    if backend != "postgresql":
        raise StartupError(DISPATCH_NEEDS_POSTGRES)
    configure_logging(settings.bot_token)
    event_loop.run(_dispatch(settings))


async def _dispatch(settings: Settings) -> None:
    stop = asyncio.Event()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(stop_signal, stop.set)
    engine, sessionmaker = await _open_database(settings)
    base_url, base_file_url = api_urls(settings.bot_api_url)
    bot = Bot(
        settings.bot_token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=BotApiRequest(),
        get_updates_request=BotApiRequest(pool_size=1),
    )
    try:
        if not stop.is_set():
            await _connect(bot, settings)
            log.info("Connected as @%s; sending notifications only (stop with Ctrl-C or SIGTERM)", bot.username)
            await process.serve(bot, settings, sessionmaker, stop)
    finally:
        await bot.shutdown()
        await engine.dispose()


def _let_driver_threads_finish(timeout: float = 2.0) -> None:
    """aiosqlite stops a connection that failed to open without waiting for it; its
    thread then reports back to the loop. Closing the loop first printed a traceback
    after the one clear line (seen in about 1 of 20 starts on a bad SQLite path)."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and "_connection_worker_thread" in thread.name:
            thread.join(timeout)


def load_settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        raise StartupError(_explain(error)) from None
    if not settings.bot_token:
        raise StartupError(NO_TOKEN)
    return settings


def _explain(error: ValidationError) -> str:
    lines = ["invalid settings (environment or .env):"]
    for problem in error.errors():
        name = "TRAINERY_" + "_".join(str(part) for part in problem["loc"][:1]).upper()
        reason = problem["msg"].removeprefix("Value error, ")
        if name == "TRAINERY_OWNER_IDS":
            reason = f"expected Telegram user ids separated by commas, e.g. 12345,67890 ({reason})"
        lines.append(f"  {name}: {reason}")
    return "\n".join(lines)


def configure_logging(token: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def _open_database(settings: Settings) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    try:
        return await open_database(settings.database_url)
    except BadDatabaseUrl as error:
        raise StartupError(f"TRAINERY_DATABASE_URL: {redact(str(error), settings.bot_token)}") from None
    except DatabaseError as error:
        raise StartupError(redact(str(error), settings.bot_token)) from None


async def _connect(telegram: TraineryApplication | Bot, settings: Settings) -> None:
    """getMe before polling or sending, so a wrong token or API URL is one clear line, not a retry loop."""
    try:
        await telegram.initialize()
    except InvalidToken:
        raise StartupError(
            "Telegram refused the bot token in TRAINERY_BOT_TOKEN. Check it with @BotFather "
            "(/mybots → your bot → API Token)."
        ) from None
    except TelegramError as error:
        url = api_urls(settings.bot_api_url)[0]
        raise StartupError(
            f"cannot reach the Telegram Bot API at {url}: {redact(str(error), settings.bot_token)}"
        ) from None


if __name__ == "__main__":
    sys.exit(main())
