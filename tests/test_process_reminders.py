"""Issue 13 in the real `trainery run` process: a reminder reaches the member's chat
soon after start (lead times in minutes, a session a few minutes ahead), once; and a
bad TRAINERY_REMINDERS stops start-up with a clear line."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.bookings.book import book_session
from domain.clock import FixedClock, SystemClock
from domain.occurrence import OccurrenceKey
from domain.recurrence import to_wall
from domain.schedule import Schedule
from domain.setup.passes import add_template, grant_pass
from domain.studio import Studio
from storage.unit_of_work import SqlUnitOfWork
from tests.delivery_helpers import link_chats, wait_for
from tests.fake_bot_api import FakeBotApi
from tests.test_process import TOKEN, bot_env, run_bot
from tests.world import BERLIN, World

pytestmark = pytest.mark.e2e


async def test_a_reminder_reaches_the_member_from_the_real_process(
    tmp_path: Path, sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    now = SystemClock().now()
    # A session starting 3 to 4 minutes from now, booked "3 minutes ago" (a clock set
    # back for the set-up), so its 3-minute reminder is due already when the bot starts.
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=3)
    setup = Studio(lambda: SqlUnitOfWork(sessions), FixedClock(now - timedelta(minutes=3)), BERLIN)
    world = await World.build(setup, sessions, members=1)
    wall = to_wall(start, BERLIN)
    async with SqlUnitOfWork(sessions) as uow:
        soon = await uow.schedules.add(
            Schedule(
                0,
                "Spin",
                "FREQ=DAILY;COUNT=1",
                wall.date(),
                time(wall.hour, wall.minute),
                timedelta(minutes=45),
                8,
                world.studio_a,
                world.trainer,
            )
        )
        await uow.commit()
    template = await add_template(setup, world.admin, "Spin card", 5, 30, ["Spin"])
    member = world.members[0]
    await grant_pass(setup, world.admin, member, template.id)
    await book_session(setup, world.admin, OccurrenceKey(soon.id, start), member)
    stderr_path = tmp_path / "stderr.log"

    with FakeBotApi(TOKEN) as fake, stderr_path.open("w") as stderr:
        chat = (await link_chats(sessions, fake, [member]))[member]
        process = await asyncio.to_thread(_start, tmp_path, fake, database_url, stderr)
        try:
            await wait_for(lambda: _reminders(fake, chat) or None, timeout=20, what="the reminder")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        except (AssertionError, TimeoutError) as error:
            raise AssertionError(f"{error}\nbot stderr:\n{stderr_path.read_text()}") from error
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        [reminder] = _reminders(fake, chat)
    local = start.astimezone(BERLIN)
    assert reminder["text"].startswith(f"Reminder: Spin\n{local:%a} {local.day} {local:%b %Y, %H:%M} · Studio A")
    assert [b["text"] for row in reminder["reply_markup"]["inline_keyboard"] for b in row] == ["📋 Open in /my"]


def test_bad_lead_times_stop_start_up_with_a_clear_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_REMINDERS="24h, 2 days")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "trainery: invalid settings (environment or .env):",
        "  TRAINERY_REMINDERS: '24h, 2 days' is not a list of lead times: write hours or minutes like 24h,2h or 90m",
    ]


def _reminders(fake: FakeBotApi, chat: int) -> list[dict]:  # type: ignore[type-arg]
    return [m for m in fake.sent_messages() if m["chat"]["id"] == chat and m["text"].startswith("Reminder")]


def _start(cwd: Path, fake: FakeBotApi, database_url: str, stderr) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=cwd,
        env=bot_env(
            TRAINERY_BOT_TOKEN=TOKEN,
            TRAINERY_BOT_API_URL=fake.base_url,
            TRAINERY_DATABASE_URL=database_url,
            TRAINERY_TIMEZONE="Europe/Berlin",
            TRAINERY_REMINDERS="3m",
        ),
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=30, what="polling")
    assert process.poll() is None, "the bot exited"
    return process
