"""Issue 16.3 in process: the Application is built again on the same database in the
middle of an override — as a new process would after a kill — and the trainer's next
input continues the same draft; a draft whose time-out ran out while the bot was down
ends with nothing changed and the trainer told; one an older version stored is dropped
with a clear message. On SQLite and PostgreSQL; the studio clock stands at Monday 2026-11-30 08:00 Berlin."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.app import build_application
from bot.context import TraineryApplication
from bot.sessions import change
from bot.sessions import texts as session_texts
from domain.bookings.book import book_session
from domain.clock import FixedClock
from domain.sessions.card import find_session
from storage.models import BotStateRow, PersonRow
from tests.bot_harness import MEMBER, TRAINER, fake, settings_for
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, button_data
from tests.world import World, berlin

__all__ = ["fake"]  # a fixture, used by name; the database is either (conftest.py)
TUESDAY = date(2026, 12, 1)
NOT_UNDERSTOOD = "I did not understand that. Send /help for what you can do."


async def booted(fake: FakeBotApi, world: World) -> TraineryApplication:
    """A fresh Application on the world's database: what a new process builds."""
    application = build_application(settings_for(fake), world.sessions)
    application.bot_data.use_studio(world.studio)
    await application.initialize()
    return application


async def killed(application: TraineryApplication) -> None:
    """Gone without a clean stop (kill -9): nothing is flushed on the way out; only the
    HTTP client is closed, so the test leaves no connection behind."""
    await application.bot.shutdown()


async def half_way(fake: FakeBotApi, world: World) -> tuple[Phone, dict]:  # type: ignore[type-arg]
    """The trainer has picked Wednesday for Tuesday's Yoga and is asked for the time."""
    await world.book_all(world.yoga_on(TUESDAY), world.members[:3])
    first = await booted(fake, world)
    trainer = Phone(first, fake, TRAINER, "Tom")
    card = await trainer.tap("1 ", await trainer.send("/sessions week"))
    picker = await trainer.tap("Date & time", await trainer.tap("✎ Change", card))
    ask = await trainer.tap("Wed 02.12", picker)
    assert "Type the start time as HH:MM" in ask["text"]
    await killed(first)
    return trainer, card | {"picker": picker}


async def wait_for_text(fake: FakeBotApi, message_id: int, text: str) -> None:
    for _ in range(400):  # waits for the event, up to 20 s on a loaded machine
        if (fake.message(TRAINER, message_id) or {}).get("text") == text:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"message {message_id} never showed {text!r}")


async def test_a_rebuilt_application_continues_the_draft_and_saves_exactly_the_review(
    fake: FakeBotApi, world: World
) -> None:
    trainer, _ = await half_way(fake, world)
    second = await booted(fake, world)
    trainer.app = second  # the same phone, talking to the new process
    menu = await trainer.send("19:30")
    assert "time: Tue 01 Dec 18:00 → Wed 02 Dec 19:30" in menu["text"]
    review = await trainer.tap("Review ▶", menu)
    assert "• 3 members will be told: “Training rescheduled”" in review["text"]
    outcome = await trainer.tap("✅ Save", review)
    assert "✅ Saved — Yoga · Wed 02 Dec 2026, 19:30–20:30" in outcome["text"]
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert (occurrence.start, occurrence.capacity, occurrence.trainer_id) == (
        berlin(2026, 12, 2, 19, 30),
        10,
        world.trainer,
    )
    assert [n.kind for n in await world.notifications()] == ["training_rescheduled"] * 3
    async with world.sessions() as session:  # the conversation ended: only the outcome is kept
        kept = (await session.scalars(select(BotStateRow.kind))).all()
    assert kept == ["user"]
    await second.shutdown()


async def test_a_draft_whose_time_out_ran_out_while_down_ends_and_says_so(
    fake: FakeBotApi, world: World, clock: FixedClock
) -> None:
    trainer, card = await half_way(fake, world)
    clock.advance(change.TIMEOUT + timedelta(minutes=1))  # down for eleven minutes
    second = await booted(fake, world)
    async with second:
        await second.start()
        # Ended by the start itself, before any update could continue it; then told.
        assert second.user_data[TRAINER].override is None
        assert change.restored(change.conversation_of(second)) == {}  # type: ignore[arg-type]
        await wait_for_text(fake, card["message_id"], session_texts.TIMED_OUT)
        trainer.app = second
        assert (await trainer.send("19:30"))["text"] == NOT_UNDERSTOOD  # no longer read as the time
        day = button_data(card["picker"], "Thu 03.12")  # a button of the vanished draft
        answered = await trainer.press(day, card["message_id"], forged=True)
        assert answered is not None and answered["text"] == session_texts.EXPIRED_BUTTON
        await second.stop()
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert occurrence.start == berlin(2026, 12, 1, 18, 0)
    assert await world.notifications() == []
    async with world.sessions() as session:
        assert (await session.scalars(select(BotStateRow.kind).where(BotStateRow.kind != "user"))).all() == []


async def test_a_draft_with_time_left_keeps_it_and_a_step_after_the_restart_renews_it(
    fake: FakeBotApi, world: World, clock: FixedClock
) -> None:
    trainer, card = await half_way(fake, world)
    clock.advance(timedelta(minutes=4))
    second = await booted(fake, world)
    async with second:
        await second.start()
        (restored,) = [job for job in second.job_queue.jobs() if job.callback is change.expire_restored]
        assert restored.next_t is not None  # the six minutes the draft had left
        assert timedelta(minutes=5) < restored.next_t - datetime.now(UTC) <= timedelta(minutes=6)
        trainer.app = second
        menu = await trainer.send("19:30")  # a step: PTB's own time-out counts from here
        assert "Wed 02 Dec 19:30" in menu["text"]
        await restored.run(second)  # the restored time-out comes due: it leaves the draft alone
        assert second.user_data[TRAINER].override is not None
        assert fake.message(TRAINER, card["message_id"])["text"] != session_texts.TIMED_OUT  # type: ignore[index]
        await second.stop()


async def test_a_draft_an_older_version_stored_is_dropped_with_a_clear_message(fake: FakeBotApi, world: World) -> None:
    trainer, _ = await half_way(fake, world)
    async with world.sessions() as session, session.begin():
        older = json.dumps({"v": 0, "override": {"capacity": 12}})
        await session.execute(update(BotStateRow).where(BotStateRow.kind == "user").values(data=older))
    second = await booted(fake, world)
    async with second:
        await second.start()
        told = await fake.wait_for_message_async(TRAINER, lambda m: m["text"] == session_texts.LOST_IN_RESTART)
        assert told is not None
        trainer.app = second
        assert (await trainer.send("19:30"))["text"] == NOT_UNDERSTOOD
        await second.stop()
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).start == berlin(2026, 12, 1, 18, 0)


async def test_a_members_pending_confirmation_is_answered_after_a_restart(fake: FakeBotApi, world: World) -> None:
    """A member's "cancel my booking?" lives in its button (bot/callbacks.py), not in
    the conversation state: the Yes pressed after a restart cancels the booking once."""
    async with world.sessions() as session, session.begin():
        linked = update(PersonRow).where(PersonRow.id == world.members[0]).values(telegram_user_id=MEMBER)
        await session.execute(linked)
    await book_session(world.studio, world.members[0], world.yoga_on(TUESDAY), world.members[0])
    first = await booted(fake, world)
    member = Phone(first, fake, MEMBER, "Mia")
    ask = await member.tap("Cancel 1.", await member.send("/my"))
    await killed(first)
    second = await booted(fake, world)
    member.app = second
    done = await member.tap("Yes, cancel", ask)
    assert "Cancelled: Yoga, Tue 01 Dec 18:00. The session went back to your pass." in done["text"]
    assert await world.pass_balance(world.members[0]) == 10
    await second.shutdown()


async def test_an_in_process_time_out_is_stored_too(
    fake: FakeBotApi, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A time-out is a job, not an update: it stores its end itself, so a restart
    after it finds no conversation to resume."""
    monkeypatch.setattr(change, "TIMEOUT", timedelta(seconds=0.5))
    application = await booted(fake, world)
    async with application:
        await application.start()
        trainer = Phone(application, fake, TRAINER, "Tom")
        menu = await trainer.tap("✎ Change", await trainer.tap("1 ", await trainer.send("/sessions week")))
        await wait_for_text(fake, menu["message_id"], session_texts.TIMED_OUT)
        for _ in range(400):  # the store follows in a task of its own
            if await stored_kinds(world) == ["user"]:
                break
            await asyncio.sleep(0.05)
        assert await stored_kinds(world) == ["user"]  # the list they came from; no draft, no step
        await application.stop()
    again = await booted(fake, world)
    assert again.user_data[TRAINER].override is None
    await again.shutdown()


async def stored_kinds(world: World) -> list[str]:
    async with world.sessions() as session:
        return list((await session.scalars(select(BotStateRow.kind))).all())


async def test_a_cancel_reason_typed_after_a_restart_reaches_the_members(fake: FakeBotApi, world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY), world.members[:2])
    first = await booted(fake, world)
    trainer = Phone(first, fake, TRAINER, "Tom")
    card = await trainer.tap("1 ", await trainer.send("/sessions week"))
    prompt = await trainer.tap("❌ Cancel session", card)
    assert "Type a reason members will see" in prompt["text"]
    await killed(first)
    second = await booted(fake, world)
    trainer.app = second
    confirm = await trainer.send("Trainer is ill")
    assert "Reason shown to members: “Trainer is ill”" in confirm["text"]
    done = await trainer.tap("Yes, cancel the session", confirm)
    assert "❌ Cancelled — Yoga · Tue 01 Dec 2026" in done["text"]
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert occurrence.cancelled and occurrence.record.cancel_reason == "Trainer is ill"
    assert [n.kind for n in await world.notifications()] == ["training_cancelled"] * 2
    await second.shutdown()
