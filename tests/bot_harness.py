"""Fixtures for tests of the bot: the real Application on a SQLite copy of the test
studio (tests/world.py), against the fake Bot API. Import the fixtures by name."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.app import build_application
from bot.context import TraineryApplication
from bot.settings import Settings
from storage.models import PersonRow
from tests.fake_bot_api import FakeBotApi
from tests.world import World

TOKEN = "123:ABC"
ADMIN, TRAINER, SUBSTITUTE, MEMBER, STRANGER = 1001, 1002, 1003, 1004, 1009


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """The flows are the same on both databases; the domain tests cover PostgreSQL."""
    path = tmp_path / "flows.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
async def app(fake: FakeBotApi, world: World) -> AsyncIterator[TraineryApplication]:
    async with world.sessions() as session:
        await session.execute(update(PersonRow).where(PersonRow.id == world.substitute).values(telegram_user_id=SUBSTITUTE))
        await session.execute(update(PersonRow).where(PersonRow.id == world.members[0]).values(telegram_user_id=MEMBER))
        await session.commit()
    application = build_application(settings_for(fake), world.sessions)
    application.bot_data.use_studio(world.studio)
    await application.initialize()
    yield application
    await application.shutdown()


def settings_for(fake: FakeBotApi) -> Settings:
    return Settings(_env_file=None, bot_token=TOKEN, bot_api_url=fake.base_url, timezone="Europe/Berlin")  # type: ignore[call-arg]
