"""The dispatcher against the fake Bot API, on both databases (SPEC §3, §5): every
member told once, 429 honoured, unreachable members recorded, network errors retried,
restarts and crashes lose nothing and repeat nothing, claims keep two dispatchers
apart, one message a second per chat."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.notify.dispatcher import Dispatcher
from domain.clock import FixedClock
from domain.delivery import BLOCKED, CHAT_NOT_FOUND, NO_LINKED_CHAT
from domain.notifications import NotificationDraft, NotificationKind
from domain.override import OverrideRequest
from domain.studio import Studio
from storage.outbox import LEASE, OutboxStore, enqueued_on
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import BERLIN
from tests.delivery_helpers import (
    RunningClock,
    link_chats,
    messages_per_chat,
    rows,
    wait_for,
    wait_until_settled,
)
from tests.fake_bot_api import FakeBotApi
from tests.world import World
from domain.sessions.cancel import cancel_session
from domain.sessions.override import save_override

TOKEN = "123:ABC"
TUESDAY = date(2026, 12, 1)


def quick_retry(attempts: int) -> timedelta:
    return timedelta(milliseconds=100)


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url) as telegram_bot:
        yield telegram_bot


@pytest.fixture
def running(clock: FixedClock) -> RunningClock:
    return RunningClock(clock.now())


@pytest.fixture
async def make(bot: Bot, sessions: async_sessionmaker[AsyncSession], running: RunningClock):  # type: ignore[no-untyped-def]
    """Builds dispatchers on the test database; any still running are stopped at the end."""
    made: list[Dispatcher] = []

    def build(*, owner: str | None = None, lease: timedelta = LEASE, **options: object) -> Dispatcher:
        options.setdefault("retry_delay", quick_retry)
        queue = OutboxStore(sessions, owner, lease)
        dispatcher = Dispatcher(bot, queue, BERLIN, on_enqueued=enqueued_on(sessions), clock=running, **options)  # type: ignore[arg-type]
        made.append(dispatcher)
        return dispatcher

    yield build
    for dispatcher in made:
        if dispatcher.running:
            await dispatcher.stop()


# Tom cancels his own sessions here, so the members are the whole fan-out: a trainer is
# not told of their own change (the trainers' notices: tests/test_trainer_notices.py).
async def booked_and_linked(world: World, fake: FakeBotApi) -> dict[int, int]:
    await world.book_all(world.yoga_on(TUESDAY))
    return await link_chats(world.sessions, fake, world.members)


async def test_a_cancel_reaches_every_booked_member_once(world: World, fake: FakeBotApi, make) -> None:  # type: ignore[no-untyped-def]
    chats = await booked_and_linked(world, fake)
    dispatcher = make()
    await dispatcher.start()
    try:
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY), "The trainer is ill")
        counts = await wait_until_settled(world.sessions, len(chats))
    finally:
        await dispatcher.stop()
    assert counts == {"sent": len(chats)}
    assert messages_per_chat(fake, chats.values()) == {chat: 1 for chat in chats.values()}
    text = fake.sent_messages(chats[world.members[0]])[0]["text"]
    assert text.startswith("Training cancelled: Yoga")
    assert "Tue 1 Dec 2026, 18:00" in text and "Reason: The trainer is ill" in text
    assert "10 sessions left" in text
    assert all(row.attempts == 1 and row.sent_at is not None for row in await rows(world.sessions))


async def test_429_waits_retry_after_then_delivers(world: World, fake: FakeBotApi, make) -> None:  # type: ignore[no-untyped-def]
    member = world.members[0]
    await world.book_all(world.yoga_on(TUESDAY), [member])
    chats = await link_chats(world.sessions, fake, [member])
    fake.fail_next("sendMessage", 429, retry_after=1)
    dispatcher = make()
    await dispatcher.start()
    try:
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))
        await wait_until_settled(world.sessions, 1)
    finally:
        await dispatcher.stop()
    calls = fake.calls("sendMessage")
    assert [call.status for call in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0  # retry_after honoured
    assert messages_per_chat(fake, chats.values()) == {chats[member]: 1}
    assert dispatcher.stats.flood_waits == 1
    assert [row.status for row in await rows(world.sessions)] == ["sent"]


async def test_unreachable_members_are_recorded_not_retried(world: World, fake: FakeBotApi, make) -> None:  # type: ignore[no-untyped-def]
    await world.book_all(world.yoga_on(TUESDAY))
    blocked, unknown, unlinked, fine = world.members
    chats = await link_chats(world.sessions, fake, [blocked, fine])
    await link_chats(world.sessions, None, [unknown])  # a chat Telegram does not know
    fake.block_chat(chats[blocked])
    dispatcher = make()
    await dispatcher.start()
    try:
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))
        counts = await wait_until_settled(world.sessions, 4)
    finally:
        await dispatcher.stop()
    assert counts == {"sent": 1, "failed": 3}
    by_member = {row.member_id: row for row in await rows(world.sessions)}
    assert by_member[blocked].failure_reason == BLOCKED
    assert by_member[unknown].failure_reason == CHAT_NOT_FOUND
    assert by_member[unlinked].failure_reason == NO_LINKED_CHAT
    assert by_member[unlinked].attempts == 0  # nothing was sent to try
    assert by_member[fine].status == "sent"
    refused = [c for c in fake.calls("sendMessage") if c.status != 200]
    assert sorted(c.status for c in refused) == [400, 403]  # each tried once, not again


async def test_network_errors_and_server_errors_are_retried(world: World, fake: FakeBotApi, make) -> None:  # type: ignore[no-untyped-def]
    first, second = world.members[:2]
    await world.book_all(world.yoga_on(TUESDAY), [first, second])
    chats = await link_chats(world.sessions, fake, [first, second])
    fake.disconnect_next("sendMessage")
    fake.fail_next("sendMessage", 502)
    dispatcher = make()
    await dispatcher.start()
    try:
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))
        counts = await wait_until_settled(world.sessions, 2)
    finally:
        await dispatcher.stop()
    assert counts == {"sent": 2}
    assert messages_per_chat(fake, chats.values()) == {chat: 1 for chat in chats.values()}
    assert dispatcher.stats.retried == 2
    assert sorted(row.attempts for row in await rows(world.sessions)) == [2, 2]


async def test_a_restart_delivers_the_queue_and_repeats_nothing(
    studio: Studio, sessions: async_sessionmaker[AsyncSession], fake: FakeBotApi, make  # type: ignore[no-untyped-def]
) -> None:
    world = await World.build(studio, sessions, members=10)
    chats = await booked_and_linked(world, fake)
    await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))  # queued while no dispatcher runs
    first = make(limit=20)
    await first.start()
    await wait_for(lambda: len(fake.sent_messages()) >= 3, what="first messages")
    await first.stop()
    left = [row for row in await rows(sessions) if row.status == "pending"]
    assert left, "the first dispatcher should have been stopped half-way"
    assert all(row.claimed_by is None for row in left)  # given back on stop
    second = make()
    await second.start()
    try:
        counts = await wait_until_settled(sessions, len(chats))
    finally:
        await second.stop()
    assert counts == {"sent": len(chats)}
    assert messages_per_chat(fake, chats.values()) == {chat: 1 for chat in chats.values()}
    assert first.stats.sent + second.stats.sent == len(chats)


async def test_a_crashed_dispatchers_claims_are_sent_after_its_lease(world: World, fake: FakeBotApi, make) -> None:  # type: ignore[no-untyped-def]
    chats = await booked_and_linked(world, fake)
    await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))
    dead = OutboxStore(world.sessions, "crashed", lease=timedelta(seconds=1))
    held = await dead.claim(RunningClock(world.studio.clock.now()).now(), 2)
    assert len(held) == 2
    dispatcher = make()
    await dispatcher.start()
    try:
        counts = await wait_until_settled(world.sessions, len(chats))
    finally:
        await dispatcher.stop()
    assert counts == {"sent": len(chats)}
    assert messages_per_chat(fake, chats.values()) == {chat: 1 for chat in chats.values()}


async def test_two_dispatchers_never_send_the_same_notification(
    studio: Studio, sessions: async_sessionmaker[AsyncSession], fake: FakeBotApi, make  # type: ignore[no-untyped-def]
) -> None:
    world = await World.build(studio, sessions, members=10)
    chats = await booked_and_linked(world, fake)
    one, two = make(batch=3), make(batch=3)
    await one.start()
    await two.start()
    try:
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))
        counts = await wait_until_settled(sessions, len(chats))
    finally:
        await one.stop()
        await two.stop()
    assert counts == {"sent": len(chats)}
    assert messages_per_chat(fake, chats.values()) == {chat: 1 for chat in chats.values()}
    assert one.stats.sent + two.stats.sent == len(chats)
    assert one.stats.repeated == two.stats.repeated == 0


async def test_one_message_a_second_per_chat(world: World, fake: FakeBotApi, make) -> None:  # type: ignore[no-untyped-def]
    member = world.members[0]
    await world.book_all(world.yoga_on(TUESDAY), [member])
    chat = (await link_chats(world.sessions, fake, [member]))[member]
    fake.chat_rate_limit = 1
    await save_override(world.studio, world.admin, world.yoga_on(TUESDAY), OverrideRequest(trainer_id=world.substitute))
    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    dispatcher = make()
    await dispatcher.start()
    try:
        await wait_until_settled(world.sessions, 5)  # the member's 2, and 3 trainers' notices (no chats: none sent)
    finally:
        await dispatcher.stop()
    calls = fake.calls("sendMessage")
    assert [call.status for call in calls] == [200, 200]  # never refused for flooding the chat
    assert calls[1].at - calls[0].at >= 1.0
    texts = [m["text"] for m in fake.sent_messages(chat)]
    assert texts[0].startswith("Training updated") and texts[1].startswith("Training cancelled")


async def test_a_commit_wakes_the_dispatcher(world: World, fake: FakeBotApi, make) -> None:  # type: ignore[no-untyped-def]
    """With polling far away, only the commit's wake-up can deliver in time."""
    chats = await booked_and_linked(world, fake)
    dispatcher = make(poll_interval=300.0)
    await dispatcher.start()
    try:
        await wait_for(lambda: dispatcher._last_claim > 0, what="first look at the outbox")
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))
        await wait_until_settled(world.sessions, len(chats), timeout=10)
    finally:
        await dispatcher.stop()
    assert messages_per_chat(fake, chats.values()) == {chat: 1 for chat in chats.values()}


async def test_a_notification_that_cannot_be_written_is_recorded(world: World, fake: FakeBotApi, make) -> None:  # type: ignore[no-untyped-def]
    member = world.members[0]
    await link_chats(world.sessions, fake, [member])
    async with SqlUnitOfWork(world.sessions) as uow:
        await uow.outbox.add("broken", [NotificationDraft(member, NotificationKind.CANCELLED, {})], world.studio.clock.now())
        await uow.commit()
    dispatcher = make()
    await dispatcher.start()
    try:
        await wait_until_settled(world.sessions, 1)
    finally:
        await dispatcher.stop()
    [row] = await rows(world.sessions)
    assert row.status == "failed" and row.failure_reason.startswith("could not be written")
    assert fake.calls("sendMessage") == []


async def test_an_outcome_the_database_would_not_take_is_sent_again_not_lost(
    world: World, fake: FakeBotApi, make, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    member = world.members[0]
    await world.book_all(world.yoga_on(TUESDAY), [member])
    chats = await link_chats(world.sessions, fake, [member])
    monkeypatch.setattr("bot.notify.dispatcher.WRITE_RETRIES", (0.0,))
    dispatcher = make(lease=timedelta(milliseconds=500))
    real_mark_sent = dispatcher.store.mark_sent
    failures = iter([True, True])  # the first send's outcome cannot be written, twice

    async def flaky_mark_sent(notification_id: int, now: datetime) -> bool:
        if next(failures, False):
            raise OSError("database went away")
        return await real_mark_sent(notification_id, now)

    monkeypatch.setattr(dispatcher.store, "mark_sent", flaky_mark_sent)
    await dispatcher.start()
    try:
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY))
        counts = await wait_until_settled(world.sessions, 1)
    finally:
        await dispatcher.stop()
    assert counts == {"sent": 1}
    assert messages_per_chat(fake, chats.values()) == {chats[member]: 2}  # repeated once, after its lease


async def test_each_delivery_outcome_is_one_line_with_ids_and_no_text(
    world: World, fake: FakeBotApi, make, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    """Issue 16: an operator reads sent / retrying (reason class) / failed (reason) per
    notification, with its ids, never the message's text or the member's name."""
    await world.book_all(world.yoga_on(TUESDAY))
    blocked, flaky, unlinked, fine = world.members
    chats = await link_chats(world.sessions, fake, [blocked, flaky, fine])
    fake.block_chat(chats[blocked])
    dispatcher = make()
    caplog.set_level("INFO", logger="bot.notify.dispatcher")
    await dispatcher.start()
    try:
        fake.fail_next("sendMessage", 502)  # the first send, whoever's it is, is retried
        await cancel_session(world.studio, world.trainer, world.yoga_on(TUESDAY), "Tom is ill")
        counts = await wait_until_settled(world.sessions, 4)
    finally:
        await dispatcher.stop()
    assert counts == {"sent": 2, "failed": 2}
    outcomes = [r for r in caplog.records if r.name == "bot.notify.dispatcher" and r.getMessage().startswith("notification ")]
    by_row = {row.id: row for row in await rows(world.sessions)}
    lines = [r.getMessage() for r in outcomes]
    for row in by_row.values():
        chat = "-" if row.member_id == unlinked else str(chats[row.member_id])
        start = f"notification {row.id} member {row.member_id} chat {chat}: "
        mine = [line.removeprefix(start) for line in lines if line.startswith(start)]
        final = {blocked: f"failed ({BLOCKED})", unlinked: f"failed ({NO_LINKED_CHAT})"}.get(row.member_id, "sent")
        retries = ["retrying (NetworkError) in 0:00:00.100000"] * (row.attempts - 1)
        assert mine == [*retries, final]
    assert len(lines) == 5  # four outcomes and the one retry
    assert dispatcher.stats.retried == 1
    for line in lines:
        assert "Tom" not in line and "ill" not in line and "Yoga" not in line and "Member" not in line


async def test_far_from_telegram_several_sends_are_in_flight_but_one_per_chat(
    studio: Studio, sessions: async_sessionmaker[AsyncSession], fake: FakeBotApi, make  # type: ignore[no-untyped-def]
) -> None:
    """Issue 15: at a 150 ms round trip the dispatcher keeps several sends in flight,
    within the fake's 30/s, each chat at most one a second (the fake refuses more)."""
    world = await World.build(studio, sessions, members=20)
    yoga = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, yoga, OverrideRequest(capacity=20))
    await world.book_all(yoga)
    chats = await link_chats(sessions, fake, world.members)
    fake.latency, fake.rate_limit, fake.chat_rate_limit = 0.15, 30, 1
    await save_override(world.studio, world.admin, yoga, OverrideRequest(trainer_id=world.substitute))
    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY))  # two for every member
    dispatcher = make()
    await dispatcher.start()
    try:
        # the members' 2 each, and 3 trainers' notices (no chats: recorded, none sent)
        counts = await wait_until_settled(sessions, 2 * len(chats) + 3, timeout=30)
    finally:
        await dispatcher.stop()
    assert counts == {"sent": 2 * len(chats), "failed": 3}
    assert messages_per_chat(fake, chats.values()) == {chat: 2 for chat in chats.values()}
    assert [call.status for call in fake.calls("sendMessage")] == [200] * (2 * len(chats))  # no 429
    assert 1 < dispatcher.stats.most_in_flight <= dispatcher.max_in_flight
