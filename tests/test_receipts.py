"""SPEC §3.1, delivery receipts: the outcome screen of a saved change fills in as its
notifications go out — delivered, blocked, no linked chat — edited in place with its
buttons, through the real Application, the real dispatcher and the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import update

from bot.context import TraineryApplication
from bot.sessions.receipts import Followed, Receipts
from domain.delivery import Receipt
from storage.models import PersonRow
from tests.bot_harness import ADMIN, SUBSTITUTE, TRAINER, app, database_url, fake
from tests.delivery_helpers import deliver
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, labels
from tests.world import World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

TUESDAY = date(2026, 12, 1)
BLOCKED_USER, LINKED_USER = 5001, 5002
FAST = dict(interval=0.05, poll=0.02)  # the real process: an edit at most every 3 s, a look every second


@pytest.fixture
async def receipts(app: TraineryApplication) -> AsyncIterator[Receipts]:
    follower = Receipts(app.bot, app.bot_data.services.receipt, **FAST)  # type: ignore[arg-type]
    app.bot_data.receipts = follower
    await follower.start()
    yield follower
    await follower.stop()


async def chats(world: World, api: FakeBotApi, linked: dict[int, int]) -> None:
    async with world.sessions() as session:
        for person, chat in linked.items():
            await session.execute(update(PersonRow).where(PersonRow.id == person).values(chat_id=chat))
            api.add_chat(chat)
        await session.commit()


async def studio_with_chats(world: World, api: FakeBotApi) -> None:
    """Tom and Sue linked; Member 0 blocked the bot; Member 1 linked; two namesakes
    "Member 3" without a chat."""
    m0, m1, m2, _ = world.members
    await chats(world, api, {world.trainer: TRAINER, world.substitute: SUBSTITUTE, m0: BLOCKED_USER, m1: LINKED_USER})
    api.block_chat(BLOCKED_USER)
    async with world.sessions() as session:
        await session.execute(update(PersonRow).where(PersonRow.id == m2).values(name="Member 3"))
        await session.commit()
    await world.book_all(world.yoga_on(TUESDAY))


async def substitute_sue(admin: Phone) -> dict:  # type: ignore[type-arg]
    card = await admin.tap("1 ", await admin.send("/sessions week"))
    review = await admin.tap("Sue Substitute", await admin.tap("🔁 Substitute", card))
    return await admin.tap("✅ Save", review)


async def until_shown(api: FakeBotApi, message_id: int, ending: str) -> dict:  # type: ignore[type-arg]
    for _ in range(500):  # the follower edits within a few of its 0.05 s intervals
        message = api.message(ADMIN, message_id) or {}
        if message.get("text", "").endswith(ending):
            return message
        await asyncio.sleep(0.02)
    raise AssertionError(f"the outcome never ended with {ending!r}: {message.get('text')!r}")


async def test_the_outcome_ends_with_who_was_reached_and_who_not(
    app: TraineryApplication,
    fake: FakeBotApi,
    world: World,
    receipts: Receipts,
) -> None:
    await studio_with_chats(world, fake)
    admin = Phone(app, fake, ADMIN)
    outcome = await substitute_sue(admin)
    assert outcome["text"].endswith("📬 0 of 6 delivered, 6 on the way…")
    assert "• Sue Substitute is told that they now lead it" in outcome["text"]
    assert "• Tom Trainer is told that Sue Substitute leads it instead" in outcome["text"]
    sent_before = len(fake.sent_messages(ADMIN))

    await deliver(app, world, 6)

    m2, m3 = world.members[2], world.members[3]
    final = f"📬 3 of 6 delivered, 1 blocked the bot (Member 0), 2 have no linked chat (Member 3 #{m2}, Member 3 #{m3})"
    shown = await until_shown(fake, outcome["message_id"], final)
    assert shown["text"].startswith("✅ Saved — Yoga")  # the outcome itself stands above its receipt
    assert labels(shown) == ["Open the session"]  # the buttons kept
    assert len(fake.sent_messages(ADMIN)) == sent_before  # edited in place, no message per delivery
    assert [m["text"].splitlines()[0] for m in fake.sent_messages(SUBSTITUTE)] == [
        "You lead Yoga, Tue 1 Dec 2026, 18:00, Studio A — instead of Tom Trainer"
    ]
    assert [m["text"].splitlines()[0] for m in fake.sent_messages(TRAINER)] == [
        "Sue Substitute leads your Yoga, Tue 1 Dec 2026, 18:00"
    ]
    assert fake.sent_messages(ADMIN)[-1]["message_id"] == outcome["message_id"]  # the admin is told nothing else
    await until_idle(receipts)  # the final edit ends it


async def test_a_cancellation_outcome_fills_in_and_waits_out_a_flood_limit(
    app: TraineryApplication,
    fake: FakeBotApi,
    world: World,
    receipts: Receipts,
) -> None:
    await studio_with_chats(world, fake)
    admin = Phone(app, fake, ADMIN)
    card = await admin.tap("1 ", await admin.send("/sessions week"))
    confirm = await admin.tap("No reason", await admin.tap("❌ Cancel session", card))
    assert "• Tom Trainer will be told that their session is cancelled" in confirm["text"]
    outcome = await admin.tap("Yes, cancel the session", confirm)
    assert outcome["text"].endswith("📬 0 of 5 delivered, 5 on the way…")
    fake.fail_next("editMessageText", code=429, retry_after=1)  # whichever edit it hits, a later one shows the end

    await deliver(app, world, 5)

    m2, m3 = world.members[2], world.members[3]
    final = f"📬 2 of 5 delivered, 1 blocked the bot (Member 0), 2 have no linked chat (Member 3 #{m2}, Member 3 #{m3})"
    shown = await until_shown(fake, outcome["message_id"], final)
    assert shown["text"].startswith("❌ Cancelled — Yoga") and labels(shown) == ["Open the session"]


async def test_opening_the_card_from_the_outcome_stops_the_receipt(
    app: TraineryApplication,
    fake: FakeBotApi,
    world: World,
    receipts: Receipts,
) -> None:
    await studio_with_chats(world, fake)
    admin = Phone(app, fake, ADMIN)
    outcome = await substitute_sue(admin)
    assert receipts.following == 1
    card = await admin.tap("Open the session", outcome)
    assert receipts.following == 0
    await deliver(app, world, 6)
    await asyncio.sleep(0.2)  # several of the follower's intervals: had it not stopped, it would have edited
    assert fake.message(ADMIN, outcome["message_id"]) == card  # the card stays; no receipt over it


async def test_a_message_that_is_gone_or_not_modified_ends_the_receipt_quietly(
    app: TraineryApplication,
    fake: FakeBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.add_chat(ADMIN)
    follower = Receipts(app.bot, lambda _change: _done(Receipt(2, 2, 0)), **FAST)  # type: ignore[arg-type]
    await follower.start()
    shown: list[str] = []
    message = await app.bot.send_message(ADMIN, "✅ Saved")
    fake.fail_next("editMessageText", code=400, description="Bad Request: message is not modified")
    follower.follow(Followed(ADMIN, message.message_id, "✅ Saved", None, "c1", Receipt.queued(2), shown.append))
    await until_idle(follower)
    assert shown == ["✅ Saved\n\n📬 2 of 2 delivered"]  # "not modified": it was showing that already
    gone = await app.bot.send_message(ADMIN, "✅ Saved")
    await app.bot.delete_message(ADMIN, gone.message_id)
    follower.follow(Followed(ADMIN, gone.message_id, "✅ Saved", None, "c2", Receipt.queued(2), shown.append))
    await until_idle(follower)
    assert len(shown) == 1  # the deleted message: nothing shown, the follower gave up
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    await follower.stop()


async def until_idle(follower: Receipts) -> None:
    for _ in range(250):
        if follower.following == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the receipt never ended")


async def _done(receipt: Receipt) -> Receipt:
    return receipt


async def test_a_restart_stops_the_receipt_and_nothing_else(
    app: TraineryApplication, fake: FakeBotApi, world: World, receipts: Receipts
) -> None:
    """Decision: receipts live in the process. A stop (a restart) ends them; the outcome
    keeps what it showed, the notifications go out as always, Save again still answers."""
    await studio_with_chats(world, fake)
    admin = Phone(app, fake, ADMIN)
    outcome = await substitute_sue(admin)
    await receipts.stop()
    assert receipts.following == 0
    await deliver(app, world, 6)
    await asyncio.sleep(0.2)  # several of the follower's intervals
    assert fake.message(ADMIN, outcome["message_id"]) == outcome  # as it was at the stop
    assert len(fake.sent_messages(SUBSTITUTE)) == 1 and len(fake.sent_messages(TRAINER)) == 1
