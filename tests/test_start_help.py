"""/start and /help through the real Application, against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from bot.app import api_urls, build_application, post_init
from bot.context import TraineryApplication
from bot.settings import Settings
from tests.fake_bot_api import FakeBotApi
from storage.database import open_database
from storage.models import PersonRow, RoleRow

TOKEN = "123:ABC"
OWNER, TRAINER, MEMBER, STRANGER = 1001, 1002, 1003, 1004


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
async def sessionmaker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine, factory = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'trainery.sqlite3'}")
    yield factory
    await engine.dispose()


def settings_for(fake: FakeBotApi, owner_ids: list[int]) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # a developer's .env must not leak in
        bot_token=TOKEN,
        bot_api_url=fake.base_url,
        owner_ids=owner_ids,
        timezone="Europe/Berlin",
    )


async def running_app(
    fake: FakeBotApi, sessionmaker: async_sessionmaker[AsyncSession], owner_ids: list[int]
) -> TraineryApplication:
    app = build_application(settings_for(fake, owner_ids), sessionmaker)
    await app.initialize()
    return app


@pytest.fixture
async def app(
    fake: FakeBotApi, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[TraineryApplication]:
    application = await running_app(fake, sessionmaker, [OWNER])
    yield application
    await application.shutdown()


async def say(app: TraineryApplication, fake: FakeBotApi, user_id: int, text: str, **user: str) -> str:
    """Sends `text` as `user_id` and hands back the bot's one reply."""
    incoming = fake.user_message(user_id, text, **user)
    await app.process_update(Update.de_json(incoming, app.bot))
    replies = [
        m for m in fake.sent_messages(user_id) if m["message_id"] > incoming["message"]["message_id"]
    ]
    assert len(replies) == 1, f"expected one reply to {text!r}, got {replies!r}"
    return replies[0]["text"]


async def add_person(
    sessionmaker: async_sessionmaker[AsyncSession], telegram_user_id: int, name: str, *roles: str
) -> None:
    async with sessionmaker() as session, session.begin():
        person = PersonRow(name=name, telegram_user_id=telegram_user_id, created_at=datetime.now(timezone.utc))
        session.add(person)
        await session.flush()
        session.add_all(RoleRow(person_id=person.id, role=role) for role in roles)


async def test_stranger_without_owners_learns_their_id_and_how_to_become_owner(
    fake: FakeBotApi, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    app = await running_app(fake, sessionmaker, owner_ids=[])
    try:
        reply = await say(app, fake, STRANGER, "/start")
    finally:
        await app.shutdown()
    assert "Trainery" in reply
    assert f"Your Telegram user id is {STRANGER}" in reply
    assert f"TRAINERY_OWNER_IDS={STRANGER}" in reply
    assert "restart" in reply


async def test_stranger_with_owners_is_told_to_ask_for_an_invite(app: TraineryApplication, fake: FakeBotApi) -> None:
    reply = await say(app, fake, STRANGER, "/start")
    assert "not part of this studio yet" in reply
    assert "invite link" in reply
    assert "TRAINERY_OWNER_IDS" not in reply


async def test_owner_is_greeted_as_owner(app: TraineryApplication, fake: FakeBotApi) -> None:
    reply = await say(app, fake, OWNER, "/start", first_name="Olga")
    assert reply.startswith("Hello, Olga!")
    assert "owner" in reply and "/sessions" in reply
    assert "not part of this studio" not in reply


async def test_names_are_escaped_for_html(app: TraineryApplication, fake: FakeBotApi) -> None:
    # Unescaped, Telegram (and the fake) would refuse the whole message.
    reply = await say(app, fake, OWNER, "/start", first_name="<b>Bob & Co</b>")
    assert reply.startswith("Hello, <b>Bob & Co</b>!")


async def test_trainer_from_the_database(
    app: TraineryApplication, fake: FakeBotApi, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_person(sessionmaker, TRAINER, "Tina", "trainer")
    reply = await say(app, fake, TRAINER, "/start")
    assert "You are a trainer" in reply
    assert "/sessions" in reply
    assert "owner" not in reply


async def test_inactive_person_has_no_roles(
    app: TraineryApplication, fake: FakeBotApi, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_person(sessionmaker, TRAINER, "Tina", "trainer")
    async with sessionmaker() as session, session.begin():
        person = (await session.scalars(PersonRow.__table__.select())).first()
        assert person is not None
        await session.execute(PersonRow.__table__.update().values(active=False))
    assert "not part of this studio yet" in await say(app, fake, TRAINER, "/start")


async def test_start_with_unknown_invite_token_changes_nothing(
    app: TraineryApplication, fake: FakeBotApi, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    reply = await say(app, fake, STRANGER, "/start badtoken")
    assert "This invite link is not valid. Ask the studio's admin for a new one." == reply
    async with sessionmaker() as session:
        assert (await session.scalars(PersonRow.__table__.select())).all() == []


async def test_help_for_a_stranger_lists_only_start_and_help(app: TraineryApplication, fake: FakeBotApi) -> None:
    reply = await say(app, fake, STRANGER, "/help")
    assert "/start" in reply and "/help" in reply
    for command in ("/sessions", "/my", "/book", "/demo"):
        assert command not in reply


async def test_help_for_a_trainer_shows_sessions_with_examples(
    app: TraineryApplication, fake: FakeBotApi, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_person(sessionmaker, TRAINER, "Tina", "trainer")
    reply = await say(app, fake, TRAINER, "/help")
    assert "/sessions week" in reply
    assert "/sessions 2026-12-01 2026-12-14 mine" in reply
    assert "/cancel" in reply


async def test_help_for_a_member(
    app: TraineryApplication, fake: FakeBotApi, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_person(sessionmaker, MEMBER, "Max", "member")
    reply = await say(app, fake, MEMBER, "/help")
    assert "/start" in reply and "/help" in reply
    assert "/sessions" not in reply and "/cancel" not in reply


async def test_help_for_the_owner_shows_everything_an_owner_may_use(
    app: TraineryApplication, fake: FakeBotApi
) -> None:
    # Since issue 14 an owner's commands exceed one message (4,096 characters): two come.
    replies = await say_all(app, fake, OWNER, "/help")
    assert len(replies) > 1 and all(len(text) <= 4096 for text in replies)
    assert "/sessions week" in replies[0] and "/cancel" in replies[0] and "/undelivered 2" in "\n".join(replies)


async def say_all(app: TraineryApplication, fake: FakeBotApi, user_id: int, text: str) -> list[str]:
    incoming = fake.user_message(user_id, text)
    await app.process_update(Update.de_json(incoming, app.bot))
    return [m["text"] for m in fake.sent_messages(user_id) if m["message_id"] > incoming["message"]["message_id"]]


async def test_help_examples_are_code_entities(app: TraineryApplication, fake: FakeBotApi) -> None:
    await say_all(app, fake, OWNER, "/help")
    message = next(m for m in fake.sent_messages(OWNER) if m["text"].startswith("Commands you can use"))
    codes = [
        message["text"][e["offset"] : e["offset"] + e["length"]]
        for e in message["entities"]
        if e["type"] == "code"
    ]
    assert "/cancel" in codes and "/sessions week" in codes


async def test_post_init_sets_the_default_command_menu(app: TraineryApplication, fake: FakeBotApi) -> None:
    await post_init(app)
    assert [c["command"] for c in fake.commands()] == ["start", "help"]


async def test_updates_arrive_by_long_polling(app: TraineryApplication, fake: FakeBotApi) -> None:
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        fake.push_message(OWNER, "/help")
        reply = await fake.wait_for_message_async(OWNER, lambda m: "Commands you can use" in m["text"])
    finally:
        await app.updater.stop()
        await app.stop()
    assert "/sessions week" in reply["text"]
    assert fake.pending_updates() == 0  # the offset confirmed it


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("", ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")),
        ("http://127.0.0.1:8081/bot", ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")),
        ("http://127.0.0.1:8081/", ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")),
    ],
)
def test_bot_api_url_setting(setting: str, expected: tuple[str, str]) -> None:
    assert api_urls(setting) == expected
