"""Hostile and broken input (SPEC §5 "bad input of any kind gets a clear message and
changes nothing", §2.4 buttons carry no authority), property-based: random commands
with random arguments — odd Unicode, very long text — and random, truncated, replayed
or forged callback data, from trainers, members and strangers, through the real
Application. Each update is answered, and the database is exactly as before."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from telegram import Update

from bot.app import build_application
from bot.context import TraineryApplication
from domain.clock import FixedClock
from domain.reminders.settings import linked_languages, note_telegram_languages
from domain.studio import Studio
from storage.database import create_engine, create_sessionmaker
from storage.models import Base, OccurrenceRow
from storage.unit_of_work import SqlUnitOfWork
from tests.bot_harness import settings_for
from tests.fake_bot_api import FakeBotApi
from tests.world import BERLIN, World

T = TypeVar("T")
ADMIN, TRAINER, MEMBER, STRANGER = 1001, 1002, 1004, 1009
COMMANDS = [
    "/sessions", "/start", "/help", "/cancel", "/demo", "/space_add", "/spaces", "/schedule_add", "/pass_grant",
    "/passes", "/appoint", "/invite_member", "/invite_admin", "/template_add", "/members", "/undelivered", "/nonsense",
]


class LoopThread:
    """The Application lives on a loop of its own, so a synchronous hypothesis test
    can drive it example after example."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@dataclass
class Rig:
    runner: LoopThread
    app: TraineryApplication
    fake: FakeBotApi
    world: World

    def counts(self) -> dict[str, int]:
        async def count() -> dict[str, int]:
            async with self.world.sessions() as session:
                result = {t.name: await session.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}
                result["versions"] = await session.scalar(select(func.coalesce(func.sum(OccurrenceRow.version), 0))) or 0
                return result

        return self.runner.run(count())


@pytest.fixture
def rig(tmp_path: Path, sqlite_template: Path) -> Iterator[Rig]:
    path = tmp_path / "hostile.sqlite3"
    shutil.copy(sqlite_template, path)
    runner = LoopThread()
    fake = FakeBotApi("123:ABC").start()

    async def build() -> tuple[TraineryApplication, World, Any]:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        sessions = create_sessionmaker(engine)
        studio = Studio(lambda: SqlUnitOfWork(sessions), FixedClock(datetime(2026, 11, 30, 7, tzinfo=timezone.utc)), BERLIN)
        world = await World.build(studio, sessions)
        await world.book_all(world.yoga_on(datetime(2026, 12, 1).date()), world.members[:2])
        # The Telegram language each linked person's first update stores (bot/language.py),
        # stored before: the counts compare what the hostile input changed.
        linked = await linked_languages(studio)
        await note_telegram_languages(studio, {found.person_id: "en" for found in linked.values()})
        app = build_application(settings_for(fake), sessions)
        app.bot_data.use_studio(studio)
        await app.initialize()
        return app, world, engine

    app, world, engine = runner.run(build())
    for user in (ADMIN, TRAINER, MEMBER, STRANGER):
        fake.add_chat(user)
    yield Rig(runner, app, fake, world)

    async def close() -> None:
        await app.shutdown()
        await engine.dispose()

    runner.run(close())
    runner.close()
    fake.stop()


odd_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["Lo", "So", "Mn", "Zs", "Cf", "Nd"]), max_size=40),
    st.text(min_size=1000, max_size=4000),
    st.sampled_from(["²", "1; ²", "weekly mon every ²", "2026-02-30", "25:61", "-1", "0", "99999999999", "week mine mine", "'; DROP TABLE people;--", "<b>x</b>", "a;b;c;d;e;f;g;h;i;j;k"]),
)
messages = st.tuples(st.sampled_from([MEMBER, STRANGER, TRAINER]), st.sampled_from(COMMANDS), odd_text)
payloads = st.one_of(
    st.text(max_size=64),
    st.builds(lambda p, n: f"{p}{n}", st.sampled_from(["L1:", "Q1:", "C1:", "O1:", "X1:", "F1:sv:", "F1:cx:", "F1:sp:", "bk1:", "O1:1:1796144400:"]), st.text(alphabet="0123456789:-", max_size=40)),
)
presses = st.tuples(st.sampled_from([MEMBER, STRANGER]), payloads)
trainer_presses = st.tuples(st.just(TRAINER), st.text(max_size=64))
inputs = st.lists(st.one_of(messages, presses, trainer_presses), min_size=1, max_size=12)


def replies(fake: FakeBotApi) -> int:
    return sum(len(fake.calls(method)) for method in ("sendMessage", "editMessageText", "answerCallbackQuery"))


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(inputs)
def test_hostile_input_is_answered_and_changes_nothing(rig: Rig, steps: list[tuple[Any, ...]]) -> None:
    before = rig.counts()
    for step in steps:
        answered = replies(rig.fake)
        if len(step) == 3:
            user, command, args = step
            update = rig.fake.user_message(user, f"{command} {args}".strip())
        else:
            user, data = step
            bot_messages = rig.fake.sent_messages(user) or [None]
            message_id = bot_messages[-1]["message_id"] if bot_messages[-1] else None
            if message_id is None:
                rig.runner.run(rig.app.process_update(Update.de_json(rig.fake.user_message(user, "/start"), rig.app.bot)))
                message_id = rig.fake.sent_messages(user)[-1]["message_id"]
            update = rig.fake.user_callback(user, message_id, data or "x", strict=False)
        rig.runner.run(rig.app.process_update(Update.de_json(update, rig.app.bot)))
        assert replies(rig.fake) > answered, f"no answer to {step!r}"
        if "callback_query" in update:
            assert rig.fake.answer_of(update["callback_query"]["id"]) is not None, f"press not answered: {step!r}"
    assert rig.counts() == before
