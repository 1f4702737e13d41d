"""Issue 13 in Telegram, through the real Application and the fake Bot API: `/settings`,
and timed notices as people receive them — a member's reminder with its "Open in /my"
button, a trainer's day, the pass warnings. The studio clock stands at Monday
2026-11-30 08:00 Berlin; MEMBER (1004) is world.members[0], TRAINER (1002) is Tom."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from bot.context import TraineryApplication
from bot.notify.texts import render
from domain.bookings.book import book_session
from domain.clock import FixedClock
from domain.notifications import NotificationKind
from domain.override import OverrideRequest
from domain.reminders.preferences import Preferences
from domain.sessions.override import save_override
from domain.setup.passes import add_template, grant_pass
from storage.models import PersonRow, PersonSettingsRow
from tests.bot_harness import MEMBER, STRANGER, TRAINER, app, database_url, fake
from tests.conftest import BERLIN
from tests.delivery_helpers import deliver
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, button_data, labels
from tests.world import World, berlin

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

TUESDAY = date(2026, 12, 1)


@pytest.fixture
def member(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, MEMBER, "Max")


@pytest.fixture
def trainer(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, TRAINER, "Tom")


async def chats(world: World, fake: FakeBotApi, **people: int) -> None:
    """Give these people (person id -> Telegram user) the private chat notices go to."""
    async with world.sessions() as session:
        for person, user in people.items():
            await session.execute(update(PersonRow).where(PersonRow.id == int(person)).values(chat_id=user))
        await session.commit()
    for user in people.values():
        fake.add_chat(user)


async def scan_and_deliver(app: TraineryApplication, world: World, expected: int) -> None:
    """What the bot process does every 30 s, then the dispatcher sends what it queued."""
    await app.bot_data.services.send_due_notices()
    await deliver(app, world, expected)


async def stored(world: World, person: int) -> Preferences | None:
    async with world.sessions() as session:
        row = await session.get(PersonSettingsRow, person)
        return None if row is None else Preferences(row.person_id, row.reminders, row.trainer_day)


# -- /settings ------------------------------------------------------------------------


async def test_a_member_switches_reminders_off_and_on(member: Phone, world: World) -> None:
    screen = await member.send("/settings")
    assert screen["text"].splitlines() == [
        "Your settings",
        "",
        "🌐 Language: English, from your Telegram app or the studio. Choose one to keep it.",
        "",
        "🔔 Reminders: on — 24 h and 2 h before each session you booked, with how to cancel.",
    ]
    assert labels(screen) == ["🔕 Switch reminders off", "English", "Українська", "Deutsch"]
    screen = await member.tap("Switch reminders off")
    assert member.answer()["text"] == "Reminders off."
    assert "🔕 Reminders: off. Switched on, you get one 24 h and 2 h before each session you booked." in screen["text"]
    assert await stored(world, world.members[0]) == Preferences(world.members[0], reminders=False)
    await member.tap("Switch reminders on")
    assert await stored(world, world.members[0]) == Preferences(world.members[0], reminders=True)


async def test_a_trainer_sees_the_morning_list_and_no_reminders(trainer: Phone, world: World) -> None:
    screen = await trainer.send("/settings")
    assert "☀ Morning list: on — at 07:00, the sessions you lead that day, with how many are booked." in screen["text"]
    assert "Reminders" not in screen["text"]
    await trainer.tap("Switch the morning list off")
    assert await stored(world, world.trainer) == Preferences(world.trainer, trainer_day=False)


async def test_a_forged_reminders_switch_of_a_trainer_is_refused_in_the_domain(trainer: Phone, world: World) -> None:
    screen = await trainer.send("/settings")
    answer = await trainer.press("Pf1:rem:0", screen["message_id"], forged=True)
    assert answer is not None and answer["text"] == "Reminders are for members, before the sessions they booked."
    assert await stored(world, world.trainer) in (None, Preferences(world.trainer))  # Telegram's language is kept


async def test_settings_for_someone_not_of_the_studio(app: TraineryApplication, fake: FakeBotApi) -> None:
    screen = await Phone(app, fake, STRANGER).send("/settings")
    assert screen["text"] == "Settings are for people of this studio. Ask the studio's admin for an invite link."


# -- what people receive ----------------------------------------------------------------


async def test_the_reminder_as_the_member_sees_it_and_its_button_opens_the_booking_in_my(
    app: TraineryApplication, fake: FakeBotApi, world: World, member: Phone
) -> None:
    await chats(world, fake, **{str(world.members[0]): MEMBER})
    booking = await book_session(world.studio, world.members[0], world.yoga_on(TUESDAY), world.members[0])
    assert isinstance(world.studio.clock, FixedClock)
    world.studio.clock.set(berlin(2026, 11, 30, 18))
    await scan_and_deliver(app, world, 1)
    reminder = member.screen()
    assert reminder["text"].splitlines() == [
        "Reminder: Yoga",
        "Tue 1 Dec 2026, 18:00 · Studio A · with Tom Trainer",
        "",
        "Cannot come? Cancel it in /my until 16:00 (the booking deadline).",
        "Reminders can be switched off in /settings.",
    ]
    assert button_data(reminder, "Open in /my") == f"Rb1:{booking.id}"
    await member.tap("Open in /my", reminder)
    my = member.screen()
    assert my["message_id"] != reminder["message_id"]  # the reminder stays as it was
    assert my["text"].startswith("Your booking: Yoga, Tue 01 Dec 18:00. Cancel it below if you cannot come.")
    assert "✖ Cancel 1. Yoga Tue 01 Dec 18:00" in labels(my)
    assert member.fake.message(MEMBER, reminder["message_id"])["text"] == reminder["text"]


async def test_the_trainers_day_as_the_trainer_sees_it(
    app: TraineryApplication, fake: FakeBotApi, world: World, trainer: Phone
) -> None:
    await chats(world, fake, **{str(world.trainer): TRAINER})
    await world.book_all(world.yoga_on(TUESDAY), world.members[:3])
    assert isinstance(world.studio.clock, FixedClock)
    world.studio.clock.set(berlin(2026, 12, 1, 7))
    await scan_and_deliver(app, world, 1)
    assert trainer.screen()["text"].splitlines() == [
        "Your sessions today, Tue 1 Dec 2026",
        "",
        "• 18:00–19:00 Yoga · Studio A · 3/10 booked",
        "",
        "Cards and bookings: /sessions today. This list can be switched off in /settings.",
    ]


async def test_the_pass_warnings_as_the_member_sees_them(
    app: TraineryApplication, fake: FakeBotApi, world: World, member: Phone
) -> None:
    await chats(world, fake, **{str(world.members[0]): MEMBER})
    template = await add_template(world.studio, world.admin, "Two classes", 2, 10, ["Yoga"])
    await grant_pass(world.studio, world.admin, world.members[0], template.id)
    await book_session(world.studio, world.members[0], world.yoga_on(TUESDAY), world.members[0])
    assert isinstance(world.studio.clock, FixedClock)
    world.studio.clock.advance(timedelta(days=3, hours=1))  # Thursday 09:00: 7 days before it expires
    await scan_and_deliver(app, world, 2)
    texts = sorted(m["text"] for m in member.messages())
    assert texts == [
        "One session left on your pass: Two classes\n"
        "It is valid until Thu 10 Dec 2026. Ask the studio for a new pass when you need one.",
        "Your pass expires soon: Two classes\n"
        "It is valid until Thu 10 Dec 2026, with 1 session left. Book them in /book before then.",
    ]


async def test_a_reminder_held_up_while_the_session_moves_arrives_only_for_the_new_time(
    app: TraineryApplication, fake: FakeBotApi, world: World, member: Phone
) -> None:
    """Queued Monday 18:00 while nothing could be sent; the session moved to Wednesday
    before it went out: the member hears of the move, then the reminder of Wednesday."""
    await chats(world, fake, **{str(world.members[0]): MEMBER})
    key = world.yoga_on(TUESDAY)
    await book_session(world.studio, world.members[0], key, world.members[0])
    assert isinstance(world.studio.clock, FixedClock)
    world.studio.clock.set(berlin(2026, 11, 30, 18))
    await app.bot_data.services.send_due_notices()  # queued; no dispatcher runs (an outage)
    world.studio.clock.set(berlin(2026, 11, 30, 18, 30))
    wednesday = berlin(2026, 12, 2, 18)
    await save_override(world.studio, world.admin, key, OverrideRequest(start=wednesday), confirmed=True)
    await scan_and_deliver(app, world, 1)
    [moved] = member.messages()  # the reminder of Tuesday was withdrawn with the move
    assert moved["text"].splitlines()[:2] == [
        "Training rescheduled: Yoga",
        "Time: Tue 1 Dec 2026, 18:00 → Wed 2 Dec 2026, 18:00",
    ]
    world.studio.clock.set(berlin(2026, 12, 1, 18))
    await scan_and_deliver(app, world, 2)
    texts = [m["text"].splitlines()[:2] for m in member.messages()]
    assert texts[1:] == [["Reminder: Yoga", "Wed 2 Dec 2026, 18:00 · Studio A · with Tom Trainer"]]


def test_a_late_reminder_says_it_can_no_longer_be_cancelled() -> None:
    payload = {
        "booking_id": 7,
        "lead_minutes": 120,
        "schedule_id": 1,
        "title": "Yoga <b>",
        "original_start": berlin(2026, 12, 1, 18).isoformat(),
        "start": berlin(2026, 12, 1, 18).isoformat(),
        "space": "Studio A",
        "trainer": "Tom",
        "closed": False,
        "cancel_until": berlin(2026, 12, 1, 16).isoformat(),
    }
    notice = render(NotificationKind.REMINDER, payload, BERLIN, berlin(2026, 12, 1, 16, 1))
    assert notice.text.splitlines()[0] == "<b>Reminder</b>: Yoga &lt;b&gt;"
    assert (
        "It can no longer be cancelled: the booking deadline was 16:00. Ask the staff if you cannot come."
        in notice.text
    )
    unlimited = {
        "pass_id": 3,
        "title": "Month",
        "sessions_left": None,
        "expires_at": berlin(2026, 12, 10, 8).isoformat(),
    }
    assert render(NotificationKind.PASS_EXPIRING, unlimited, BERLIN).text == (
        "<b>Your pass expires soon</b>: Month\nIt is valid until Thu 10 Dec 2026. Book sessions in /book until then."
    )
    course = render(NotificationKind.REMINDER, {**payload, "closed": True}, BERLIN, berlin(2026, 12, 1, 10))
    assert "It is a place in a course: the staff cancel it. Ask them if you cannot come." in course.text
