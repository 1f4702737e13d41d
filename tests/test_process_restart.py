"""Issue 16.3 end to end: the real bot process is stopped half-way through a trainer's
override — by SIGTERM, and by kill -9 — and started again on the same database; the
trainer's next input continues the same draft, and the database holds exactly the
reviewed change, its member notifications queued once."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from domain.clock import SystemClock
from tests.fake_bot_api import FakeBotApi
from tests.phone import button_data
from tests.test_process import TOKEN, bot_env
from tests.test_process_override import TRAINER, newest_with, seed, tap, text_of
from tests.world import BERLIN

pytestmark = pytest.mark.e2e


def start(tmp_path: Path, fake: FakeBotApi, stderr: IO[str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=bot_env(TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url, TRAINERY_TIMEZONE="Europe/Berlin"),
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=30, what="polling")
    assert process.poll() is None, "the bot exited"
    return process


def handled(fake: FakeBotApi, log: Path, update: dict[str, Any]) -> None:
    """Wait until the bot has finished `update` (its log line is written after the
    conversation's step is stored) and Telegram holds no update unconfirmed."""
    line = f"update {update['update_id']} "
    fake.wait_until(lambda: line in log.read_text() and fake.pending_updates() == 0, timeout=10, what=line)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_a_restart_mid_override_continues_the_same_draft(tmp_path: Path, how: signal.Signals) -> None:
    booked = asyncio.run(seed(tmp_path / "trainery.sqlite3"))
    log = tmp_path / "stderr.log"
    today = SystemClock().now().astimezone(BERLIN).date()  # the studio's calendar
    tomorrow = today + timedelta(days=1)
    with FakeBotApi(TOKEN) as fake, log.open("w") as stderr:
        first = start(tmp_path, fake, stderr)
        try:
            try:
                fake.push_message(TRAINER, "/sessions nextweek", first_name="Tom")
                listing = tap(fake, "1 Yoga")
                text_of(fake, listing["message_id"], "Booked: 3/10")
                tap(fake, "✎ Change")
                picker = tap(fake, "Date & time")
                text_of(fake, picker["message_id"], "Pick the new date")
                tap(fake, "◀ Earlier")  # the picker opens at the session's week, next week
                text_of(fake, picker["message_id"], "Pick the new date")
                label = tomorrow.strftime("%a %d.%m")
                message = newest_with(fake, label)
                pressed = fake.push_callback(TRAINER, message["message_id"], button_data(message, label))
                text_of(fake, picker["message_id"], "Type the start time")
                handled(fake, log, pressed)
            except (AssertionError, TimeoutError) as error:
                raise AssertionError(f"{error}\nbot stderr:\n{log.read_text()}") from error
            first.send_signal(how)
            code = first.wait(timeout=10)
            assert code == (0 if how == signal.SIGTERM else -signal.SIGKILL)
        finally:
            stop(first)

        second = start(tmp_path, fake, stderr)  # the same database, the same Telegram
        try:
            try:
                fake.push_message(TRAINER, "07:00")  # the answer the first process asked for
                review = tap(fake, "Review ▶")
                text = text_of(fake, review["message_id"], "Who is told")
                assert f"{booked} members will be told: “Training rescheduled”" in text
                tap(fake, "Save")
                outcome = text_of(fake, review["message_id"], "Saved")
            except (AssertionError, TimeoutError) as error:
                raise AssertionError(f"{error}\nbot stderr:\n{log.read_text()}") from error
            assert f"{booked} members are told: “Training rescheduled”" in outcome
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=10) == 0
        finally:
            stop(second)

    moved_to = datetime.combine(tomorrow, time(7, 0), BERLIN).astimezone(UTC).replace(tzinfo=None)
    with sqlite3.connect(tmp_path / "trainery.sqlite3") as database:
        kinds = database.execute("SELECT kind, count(*) FROM notifications GROUP BY kind").fetchall()
        moved = database.execute("SELECT start FROM occurrences WHERE start <> original_start").fetchall()
        conversations = database.execute("SELECT count(*) FROM bot_state WHERE kind <> 'user'").fetchone()
    assert kinds == [("training_rescheduled", booked)]  # queued once, by the one save
    assert [datetime.fromisoformat(start) for (start,) in moved] == [moved_to]  # exactly the reviewed change
    assert conversations == (0,)  # the conversation ended with the save
    assert "Traceback" not in log.read_text() and "Dropped" not in log.read_text()
