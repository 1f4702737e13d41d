"""The real bot process killed in the middle of a fan-out (SPEC §5): after SIGKILL and
a restart, every member ends with exactly one notification, except at most the one
in flight at the kill, which may arrive twice — never zero times. On both databases."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import SystemClock
from domain.listing import DateRange
from domain.override import OverrideRequest
from domain.studio import Studio
from storage.unit_of_work import SqlUnitOfWork
from tests.delivery_helpers import link_chats, statuses, wait_for
from tests.fake_bot_api import FakeBotApi
from tests.test_process import TOKEN, bot_env
from tests.world import BERLIN, World
from domain.sessions.cancel import cancel_session
from domain.sessions.listing import list_sessions
from domain.sessions.override import save_override

pytestmark = pytest.mark.e2e
MEMBERS = 60
KILL_AFTER = 12  # messages delivered before the kill


def start_bot(cwd: Path, fake: FakeBotApi, database_url: str, stderr: IO[str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=cwd,
        env=bot_env(
            TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url,
            TRAINERY_DATABASE_URL=database_url, TRAINERY_TIMEZONE="Europe/Berlin",
        ),
        stdout=subprocess.DEVNULL, stderr=stderr,
    )
    fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=30, what="polling")
    assert process.poll() is None, "the bot exited"
    return process


async def test_a_killed_process_loses_no_notification_and_repeats_at_most_one(
    tmp_path: Path, database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    studio = Studio(lambda: SqlUnitOfWork(sessions), SystemClock(), BERLIN)
    world = await World.build(studio, sessions, members=MEMBERS)
    today = studio.clock.now().astimezone(BERLIN).date()
    upcoming = await list_sessions(studio, world.admin, DateRange(today + timedelta(days=1), today + timedelta(days=8)))
    key = next(o.key for o in upcoming if o.title == "Yoga")
    await save_override(studio, world.admin, key, OverrideRequest(capacity=MEMBERS))
    await world.book_all(key)
    stderr_path = tmp_path / "stderr.log"

    with FakeBotApi(TOKEN) as fake, stderr_path.open("w") as stderr:
        chats = await link_chats(sessions, fake, world.members)

        def delivered() -> Counter[int]:
            return Counter(m["chat"]["id"] for m in fake.sent_messages() if m["chat"]["id"] in chats.values())

        process = await asyncio.to_thread(start_bot, tmp_path, fake, database_url, stderr)
        try:
            # Committed by another process: the bot finds it by polling the outbox.
            await cancel_session(studio, world.trainer, key, "The hall is flooded")  # Tom's own: the members are the fan-out
            await asyncio.to_thread(
                fake.wait_until, lambda: sum(delivered().values()) >= KILL_AFTER, 20, "the fan-out under way"
            )
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            at_kill = sum(delivered().values())
            assert at_kill < MEMBERS, "the fan-out had ended before the kill"

            process = await asyncio.to_thread(start_bot, tmp_path, fake, database_url, stderr)
            await wait_for(
                lambda: len(delivered()) == MEMBERS, timeout=30, what="a notification for every member"
            )
            counts = await wait_for(
                _settled(sessions), timeout=10, what="every notification recorded as sent"
            )
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        except (AssertionError, TimeoutError) as error:
            raise AssertionError(f"{error}\nbot stderr:\n{stderr_path.read_text()}") from error
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

        per_member = delivered()
    assert set(per_member) == set(chats.values())  # nobody got nothing
    repeated = [chat for chat, count in per_member.items() if count > 1]
    assert len(repeated) <= 1 and all(per_member[chat] == 2 for chat in repeated)
    assert counts == {"sent": MEMBERS}


def _settled(sessions: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
    async def check() -> Counter[str] | None:
        counts = await statuses(sessions)
        return counts if counts == {"sent": MEMBERS} else None

    return check
