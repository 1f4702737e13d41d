"""Issue 15, point 3: updates of different chats are handled at once, the updates of
one chat in the order they came — through the real Application's update queue (as
polling and the webhook feed it), with the real routes and the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.context import TraineryApplication, TraineryContext
from bot.notify.limiter import RepliesFirst
from bot.reply_pacing import REPLYING_TO
from bot.update_order import ChatOrderedProcessor
from domain.sessions.card import find_session
from tests.bot_harness import ADMIN, TRAINER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, button_data
from tests.world import World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name
TUESDAY = date(2026, 12, 1)


@pytest.fixture
async def running(app: TraineryApplication) -> AsyncIterator[TraineryApplication]:
    """The application fetching from its update queue, as under polling or a webhook."""
    await app.start()
    yield app
    if app.running:
        await app.stop()


def put(app: TraineryApplication, *raw: dict[str, Any]) -> None:
    """Updates arriving together: all queued before the application takes the first."""
    for update in raw:
        app.update_queue.put_nowait(Update.de_json(update, app.bot))


async def until(check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    for _ in range(int(timeout / 0.01)):
        found = check()
        if found:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def processor(app: TraineryApplication) -> ChatOrderedProcessor:
    assert isinstance(app.update_processor, ChatOrderedProcessor)
    return app.update_processor


async def test_one_chats_slow_update_does_not_hold_up_another_chat(
    running: TraineryApplication, fake: FakeBotApi
) -> None:
    release = asyncio.Event()

    async def slow_for_the_trainer(update: Update, context: TraineryContext) -> None:
        if update.effective_user and update.effective_user.id == TRAINER:
            await release.wait()

    running.add_handler(TypeHandler(Update, slow_for_the_trainer), group=-5)
    put(running, fake.user_message(TRAINER, "/help"), fake.user_message(ADMIN, "/help"))
    await until(lambda: fake.sent_messages(ADMIN), "the admin's reply")
    assert fake.sent_messages(TRAINER) == [], "the trainer's update is still in its handler"
    release.set()
    await until(lambda: fake.sent_messages(TRAINER), "the trainer's reply")
    await until(lambda: processor(running).waiting_keys == 0, "no chain left behind")


async def test_a_chats_updates_that_arrive_together_are_handled_in_order(
    running: TraineryApplication, fake: FakeBotApi
) -> None:
    handled: list[tuple[int, str]] = []

    async def record(update: Update, context: TraineryContext) -> None:
        assert update.effective_user and update.message and update.message.text
        await asyncio.sleep(0.02 if int(update.message.text) % 2 else 0)  # uneven work: order must not depend on it
        handled.append((update.effective_user.id, update.message.text))

    running.add_handler(TypeHandler(Update, record), group=-5)
    numbers = [str(n) for n in range(12)]
    put(running, *(fake.user_message(user, n) for n in numbers for user in (TRAINER, ADMIN)))
    await until(lambda: len(handled) == 24, "all 24 updates")
    assert [text for user, text in handled if user == TRAINER] == numbers
    assert [text for user, text in handled if user == ADMIN] == numbers
    assert handled[:2] != [(TRAINER, "0"), (TRAINER, "1")], "the two chats took turns, not one after the other"
    await until(lambda: processor(running).waiting_keys == 0, "no chain left behind")


async def test_a_double_tap_on_save_arriving_together_saves_once(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    trainer = Phone(app, fake, TRAINER, "Tom")
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    listing = await trainer.send("/sessions week")
    menu = await trainer.tap("✎ Change", await trainer.tap("1 ", listing))
    await trainer.tap("Trainer", menu)
    review = await trainer.tap("Review ▶", await trainer.tap("Sue Substitute"))
    save = button_data(review, "Save")
    await app.start()
    try:
        taps = [fake.user_callback(TRAINER, review["message_id"], save) for _ in range(2)]
        put(app, *taps)
        ids = [tap["callback_query"]["id"] for tap in taps]
        answers = await until(
            lambda: all(fake.answer_of(i) for i in ids) and [fake.answer_of(i) for i in ids], "both answers"
        )
    finally:
        await app.stop()
    assert answers[1]["text"] == "Already saved — nothing was changed twice."
    assert fake.message(TRAINER, review["message_id"])["text"].startswith("✅ Saved")  # type: ignore[index]
    assert len(await world.notifications()) == 5  # one change, not two: 4 members and the substitute
    assert (await find_session(world.studio, world.admin, key)).version == 5  # 4 bookings, 1 override


async def test_an_override_conversation_fed_rapidly_keeps_its_order(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    trainer = Phone(app, fake, TRAINER, "Tom")
    listing = await trainer.send("/sessions week")
    menu = await trainer.tap("✎ Change", await trainer.tap("1 ", listing))
    capacity = button_data(menu, "Capacity")
    await app.start()
    try:
        # Capacity, 13, Capacity again, 12 — in one go, as a fast thumb and a slow network deliver them.
        put(
            app,
            fake.user_callback(TRAINER, menu["message_id"], capacity),
            fake.user_message(TRAINER, "13", first_name="Tom"),
            fake.user_callback(TRAINER, menu["message_id"], capacity, strict=False),
            fake.user_message(TRAINER, "12", first_name="Tom"),
        )
        await until(
            lambda: any("capacity: 10 → 12" in m["text"] for m in fake.sent_messages(TRAINER)), "the menu at 12"
        )
    finally:
        await app.stop()
    menus = [c.params["text"] for c in fake.calls("sendMessage") if "Picked so far" in c.params["text"]]
    assert ["10 → 13" in menus[0], "10 → 12" in menus[1], len(menus)] == [True, True, 2]  # 13 first, then 12
    shown = [m["text"] for m in fake.sent_messages(TRAINER)]
    assert not any("not understood" in text.lower() for text in shown)


async def test_replies_to_the_chat_being_handled_skip_the_bot_wide_guard_and_other_sends_do_not() -> None:
    guard = RepliesFirst(overall_max_rate=1, overall_time_period=60, max_retries=0)  # one send a minute
    await guard.initialize()
    sent: list[int] = []

    async def send(chat: int) -> bool:
        sent.append(chat)
        return True

    async def request(chat: int) -> object:
        return await guard.process_request(send, (chat,), {}, "sendMessage", {"chat_id": chat}, None)

    token = REPLYING_TO.set(ADMIN)
    try:
        # replies: none waits for the guard (under it, the second would wait a minute)
        await asyncio.wait_for(asyncio.gather(*(request(ADMIN) for _ in range(5))), timeout=30)
    finally:
        REPLYING_TO.reset(token)
    await request(TRAINER)  # a notification uses the minute's one send
    waiting = asyncio.ensure_future(request(TRAINER))
    await asyncio.sleep(0.2)
    assert not waiting.done(), "a second notification within the minute waits for the guard"
    waiting.cancel()
    assert sent == [ADMIN] * 5 + [TRAINER]
    await guard.shutdown()
