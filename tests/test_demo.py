"""Issue 6, point 6: /demo loads a demo studio into an empty database, for owners only."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_application
from bot.context import TraineryApplication
from bot.settings import Settings
from domain.clock import FixedClock
from domain.studio import Studio
from storage.database import open_database
from domain.setup import demo as demo_module
from domain.setup.names import SetupError
from storage.models import BookingRow, LedgerEntryRow, PassRow, PersonRow, ScheduleRow, SpaceRow
from storage.unit_of_work import SqlUnitOfWork
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone
from tests.world import BERLIN

Sessions = async_sessionmaker[AsyncSession]
TOKEN, OWNER, STRANGER, NEWCOMER = "123:ABC", 4242, 4343, 4444


@pytest.fixture
async def empty_app(tmp_path: Path) -> AsyncIterator[tuple[TraineryApplication, FakeBotApi, Sessions]]:
    engine, sessions = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}")
    with FakeBotApi(TOKEN) as fake:
        settings = Settings(_env_file=None, bot_token=TOKEN, bot_api_url=fake.base_url, timezone="Europe/Berlin", owner_ids=[OWNER])  # type: ignore[call-arg]
        app = build_application(settings, sessions)
        app.bot_data.use_studio(Studio(lambda: SqlUnitOfWork(sessions), FixedClock(datetime(2026, 11, 30, 7, tzinfo=timezone.utc)), BERLIN))
        async with app:
            yield app, fake, sessions
    await engine.dispose()


async def test_demo_loads_a_studio_to_try_every_flow(empty_app: tuple[TraineryApplication, FakeBotApi, Sessions]) -> None:
    app, fake, sessions = empty_app
    owner = Phone(app, fake, OWNER, "Olga")
    reply = (await owner.send("/demo"))["text"]
    assert reply.startswith("Demo studio loaded")
    tokens = dict(re.findall(r"• (?:trainer|member) (.+?): https://t\.me/trainery_test_bot\?start=(\S+)", reply))
    assert list(tokens) == ["Demo Trainer", "Demo Member 1", "Demo Member 2", "Demo Member 3"]
    week = (await owner.send("/sessions week"))["text"]
    assert "Tue 01 Dec 18:00 · Yoga · Studio A · Demo Trainer · 3/12" in week
    assert "Wed 02 Dec 07:00 · HIIT · Outdoor court · Sam Substitute · 1/8" in week
    assert "Sat 05 Dec 10:00 · Back course · Studio A · Demo Trainer · 1/6" in week
    # the demo trainer links their chat and sees their sessions
    trainer = Phone(app, fake, NEWCOMER, "Dana")
    assert "you are a trainer" in (await trainer.send(f"/start {tokens['Demo Trainer']}"))["text"]
    mine = (await trainer.send("/sessions week mine"))["text"]
    assert "Yoga" in mine and "HIIT" not in mine
    # the ledger is true after all of it
    async with sessions() as session:
        ledger = dict(list(await session.execute(select(LedgerEntryRow.pass_id, func.sum(LedgerEntryRow.delta)).group_by(LedgerEntryRow.pass_id))))
        balances = dict(list(await session.execute(select(PassRow.id, PassRow.sessions_left))))
        bookings = await session.scalar(select(func.count()).select_from(BookingRow))
    assert balances == ledger and bookings == 3 * 3 + 2 + 8
    # a second /demo changes nothing
    again = (await owner.send("/demo"))["text"]
    assert "only into an empty studio" in again
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PersonRow)) == 6


async def test_only_an_owner_may_load_the_demo(empty_app: tuple[TraineryApplication, FakeBotApi, Sessions]) -> None:
    app, fake, sessions = empty_app
    reply = (await Phone(app, fake, STRANGER).send("/demo"))["text"]
    assert reply == "Only the studio's owner can load the demo studio."
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PersonRow)) == 0


async def test_a_demo_that_fails_half_way_leaves_the_studio_empty(
    empty_app: tuple[TraineryApplication, FakeBotApi, Sessions], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: spaces, people, schedules and passes are written before the
    bookings; a failure there rolls all of it back, so /demo can be run again."""
    app, fake, sessions = empty_app
    owner = Phone(app, fake, OWNER, "Olga")

    async def broken(*_args: object) -> None:
        raise SetupError("The demo bookings failed.")

    monkeypatch.setattr(demo_module, "_book_coming_weeks", broken)
    assert "demo bookings failed" in (await owner.send("/demo"))["text"]
    async with sessions() as session:
        counts = [await session.scalar(select(func.count()).select_from(row)) for row in (SpaceRow, PassRow, ScheduleRow)]
        people = await session.scalar(select(func.count()).select_from(PersonRow))
    assert counts == [0, 0, 0] and people == 1  # only the owner, who wrote first
    monkeypatch.undo()
    assert "Demo studio loaded" in (await owner.send("/demo"))["text"]
