"""Several dispatchers on one database (`trainery dispatch`, README "Running in
production"): claims never hand one member's notifications to two dispatchers, nor
to a second one within a second of the first's message (both databases); and on
PostgreSQL the shared send budget keeps one cadence, one flood wait and the replies'
headroom for all of them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import cli
from bot.composition import compose
from bot.notify import process
from bot.settings import Settings
from domain.bookings.book import book_session
from domain.clock import FixedClock
from domain.notifications import NotificationDraft, NotificationKind
from storage.database import create_engine, create_sessionmaker
from storage.outbox import CHAT_GAP, OutboxStore
from storage.send_budget import NARROW, WIDEN, PostgresSendBudget, send_budget
from storage.unit_of_work import SqlUnitOfWork
from tests.delivery_helpers import link_chats, rows
from tests.world import World, berlin

WINDOW = 1.01
TUESDAY = date(2026, 12, 1)


async def queue(world: World, change: str, members: list[int], now: datetime) -> None:
    async with SqlUnitOfWork(world.sessions) as uow:
        drafts = [NotificationDraft(member, NotificationKind.CANCELLED, {}) for member in members]
        await uow.outbox.add(change, drafts, now)
        await uow.commit()


async def test_a_claim_skips_members_another_dispatcher_holds_or_just_messaged(world: World) -> None:
    now = world.studio.clock.now()
    first, second = world.members[:2]
    await queue(world, "override", [first, second], now)
    await queue(world, "cancel", [first, second], now)
    one, two = OutboxStore(world.sessions, "one"), OutboxStore(world.sessions, "two")

    [held] = await one.claim(now, 1)  # the first member's first notification
    assert held.member_id == first
    claimed = await two.claim(now, 10)
    assert {item.member_id for item in claimed} == {second}  # not the first member's other one

    assert await one.mark_sent(held.id, now)
    assert {item.member_id for item in await two.claim(now + CHAT_GAP / 2, 10)} == set()
    [later] = await two.claim(now + CHAT_GAP + timedelta(milliseconds=1), 10)
    assert later.member_id == first and later.id != held.id


async def test_one_dispatcher_claims_a_members_notifications_together(world: World) -> None:
    now = world.studio.clock.now()
    member = world.members[0]
    await queue(world, "override", [member], now)
    await queue(world, "cancel", [member], now)
    claimed = await OutboxStore(world.sessions, "one").claim(now, 10)
    assert [item.member_id for item in claimed] == [member, member]  # it spaces them itself


async def test_sqlite_has_no_shared_budget(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.sqlite3'}")
    assert send_budget(create_sessionmaker(engine)) is None
    await engine.dispose()


@pytest.fixture
async def postgres(postgres_migrated: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(postgres_migrated)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM send_budget"))  # the budget creates its row again
    yield create_sessionmaker(engine)
    await engine.dispose()


async def anchored(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A flood wait of a minute, as a 429 would leave it but without widening the
    cadence: every start reserved falls after it, whatever the time the test takes."""
    async with sessions() as session:
        await session.execute(
            text(
                "INSERT INTO send_budget (id, next_start, paused_until, replies_until, extra) "
                "VALUES (1, 0, extract(epoch FROM clock_timestamp()) + 60, 0, 0)"
            )
        )
        await session.commit()


async def reserved_after_pause(sessions: async_sessionmaker[AsyncSession]) -> float:
    """Seconds of starts reserved beyond the flood wait: the sum of the intervals."""
    async with sessions() as session:
        return float(await session.scalar(text("SELECT next_start - paused_until FROM send_budget")) or 0)


async def test_dispatchers_share_one_cadence_on_postgresql(postgres: async_sessionmaker[AsyncSession]) -> None:
    one, two = PostgresSendBudget(postgres), PostgresSendBudget(postgres)
    assert isinstance(send_budget(postgres), PostgresSendBudget)
    await anchored(postgres)
    waits = [await (one, two)[n % 2].reserve(30, 3, WINDOW) for n in range(60)]
    assert await reserved_after_pause(postgres) == pytest.approx(60 * WINDOW / 29.5, abs=1e-4)
    assert all(wait > 50 for wait in waits)  # nobody starts before the flood wait is over


async def test_while_the_bot_replies_to_people_the_dispatchers_leave_them_room(
    postgres: async_sessionmaker[AsyncSession],
) -> None:
    bot, dispatcher = PostgresSendBudget(postgres), PostgresSendBudget(postgres)
    await anchored(postgres)
    await bot.replied()
    for _ in range(53):
        await dispatcher.reserve(30, 3, WINDOW)
    assert await reserved_after_pause(postgres) == pytest.approx(2 * WINDOW, abs=1e-4)  # 26.5 a second, not 29.5


def test_trainery_dispatch_refuses_sqlite_with_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name in [name for name in os.environ if name.startswith("TRAINERY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TRAINERY_BOT_TOKEN", "123:ABC")
    monkeypatch.setenv("TRAINERY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'studio.sqlite3'}")
    assert cli.main(["dispatch"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("trainery: trainery dispatch needs PostgreSQL")
    assert "Traceback" not in error and not (tmp_path / "studio.sqlite3").exists()


async def test_a_dispatch_process_also_queues_due_reminders(world: World) -> None:
    """The hook `trainery dispatch` runs besides sending: the scan for due timed notices,
    so reminders keep coming while the bot process is down."""
    await link_chats(world.sessions, None, [world.members[0]])
    booking = await book_session(world.studio, world.members[0], world.yoga_on(TUESDAY), world.members[0])
    assert isinstance(world.studio.clock, FixedClock) and booking is not None
    world.studio.clock.set(berlin(2026, 11, 30, 18))  # 24 h before Tuesday's 18:00 yoga
    settings = Settings(_env_file=None, bot_token="123:ABC", timezone="Europe/Berlin")  # type: ignore[call-arg]
    services = compose(settings, world.sessions, world.studio.clock)
    [(every, scan)] = process.periodic_jobs(services, settings)
    await scan()
    await scan()  # a second scan (or another process's) queues nothing more
    assert every == 30
    queued = await rows(world.sessions)
    assert [(row.member_id, row.kind) for row in queued] == [(world.members[0], NotificationKind.REMINDER.value)]


async def test_each_429_widens_the_shared_cadence_a_little(postgres: async_sessionmaker[AsyncSession]) -> None:
    budget = PostgresSendBudget(postgres)
    await budget.pause(60)
    await budget.pause(60)  # two 429s
    for _ in range(10):
        await budget.reserve(30, 3, WINDOW)
    intervals = [WINDOW / 29.5 + 2 * WIDEN - n * NARROW for n in range(10)]  # narrowing again as it sends
    assert await reserved_after_pause(postgres) == pytest.approx(sum(intervals), abs=1e-5)
