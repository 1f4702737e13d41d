"""Issue 16, running in production: webhook mode of the real process (secret token,
403 without it, back to polling deletes the webhook), /healthz and /metrics."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import SystemClock
from domain.listing import DateRange
from domain.sessions.cancel import cancel_session
from domain.sessions.listing import list_sessions
from domain.studio import Studio
from storage.database import create_engine, create_sessionmaker
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import POSTGRES_URL
from tests.delivery_helpers import link_chats, statuses, wait_for
from tests.fake_bot_api import FakeBotApi
from tests.test_process import OWNER, TOKEN, bot_env
from tests.world import BERLIN, World

pytestmark = pytest.mark.e2e
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    """PTB registers the webhook a moment before its server accepts connections."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@contextmanager
def bot_process(cwd: Path, fake: FakeBotApi, stderr: IO[str], **settings: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=cwd,
        env=bot_env(TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url, **settings),
        stdout=subprocess.DEVNULL, stderr=stderr,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


def test_webhook_mode_registers_the_secret_refuses_strangers_and_polling_deletes_it(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    log = tmp_path / "stderr.log"
    with FakeBotApi(TOKEN) as fake, log.open("w") as stderr:
        try:
            with bot_process(tmp_path, fake, stderr, TRAINERY_WEBHOOK_URL=url, TRAINERY_WEBHOOK_PORT=str(port),
                             TRAINERY_OWNER_IDS=str(OWNER)) as process:
                registered, secret = fake.wait_until(
                    lambda: fake.webhook()[0] and fake.webhook(), timeout=30, what="setWebhook"
                )
                assert registered == url
                assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)  # generated: no setting given
                assert fake.calls("getUpdates") == []
                fake.wait_until(lambda: listening(port), timeout=10, what="the webhook server")

                def post(headers: dict[str, str]) -> int:
                    update = fake.user_message(OWNER, "/start", first_name="Olga")
                    body = json.dumps(update).encode()
                    return http(url, body, {"Content-Type": "application/json"} | headers)[0]

                assert post({}) == 403
                assert post({SECRET_HEADER: secret + "x"}) == 403
                time.sleep(0.5)
                assert fake.sent_messages() == []  # refused updates change nothing
                assert post({SECRET_HEADER: secret}) == 200
                reply = fake.wait_for_message(OWNER, lambda m: m["text"].startswith("Hello"), timeout=10)
                assert "owner" in reply["text"]
                stop(process)
            with sqlite3.connect(tmp_path / "trainery.sqlite3") as database:
                assert database.execute("SELECT value FROM stored_secrets").fetchall() == [(secret,)]
                people = database.execute("SELECT count(*) FROM people").fetchone()
                assert people == (1,)  # only the update with the right secret was handled

            # The same database again: the stored secret is reused.
            with bot_process(tmp_path, fake, stderr, TRAINERY_WEBHOOK_URL=url,
                             TRAINERY_WEBHOOK_PORT=str(port)) as process:
                fake.wait_until(lambda: len(fake.calls("setWebhook")) == 2, timeout=30, what="setWebhook again")
                fake.wait_until(lambda: listening(port), timeout=10, what="the webhook server")
                assert fake.webhook() == (url, secret)
                stop(process)

            # Without TRAINERY_WEBHOOK_URL: polling, and the webhook is deleted first.
            with bot_process(tmp_path, fake, stderr) as process:
                fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=30, what="polling")
                assert process.poll() is None
                assert fake.webhook() == ("", "")
                assert len(fake.calls("deleteWebhook")) >= 1
                stop(process)
        except (AssertionError, TimeoutError) as error:
            raise AssertionError(f"{error}\nbot stderr:\n{log.read_text()}") from error
    assert secret not in log.read_text()  # the secret never reaches the logs


def test_a_given_webhook_secret_is_used_and_a_bad_one_is_named(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    with FakeBotApi(TOKEN) as fake, (tmp_path / "stderr.log").open("w") as stderr:
        with bot_process(tmp_path, fake, stderr, TRAINERY_WEBHOOK_URL=url, TRAINERY_WEBHOOK_PORT=str(port),
                         TRAINERY_WEBHOOK_SECRET="my-own_Secret1") as process:
            fake.wait_until(lambda: fake.webhook()[0], timeout=30, what="setWebhook")
            assert fake.webhook() == (url, "my-own_Secret1")
            fake.wait_until(lambda: listening(port), timeout=10, what="the webhook server")
            stop(process)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=30,
        env=bot_env(TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_WEBHOOK_URL=url, TRAINERY_WEBHOOK_SECRET="no spaces!"),
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "TRAINERY_WEBHOOK_SECRET" in result.stderr and "A-Z" in result.stderr


def metrics(port: int) -> dict[str, float]:
    status, body = http(f"http://127.0.0.1:{port}/metrics")
    assert status == 200, body
    figures: dict[str, float] = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            figures[name] = float(value)
    return figures


async def test_metrics_match_the_outbox_after_a_fan_out_with_a_blocked_member(
    tmp_path: Path, database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    studio = Studio(lambda: SqlUnitOfWork(sessions), SystemClock(), BERLIN)
    world = await World.build(studio, sessions, members=4)
    today = studio.clock.now().astimezone(BERLIN).date()
    upcoming = await list_sessions(studio, world.admin, DateRange(today + timedelta(days=1), today + timedelta(days=8)))
    key = next(o.key for o in upcoming if o.title == "Yoga")
    await world.book_all(key)
    port = free_port()
    log = tmp_path / "stderr.log"
    with FakeBotApi(TOKEN) as fake, log.open("w") as stderr:
        chats = await link_chats(sessions, fake, world.members)
        fake.block_chat(chats[world.members[0]])
        with bot_process(tmp_path, fake, stderr, TRAINERY_DATABASE_URL=database_url,
                         TRAINERY_TIMEZONE="Europe/Berlin", TRAINERY_HEALTH_PORT=str(port)) as process:
            try:
                await asyncio.to_thread(fake.wait_until, lambda: fake.waiting_polls(), 30, "polling")
                status, body = await asyncio.to_thread(http, f"http://127.0.0.1:{port}/healthz")
                assert (status, body) == (200, "ok\n")
                before = await asyncio.to_thread(metrics, port)
                assert before["trainery_notifications{state=\"queued\"}"] == 0

                await cancel_session(studio, world.trainer, key, "The hall is flooded")  # Tom's own: only members told
                counts = await wait_for(_settled(sessions, len(world.members)), timeout=20, what="settled outbox")
                assert counts == {"sent": len(world.members) - 1, "failed": 1}
                fake.push_message(OWNER, "/help")
                fake.push_message(OWNER, "/help")
                await asyncio.to_thread(fake.wait_until, lambda: fake.pending_updates() == 0, 10, "updates taken")
                after = await wait_for(
                    lambda: _metrics_when(port, lambda m: m["trainery_updates_total"] >= before["trainery_updates_total"] + 2),
                    timeout=10, what="updates counted",
                )
                stop(process)
            except (AssertionError, TimeoutError) as error:
                raise AssertionError(f"{error}\nbot stderr:\n{log.read_text()}") from error
    assert after['trainery_notifications{state="sent"}'] == counts["sent"]
    assert after['trainery_notifications{state="failed"}'] == counts["failed"]
    assert after['trainery_notifications{state="queued"}'] == 0
    assert after['trainery_notifications{state="retrying"}'] == 0
    assert after["trainery_oldest_pending_notification_age_seconds"] == 0
    assert after["trainery_handler_errors_total"] == 0


async def _metrics_when(port: int, check):  # type: ignore[no-untyped-def]
    figures = await asyncio.to_thread(metrics, port)
    return figures if check(figures) else None


def _settled(sessions: async_sessionmaker[AsyncSession], expected: int):  # type: ignore[no-untyped-def]
    async def check():  # type: ignore[no-untyped-def]
        counts = await statuses(sessions)
        return counts if sum(counts.values()) == expected and not counts["pending"] else None

    return check


async def test_healthz_answers_503_when_the_database_is_gone(tmp_path: Path) -> None:
    """A PostgreSQL database of the test's own, dropped under the running bot."""
    server = make_url(POSTGRES_URL)
    name = f"trainery_health_{id(tmp_path)}"
    admin = create_engine(server.render_as_string(hide_password=False))

    async def execute(statement: str) -> None:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))

    await execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    port = free_port()
    log = tmp_path / "stderr.log"
    try:
        with FakeBotApi(TOKEN) as fake, log.open("w") as stderr:
            with bot_process(tmp_path, fake, stderr, TRAINERY_DATABASE_URL=url, TRAINERY_HEALTH_PORT=str(port)):
                try:
                    await asyncio.to_thread(fake.wait_until, lambda: fake.waiting_polls(), 30, "polling")
                    assert (await asyncio.to_thread(http, f"http://127.0.0.1:{port}/healthz"))[0] == 200
                    await execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                    status, body = await asyncio.to_thread(http, f"http://127.0.0.1:{port}/healthz")
                    assert (status, body) == (503, "database not answering\n")
                except (AssertionError, TimeoutError) as error:
                    raise AssertionError(f"{error}\nbot stderr:\n{log.read_text()}") from error
    finally:
        await execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.dispose()


async def test_healthz_answers_503_when_the_dispatcher_has_stopped(tmp_path: Path) -> None:
    from bot import health
    from bot.app import build_application
    from bot.settings import Settings
    from storage.database import migrate

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await migrate(engine)
    settings = Settings(_env_file=None, bot_token=TOKEN)  # type: ignore[call-arg]
    application = build_application(settings, create_sessionmaker(engine))

    class Stopped:
        running = False

    assert await health.healthy(application) == (False, "notification dispatcher not running")
    application.bot_data.dispatcher = Stopped()  # type: ignore[assignment]
    assert await health.healthy(application) == (False, "notification dispatcher not running")

    class Running:
        running = True

    application.bot_data.dispatcher = Running()  # type: ignore[assignment]
    assert await health.healthy(application) == (True, "ok")
    await engine.dispose()
