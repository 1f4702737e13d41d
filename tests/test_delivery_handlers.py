"""The bot side of notifications, through the real Application and the fake Bot API:
the "Book again" button and `/undelivered` (SPEC §2.2, §4), on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from bot.app import build_application
from bot.context import TraineryApplication
from bot.members.book_again import BOOKED, EXPIRED, NOT_A_MEMBER
from bot.admin.undelivered import ALL_DELIVERED, ONLY_ADMINS, PAGE_SIZE
from bot.settings import Settings
from domain.clock import FixedClock
from domain.delivery import BLOCKED, NO_LINKED_CHAT
from domain.notifications import NotificationDraft, NotificationKind
from domain.override import OverrideRequest
from storage.models import BookingRow, PersonRow
from storage.unit_of_work import SqlUnitOfWork
from tests.delivery_helpers import deliver
from tests.fake_bot_api import FakeBotApi
from tests.world import World, berlin
from domain.sessions.cancel import cancel_session
from domain.sessions.override import save_override

TOKEN = "123:ABC"
ADMIN = 1001  # the world's admin
TUESDAY = date(2026, 12, 1)
MEMBER_USER = 5001


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
async def app(fake: FakeBotApi, world: World) -> AsyncIterator[TraineryApplication]:
    settings = Settings(bot_token=TOKEN, bot_api_url=fake.base_url, timezone="Europe/Berlin", owner_ids=[])
    application = build_application(settings, world.sessions)
    application.bot_data.use_studio(world.studio)
    await application.initialize()
    yield application
    await application.shutdown()


async def give_telegram(sessions: async_sessionmaker[AsyncSession], fake: FakeBotApi, member: int, user: int) -> None:
    """The member linked their Telegram account: their user id and private chat."""
    async with sessions() as session:
        await session.execute(update(PersonRow).where(PersonRow.id == member).values(telegram_user_id=user, chat_id=user))
        await session.commit()
    fake.add_chat(user)


async def press(app: TraineryApplication, fake: FakeBotApi, user: int, message_id: int, data: str) -> dict | None:  # type: ignore[type-arg]
    update_json = fake.user_callback(user, message_id, data, strict=False)
    await app.process_update(Update.de_json(update_json, app.bot))
    return fake.answer_of(update_json["callback_query"]["id"])


async def active_bookings_of(world: World, member: int) -> int:
    async with world.sessions() as session:
        return await session.scalar(
            select(func.count()).select_from(BookingRow).where(BookingRow.member_id == member, BookingRow.status == "active")
        ) or 0


async def test_book_again_books_the_member_and_edits_the_notice(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    member = world.members[0]
    await give_telegram(world.sessions, fake, member, MEMBER_USER)
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, [member])
    await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 20), cancel_bookings=True))
    await deliver(app, world, 1)
    [notice] = fake.sent_messages(MEMBER_USER)
    [[button]] = notice["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Book again"
    balance = await world.pass_balance(member)

    answer = await press(app, fake, MEMBER_USER, notice["message_id"], button["callback_data"])

    assert answer is not None and answer["text"] == BOOKED
    assert await active_bookings_of(world, member) == 1
    assert await world.pass_balance(member) == balance - 1  # type: ignore[operator]
    edited = fake.message(MEMBER_USER, notice["message_id"])
    assert edited is not None and "reply_markup" not in edited
    assert edited["text"].startswith("Your booking was cancelled: Yoga")
    assert edited["text"].endswith("You are booked again.")
    assert any(e["type"] == "bold" for e in edited.get("entities", []))  # formatting kept

    again = await press(app, fake, MEMBER_USER, notice["message_id"], button["callback_data"])  # a replayed press
    assert again is not None and again["show_alert"] and "already holds a booking" in again["text"]
    assert await active_bookings_of(world, member) == 1


async def test_book_again_tells_why_when_the_domain_refuses(app: TraineryApplication, fake: FakeBotApi, world: World, clock: FixedClock) -> None:
    member = world.members[0]
    await give_telegram(world.sessions, fake, member, MEMBER_USER)
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, [member])
    await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 20), cancel_bookings=True))
    await deliver(app, world, 1)
    [notice] = fake.sent_messages(MEMBER_USER)
    data = notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    clock.advance(timedelta(days=2))  # the session is over

    answer = await press(app, fake, MEMBER_USER, notice["message_id"], data)

    assert answer is not None and answer["show_alert"] and "already started" in answer["text"]
    assert await active_bookings_of(world, member) == 0
    # The button could only fail from now on: the notice says so and loses it (issue 12).
    edited = fake.message(MEMBER_USER, notice["message_id"]) or {}
    assert "reply_markup" not in edited
    assert edited["text"].endswith("⌛ Too late to book this session again: This session has already started.")


async def test_a_notice_sent_after_the_deadline_offers_no_book_again(app: TraineryApplication, fake: FakeBotApi, world: World, clock: FixedClock) -> None:
    """Issue 12: the button is decided when the notice is sent — after the booking
    deadline it could only fail, so the notice says booking closed instead."""
    member = world.members[0]
    await give_telegram(world.sessions, fake, member, MEMBER_USER)
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, [member])
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=8, cancel_bookings=True, reason="Hall half flooded"))
    clock.set(berlin(2026, 12, 1, 16, 1))  # the deadline (2 h before 18:00) has passed
    await deliver(app, world, 1)
    [notice] = fake.sent_messages(MEMBER_USER)
    assert "reply_markup" not in notice
    assert "Reason: Hall half flooded" in notice["text"]
    assert "Booking it again closed at Tue 1 Dec 2026, 16:00 (the booking deadline); ask the staff." in notice["text"]


async def test_book_again_from_strangers_and_mangled_buttons_is_answered(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    member = world.members[0]
    await give_telegram(world.sessions, fake, member, MEMBER_USER)
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, [member])
    await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 20), cancel_bookings=True))
    await deliver(app, world, 1)
    [notice] = fake.sent_messages(MEMBER_USER)
    data = notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    async with world.sessions() as session:  # the person is no member any more
        await session.execute(update(PersonRow).where(PersonRow.id == member).values(active=False))
        await session.commit()

    assert (await press(app, fake, MEMBER_USER, notice["message_id"], data) or {})["text"] == NOT_A_MEMBER
    assert (await press(app, fake, MEMBER_USER, notice["message_id"], "bk1:x:1") or {})["text"] == EXPIRED
    assert await active_bookings_of(world, member) == 0


async def test_undelivered_lists_failures_newest_first_for_admins_only(
    app: TraineryApplication, fake: FakeBotApi, world: World, clock: FixedClock
) -> None:
    blocked, unlinked = world.members[:2]
    await give_telegram(world.sessions, fake, blocked, MEMBER_USER)
    fake.block_chat(MEMBER_USER)
    fake.add_chat(ADMIN)
    await world.book_all(world.yoga_on(TUESDAY), [blocked, unlinked])
    await world.book_all(world.yoga_on(date(2026, 12, 3)), [unlinked])

    reply = await send(app, fake, ADMIN, "/undelivered")
    assert reply == ALL_DELIVERED

    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY), "Flooded")
    clock.advance(timedelta(minutes=5))
    await save_override(world.studio, 
        world.admin, world.yoga_on(date(2026, 12, 3)), OverrideRequest(trainer_id=world.substitute)
    )
    await deliver(app, world, 6)

    lines = (await send(app, fake, ADMIN, "/undelivered")).splitlines()
    # The trainers' notices too (no linked chats): Tom's of both changes, Sue's of the second.
    assert lines[0] == "Undelivered notifications: 6, newest first"
    entries = [line for line in lines if line.startswith("•")]
    reasons = [line.strip() for line in lines if line.startswith("  ")]
    assert "Training updated (Yoga, Thu 3 Dec 2026, 18:00)" in entries[0] and "Member 1" in entries[0]
    assert "Tom Trainer: Someone else leads your session (Yoga, Thu 3 Dec 2026, 18:00)" in entries[1]
    assert "Sue Substitute: You lead this session (Yoga, Thu 3 Dec 2026, 18:00)" in entries[2]
    assert all("Training cancelled (Yoga, Tue 1 Dec 2026, 18:00)" in entry for entry in entries[3:5])
    assert "Tom Trainer: Your session was cancelled (Yoga, Tue 1 Dec 2026, 18:00)" in entries[5]
    assert reasons[:3] == [f"not delivered: {NO_LINKED_CHAT}"] * 3
    assert sorted(reasons[3:5]) == sorted([f"not delivered: {BLOCKED}", f"not delivered: {NO_LINKED_CHAT}"])

    assert await send(app, fake, MEMBER_USER + 1, "/undelivered") == ONLY_ADMINS
    assert (await send(app, fake, ADMIN, "/undelivered two")).startswith("Usage: /undelivered")


async def send(app: TraineryApplication, fake: FakeBotApi, user: int, text: str) -> str:
    before = len(fake.sent_messages(user))
    update_json = fake.user_message(user, text)
    await app.process_update(Update.de_json(update_json, app.bot))
    messages = fake.sent_messages(user)
    assert len(messages) == before + 1, f"no answer to {text!r}"
    return messages[-1]["text"]


async def test_a_full_page_of_long_names_fits_in_one_message(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    """Names and titles of 200 characters: the page is shortened, never refused."""
    async with world.sessions() as session:
        await session.execute(update(PersonRow).where(PersonRow.id.in_(world.members)).values(name="N" * 200))
        await session.commit()
    payload = {"title": "T" * 200, "start": "2026-12-01T17:00:00+00:00", "schedule_id": 1,
               "original_start": "2026-12-01T17:00:00+00:00"}
    async with SqlUnitOfWork(world.sessions) as uow:
        for number in range(PAGE_SIZE + 2):
            draft = NotificationDraft(world.members[number % 4], NotificationKind.CANCELLED, payload)
            await uow.outbox.add(f"change-{number}", [draft], world.studio.clock.now())
        await uow.commit()
    await deliver(app, world, PAGE_SIZE + 2)  # nobody has a chat: all fail

    text = await send(app, fake, ADMIN, "/undelivered")
    assert text.startswith(f"Undelivered notifications: {PAGE_SIZE + 2}, newest first — page 1 of 2")
    assert text.count("•") == PAGE_SIZE and text.endswith("Older ones: /undelivered 2")
    assert (await send(app, fake, ADMIN, "/undelivered 2")).count("•") == 2


async def test_book_again_on_a_session_that_filled_up_joins_its_waitlist(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    member, other = world.members[:2]
    await give_telegram(world.sessions, fake, member, MEMBER_USER)
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, [member])
    await save_override(world.studio, 
        world.admin, key, OverrideRequest(start=berlin(2026, 12, 1, 20), capacity=1, cancel_bookings=True)
    )
    await world.book_all(key, [other])  # the one spot is taken before the member presses
    await deliver(app, world, 1)
    [notice] = fake.sent_messages(MEMBER_USER)
    data = notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    balance = await world.pass_balance(member)

    answer = await press(app, fake, MEMBER_USER, notice["message_id"], data)

    assert answer is not None and answer["text"] == "The session is full: you are number 1 on its waitlist."
    assert await active_bookings_of(world, member) == 0
    assert await world.pass_balance(member) == balance  # joining costs nothing
    edited = fake.message(MEMBER_USER, notice["message_id"]) or {}
    assert "number 1 on its waitlist" in edited["text"] and "reply_markup" not in edited
