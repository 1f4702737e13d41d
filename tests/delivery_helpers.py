"""Helpers for the tests of notification delivery: members' chats, a clock that runs
from the test studio's fixed morning, and waiting for the outbox to drain."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.context import TraineryApplication
from bot.notify.dispatcher import Dispatcher
from storage.models import NotificationRow, PersonRow
from storage.outbox import OutboxStore, enqueued_on
from tests.conftest import BERLIN
from tests.fake_bot_api import FakeBotApi
from tests.world import World

CHAT_BASE = 70_000


class RunningClock:
    """Real time, but starting at `start`: the domain's fixed clock stands still, and
    the dispatcher needs time that passes (leases, retries) on the same calendar."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started)


async def link_chats(
    sessions: async_sessionmaker[AsyncSession], fake: FakeBotApi | None, members: Iterable[int]
) -> dict[int, int]:
    """Give each member a chat (id CHAT_BASE + member id) the fake knows: member -> chat."""
    chats = {member: CHAT_BASE + member for member in members}
    async with sessions() as session:
        for member, chat in chats.items():
            await session.execute(update(PersonRow).where(PersonRow.id == member).values(chat_id=chat))
        await session.commit()
    if fake is not None:
        for chat in chats.values():
            fake.add_chat(chat)
    return chats


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> Counter[str]:
    async with sessions() as session:
        rows = await session.execute(select(NotificationRow.status, func.count()).group_by(NotificationRow.status))
        return Counter({status: count for status, count in rows})


async def wait_until_settled(
    sessions: async_sessionmaker[AsyncSession], expected: int, timeout: float = 15.0
) -> Counter[str]:
    """Until `expected` notifications exist and none is pending; returns the statuses."""
    deadline = time.monotonic() + timeout
    while True:
        counts = await statuses(sessions)
        if sum(counts.values()) >= expected and not counts["pending"]:
            return counts
        if time.monotonic() > deadline:
            raise TimeoutError(f"outbox not settled within {timeout}s: {dict(counts)}")
        await asyncio.sleep(0.05)


async def deliver(app: TraineryApplication, world: World, expected: int) -> Dispatcher:
    """The bot's dispatcher, on the studio's calendar, until `expected` notifications
    are settled (sent or failed for good); stopped after."""
    queue = OutboxStore(world.sessions)
    dispatcher = Dispatcher(app.bot, queue, BERLIN, on_enqueued=enqueued_on(world.sessions), clock=RunningClock(world.studio.now()))
    await dispatcher.start()
    try:
        await wait_until_settled(world.sessions, expected)
    finally:
        await dispatcher.stop()
    return dispatcher


async def wait_for(check, timeout: float = 10.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Until `check()` (sync or async) is truthy; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout}s")
        await asyncio.sleep(0.02)


def messages_per_chat(fake: FakeBotApi, chats: Iterable[int]) -> dict[int, int]:
    counts = Counter(m["chat"]["id"] for m in fake.sent_messages())
    return {chat: counts.get(chat, 0) for chat in chats}


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[NotificationRow]:
    async with sessions() as session:
        return list(await session.scalars(select(NotificationRow).order_by(NotificationRow.id)))
