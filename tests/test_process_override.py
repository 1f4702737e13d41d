"""Issue 4 end to end: the real bot process, against the fake Bot API on loopback,
takes a trainer through an override that reschedules a session, and the
"Training rescheduled" notifications are queued for its members."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.clock import SystemClock
from domain.listing import DateRange
from domain.studio import Studio
from storage.database import open_database
from storage.unit_of_work import SqlUnitOfWork
from tests.fake_bot_api import FakeBotApi
from tests.phone import button_data
from tests.test_process import TOKEN, bot_env
from tests.world import BERLIN, World
from domain.sessions.listing import list_sessions

pytestmark = pytest.mark.e2e
TRAINER = 1002  # World's trainer


async def seed(path: Path) -> int:
    """A studio whose Yoga session next week holds three bookings; returns their count."""
    engine, sessions = await open_database(f"sqlite+aiosqlite:///{path}")
    studio = Studio(lambda: SqlUnitOfWork(sessions), SystemClock(), BERLIN)
    world = await World.build(studio, sessions, members=3)
    today = SystemClock().now().astimezone(BERLIN).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    week = await list_sessions(studio, world.admin, DateRange(monday, monday + timedelta(days=6)))
    first = week[0]
    assert first.title == "Yoga"
    await world.book_all(first.key)
    await engine.dispose()
    return len(world.members)


def newest_with(fake: FakeBotApi, label: str, timeout: float = 10) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for message in reversed(fake.sent_messages(TRAINER)):
            markup = message.get("reply_markup") or {}
            if any(label in b["text"] for row in markup.get("inline_keyboard", []) for b in row):
                return message
        return None

    return fake.wait_until(found, timeout=timeout, what=f"a message with a {label!r} button")


def tap(fake: FakeBotApi, label: str) -> dict[str, Any]:
    message = newest_with(fake, label)
    fake.push_callback(TRAINER, message["message_id"], button_data(message, label))
    return message


def text_of(fake: FakeBotApi, message_id: int, contains: str) -> str:
    def found() -> str | None:
        message = fake.message(TRAINER, message_id)
        return message["text"] if message and contains in message["text"] else None

    return fake.wait_until(found, timeout=10, what=f"message {message_id} showing {contains!r}")


def test_a_trainer_reschedules_a_session_through_the_real_process(tmp_path: Path) -> None:
    booked = asyncio.run(seed(tmp_path / "trainery.sqlite3"))
    stderr_path = tmp_path / "stderr.log"
    with FakeBotApi(TOKEN) as fake, stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path,
            env=bot_env(TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url, TRAINERY_TIMEZONE="Europe/Berlin"),
            stdout=subprocess.DEVNULL, stderr=stderr,
        )
        try:
            try:
                fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=30)
                fake.push_message(TRAINER, "/sessions nextweek", first_name="Tom")
                listing = tap(fake, "1 Yoga")
                text_of(fake, listing["message_id"], "Booked: 3/10")
                tap(fake, "✎ Change")
                picker = tap(fake, "Date & time")
                today = SystemClock().now().astimezone(BERLIN).date()  # the studio's calendar
                tomorrow = (today + timedelta(days=1)).strftime("%a %d.%m")
                text_of(fake, picker["message_id"], "Pick the new date")
                tap(fake, "◀ Earlier")  # the picker opens at the session's week, next week
                text_of(fake, picker["message_id"], "Pick the new date")
                tap(fake, tomorrow)
                text_of(fake, picker["message_id"], "Type the start time")
                fake.push_message(TRAINER, "07:00")
                review = tap(fake, "Review ▶")
                text = text_of(fake, review["message_id"], "Who is told")
                assert f"{booked} members will be told: “Training rescheduled”" in text
                tap(fake, "Save")
                outcome = text_of(fake, review["message_id"], "Saved")
            except (AssertionError, TimeoutError) as error:
                raise AssertionError(f"{error}\nbot stderr:\n{stderr_path.read_text()}") from error
            assert f"{booked} members are told: “Training rescheduled”" in outcome
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    with sqlite3.connect(tmp_path / "trainery.sqlite3") as database:
        kinds = database.execute("SELECT kind, count(*) FROM notifications GROUP BY kind").fetchall()
        moved = database.execute("SELECT count(*) FROM occurrences WHERE start <> original_start").fetchone()
    assert kinds == [("training_rescheduled", booked)]
    assert moved == (1,)
    assert TOKEN not in stderr_path.read_text()
