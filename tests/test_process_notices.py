"""Issue 13 end to end: in the real bot process, a trainer hands a session to a
substitute; the substitute's phone gets "You lead …", and the trainer's outcome
screen ends with the delivery receipt."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from domain.clock import SystemClock
from domain.listing import DateRange
from domain.sessions.listing import list_sessions
from domain.studio import Studio
from storage.database import open_database
from storage.models import PersonRow
from storage.unit_of_work import SqlUnitOfWork
from tests.fake_bot_api import FakeBotApi
from tests.test_process import TOKEN, bot_env
from tests.test_process_override import tap, text_of
from tests.world import BERLIN, World

pytestmark = pytest.mark.e2e
SUE = 1003  # the substitute's Telegram chat


async def seed(path: Path) -> str:
    """Yoga next week with two members booked (no linked chats); Sue has a chat.
    Returns the session's start as Sue's notice shows it."""
    engine, sessions = await open_database(f"sqlite+aiosqlite:///{path}")
    studio = Studio(lambda: SqlUnitOfWork(sessions), SystemClock(), BERLIN)
    world = await World.build(studio, sessions, members=2)
    today = SystemClock().now().astimezone(BERLIN).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    first = (await list_sessions(studio, world.admin, DateRange(monday, monday + timedelta(days=6))))[0]
    await world.book_all(first.key)
    async with sessions() as session:
        await session.execute(update(PersonRow).where(PersonRow.id == world.substitute).values(chat_id=SUE))
        await session.commit()
    await engine.dispose()
    start = first.start.astimezone(BERLIN)
    return f"{start:%a} {start.day} {start:%b %Y, %H:%M}"


def test_a_substitute_is_told_through_the_real_process(tmp_path: Path) -> None:
    when = asyncio.run(seed(tmp_path / "trainery.sqlite3"))
    stderr_path = tmp_path / "stderr.log"
    with FakeBotApi(TOKEN) as fake, stderr_path.open("w") as stderr:
        fake.add_chat(SUE)
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path,
            env=bot_env(
                TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url, TRAINERY_TIMEZONE="Europe/Berlin"
            ),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            try:
                fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=30)
                fake.push_message(1002, "/sessions nextweek", first_name="Tom")
                tap(fake, "1 Yoga")
                tap(fake, "🔁 Substitute")
                review = tap(fake, "Sue Substitute")
                text = text_of(fake, review["message_id"], "Who is told")
                assert "• Sue Substitute will be told that they now lead it" in text
                tap(fake, "Save")
                notice = fake.wait_for_message(SUE, timeout=10)
                receipt = "📬 1 of 3 delivered, 2 have no linked chat (Member 0, Member 1)"
                outcome = text_of(fake, review["message_id"], receipt)
            except (AssertionError, TimeoutError) as error:
                raise AssertionError(f"{error}\nbot stderr:\n{stderr_path.read_text()}") from error
            assert (
                notice["text"] == f"You lead Yoga, {when}, Studio A — instead of Tom Trainer\n\nChanged by Tom Trainer."
            )
            assert outcome.startswith("✅ Saved — Yoga") and outcome.endswith(receipt)
            assert "Sue Substitute is told that they now lead it" in outcome
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert TOKEN not in stderr_path.read_text()
