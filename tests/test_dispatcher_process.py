"""The real bot process killed in the middle of a fan-out (SPEC §5), 150 ms from
Telegram: after SIGKILL and a restart, every member ends with exactly one
notification, except at most the ones in flight at the kill (the dispatcher's
MAX_IN_FLIGHT), which may arrive twice — never zero times. On both databases.
And `trainery dispatch` (issue 16): two dispatch processes and the bot on PostgreSQL
share one fan-out, each message sent once, Telegram's 30/s kept together."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.notifications import seed
from bot.notify.dispatcher import MAX_IN_FLIGHT
from domain.clock import SystemClock
from domain.listing import DateRange
from domain.override import OverrideRequest
from domain.sessions.cancel import cancel_session
from domain.sessions.listing import list_sessions
from domain.sessions.override import save_override
from domain.studio import Studio
from storage.database import create_engine, create_sessionmaker
from storage.models import Base
from storage.unit_of_work import SqlUnitOfWork
from tests.delivery_helpers import link_chats, statuses, wait_for
from tests.fake_bot_api import FakeBotApi
from tests.test_process import TOKEN, bot_env
from tests.world import BERLIN, World

pytestmark = pytest.mark.e2e
MEMBERS = 60
KILL_AFTER = 12  # messages delivered before the kill
ROUND_TRIP = 0.15  # seconds to Telegram and back, as from far away


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


async def test_a_killed_process_loses_no_notification_and_repeats_at_most_those_in_flight(
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

    with FakeBotApi(TOKEN, latency=ROUND_TRIP) as fake, stderr_path.open("w") as stderr:
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
    assert len(repeated) <= MAX_IN_FLIGHT and all(per_member[chat] == 2 for chat in repeated)
    assert counts == {"sent": MEMBERS}


def _settled(sessions: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
    async def check() -> Counter[str] | None:
        counts = await statuses(sessions)
        return counts if counts == {"sent": MEMBERS} else None

    return check


FAN_OUT = 1_000  # members in the multi-process fan-out, as issue 16 asks (about 40 s at 30/s)


def start_dispatcher(cwd: Path, fake: FakeBotApi, database_url: str, stderr_path: Path) -> subprocess.Popen[bytes]:
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "dispatch"], cwd=cwd,
            env=bot_env(
                TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url,
                TRAINERY_DATABASE_URL=database_url, TRAINERY_TIMEZONE="Europe/Berlin",
            ),
            stdout=subprocess.DEVNULL, stderr=stderr,
        )
    return process


@pytest.fixture
async def postgres(postgres_migrated: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(postgres_migrated)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_two_dispatch_processes_and_the_bot_send_each_notification_once_within_the_limit(
    tmp_path: Path, postgres_migrated: str, postgres: async_sessionmaker[AsyncSession]
) -> None:
    with FakeBotApi(TOKEN, rate_limit=30, latency=0.05) as fake:
        trainer, key = await seed(postgres, fake, FAN_OUT)  # who cancels: nobody but the members is told
        logs = [tmp_path / f"dispatch-{n}.log" for n in range(2)]
        processes = [start_dispatcher(tmp_path, fake, postgres_migrated, log) for log in logs]
        bot_log = tmp_path / "bot.log"
        try:
            with bot_log.open("w") as stderr:
                processes.append(await asyncio.to_thread(start_bot, tmp_path, fake, postgres_migrated, stderr))
            await wait_for(
                lambda: all("Notification dispatcher started" in log.read_text() for log in logs),
                timeout=30, what="both dispatch processes started",
            )
            studio = Studio(lambda: SqlUnitOfWork(postgres), SystemClock(), ZoneInfo("UTC"))
            await cancel_session(studio, trainer, key, "The hall is flooded")
            counts = await wait_for(_all_sent(postgres, FAN_OUT), timeout=FAN_OUT / 10 + 30, what="every one sent")
            for process in processes:
                process.send_signal(signal.SIGTERM)
            assert [process.wait(timeout=20) for process in processes] == [0, 0, 0]
        except (AssertionError, TimeoutError) as error:
            output = "\n".join(f"{log.name}:\n{log.read_text()}" for log in [*logs, bot_log] if log.exists())
            raise AssertionError(f"{error}\n{output}") from error
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        calls = fake.calls("sendMessage")
    sent = [call for call in calls if call.status == 200]
    assert counts == {"sent": FAN_OUT}
    assert sorted(Counter(call.params["chat_id"] for call in sent).values()) == [1] * FAN_OUT  # each once
    senders = [log.read_text().count(": sent") for log in [*logs, bot_log]]
    assert sum(senders) == FAN_OUT and sum(1 for count in senders if count) >= 2  # they shared the work
    # Telegram's limit is never exceeded for longer than a retry_after: after a 429,
    # nothing new arrives until its retry_after has passed (what was in flight aside).
    for refused in (call for call in calls if call.status == 429):
        arrived = [call.at for call in sent if refused.at + IN_FLIGHT_LANDS < call.at < refused.at + 1.0]
        assert arrived == [], f"sent during the flood wait that began at {refused.at}"
    assert sum(1 for call in calls if call.status == 429) <= FAN_OUT // 50  # a stray one, not a habit


IN_FLIGHT_LANDS = 0.5  # seconds by which sends started before a 429 have reached the fake


def _all_sent(sessions: async_sessionmaker[AsyncSession], expected: int):  # type: ignore[no-untyped-def]
    async def check() -> Counter[str] | None:
        counts = await statuses(sessions)
        return counts if counts == {"sent": expected} else None

    return check
