"""Issue 14 through the real Application: /schedule_edit, /schedule_end and
/schedule_skip, their usage on a wrong line (nothing changed), their effect on the
sessions list and the members' notices, and the pass extension as members read it.
The studio clock stands at Monday 2026-11-30 08:00 Berlin (tests/world.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.callbacks import ScheduleAction, ScheduleCard
from bot.composition import compose
from bot.context import TraineryApplication
from bot.notify.texts import render
from bot.settings import Settings
from bot.texts import help_
from domain.bookings.waitlist import join_waitlist
from domain.override import OverrideRequest
from domain.sessions.override import save_override
from domain.notifications import NotificationKind
from domain.roles import Role
from domain.setup.schedules import list_schedules
from tests.bot_harness import ADMIN, TRAINER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, labels
from tests.world import BERLIN, World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, ADMIN, "Ada")


async def say(phone: Phone, text: str) -> str:
    return (await phone.send(text))["text"]


async def test_editing_a_schedule_from_a_date_on(admin: Phone, world: World) -> None:
    """The transcript in the report: earlier sessions keep 18:00 and Tom; from Tue 8 Dec
    Yoga is at 19:00 with Sue, and the member booked on Thu 10 Dec is told."""
    await world.book_all(world.yoga_on(date(2026, 12, 10)), world.members[:2])
    reply = await say(admin, "/schedule_edit Yoga; from 2026-12-08; time 19:00; trainer Sue")
    assert reply.splitlines() == [
        "Yoga changed from Tue 08 Dec 2026 on: time 18:00 → 19:00; trainer Tom Trainer → Sue Substitute.",
        "Sessions before it keep their values; a session's own changes stay.",
        "1 booked session changed; 2 notices to members.",
        "• Sue Substitute is told that they lead it from Tue 08 Dec 2026 on",
        "• Tom Trainer is told that Sue Substitute leads it from Tue 08 Dec 2026 on",
    ]
    week = await say(Phone(admin.app, admin.fake, TRAINER), "/sessions 2026-12-03 2026-12-10")
    assert "Thu 03 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/10" in week
    assert "Tue 08 Dec 19:00 · Yoga · Studio A · Sue Substitute · 0/10" in week
    assert "Thu 10 Dec 19:00 · Yoga · Studio A · Sue Substitute · 2/10" in week
    [notice, _] = [row for row in await world.notifications() if row.member_id in world.members]
    text = render(NotificationKind(notice.kind), notice.payload, BERLIN).text
    assert text.splitlines() == [
        "<b>Training rescheduled</b>: Yoga",
        "Time: Thu 10 Dec 2026, 18:00 → 19:00",
        "Trainer: Tom Trainer → Sue Substitute",
        "",
        "Your booking is kept for the new time; your pass is unchanged.",
    ]


async def test_a_longer_session_is_told_as_an_update(admin: Phone, world: World) -> None:
    await world.book_all(world.yoga_on(date(2026, 12, 10)), world.members[:1])
    reply = await say(admin, "/schedule_edit Yoga; from 2026-12-08; duration 90; capacity 12")
    assert reply.splitlines()[0] == "Yoga changed from Tue 08 Dec 2026 on: duration 60 min → 90 min; capacity 10 → 12."
    assert reply.splitlines()[-1] == "• Tom Trainer is told that it changes from Tue 08 Dec 2026 on"
    [notice] = [row for row in await world.notifications() if row.member_id in world.members]
    assert render(NotificationKind(notice.kind), notice.payload, BERLIN).text.splitlines() == [
        "<b>Training updated</b>: Yoga",
        "Thu 10 Dec 2026, 18:00",
        "Duration: 60 min → 90 min",
        "",
        "Your booking is kept; your pass is unchanged.",
    ]


async def test_an_edit_meeting_another_schedule_waits_for_confirm(admin: Phone, world: World) -> None:
    await say(admin, "/schedule_add Pilates; weekly thu; 2026-12-03; 19:00; 50; 8; Studio A; Sue")
    line = "/schedule_edit Yoga; from 2026-12-08; time 19:00"
    reply = await say(admin, line)
    assert reply.startswith("Not changed yet — please check first:")
    assert "⚠️ 52 sessions of Yoga meet Pilates in Studio A — the first Thu 10 Dec 19:00–19:50." in reply
    assert f"send the same line with ; confirm at its end:\n{line}; confirm" in reply
    [yoga] = [s for s in await list_schedules(world.studio, world.admin) if s.title == "Yoga"]
    assert yoga == world.yoga
    assert (await say(admin, f"{line}; confirm")).startswith("Yoga changed from Tue 08 Dec 2026 on: time 18:00 → 19:00")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("/schedule_edit Yoga; from 2026-12-08", "Some fields are missing."),
        ("/schedule_edit Yoga; from 8 Dec; time 19:00", "“8 Dec” is not a date like 2026-12-08."),
        ("/schedule_edit Yoga; from 2026-12-08; colour red", "“colour red” is not a change"),
        ("/schedule_edit Yoga; from 2026-12-08; time 25:00", "“25:00” is not a time like 18:00."),
        ("/schedule_edit Yoga; from 2026-12-08; time 19:00; time 20:00", "“time” is given twice"),
        ("/schedule_edit Yoga; from 2026-12-08; capacity many", "The capacity must be a whole number"),
        ("/schedule_edit Yoga; from 2026-12-08; space Studio B", "Studio B holds at most 8"),
        ("/schedule_edit Zumba; from 2026-12-08; capacity 8", "No schedule is called “Zumba”"),
        ("/schedule_edit Yoga; from 2026-11-01; capacity 8", "is in the past"),
        ("/schedule_end Yoga", "Some fields are missing."),
        ("/schedule_end Yoga; soon", "“soon” is not a date like 2026-12-08."),
        ("/schedule_end Yoga; 2026-11-01", "is in the past"),
        ("/schedule_skip Yoga; 2026-12-07", "Yoga has no session on Mon 07 Dec 2026."),
        ("/schedule_skip Yoga", "Some fields are missing."),
        ("/schedule_skip Yoga; 9999-12-31", "9999-12-31 is more than ten years ahead"),
        ("/schedule_skip Yoga; 0001-01-01", "0001-01-01 is in the past; skip today or a later date."),
        ("/schedule_end Yoga; 9999-12-31", "9999-12-31 is more than ten years ahead"),
        ("/schedule_edit Yoga; from 0001-01-01; capacity 5", "0001-01-01 is in the past"),
        ("/schedule_edit Yoga; from 2026-12-08; duration 99999999999999999999", "between 1 and 1440"),
        ("/schedule_edit Yoga; from 2026-12-08; capacity 99999999999999999999999", "from 1 to 10000"),
        ("/schedule_edit Yoga; from 2026-12-08; title ", "“title” is not a change"),
        ("/schedule_edit ;;;;", "That line has fields too many or empty."),
    ],
)
async def test_a_wrong_line_answers_with_usage_and_changes_nothing(
    admin: Phone, world: World, line: str, problem: str
) -> None:
    reply = await say(admin, line)
    command = line.split()[0]
    assert problem in reply and f"Usage: {command} <title>" in reply and f"Example: {command} Yoga" in reply, reply
    assert reply.endswith("Nothing was changed.")
    assert await list_schedules(world.studio, world.admin) == [world.closed, world.yoga]
    assert await world.notifications() == []


async def test_ending_and_skipping(admin: Phone, world: World) -> None:
    await world.book_all(world.yoga_on(date(2026, 12, 10)), world.members[:2])
    await world.book_all(world.yoga_on(date(2026, 12, 3)), world.members[:1])
    preview = await say(admin, "/schedule_skip Yoga; 2026-12-03; Hall repairs")
    assert preview.splitlines() == [
        "Not skipped yet — members hold 1 session of Yoga it cancels:",
        "• Thu 03 Dec 18:00: 1 booking",
        "Their bookings are refunded and everyone is told.",
        "• Tom Trainer will be told that their session is cancelled",
        "",
        "To go ahead, send the same line with ; confirm at its end:",
        "/schedule_skip Yoga; 2026-12-03; Hall repairs; confirm",
    ]
    assert await world.notifications() == []  # nothing changed yet
    skipped = await say(admin, "/schedule_skip Yoga; 2026-12-03; Hall repairs; confirm")
    assert skipped == (
        "Yoga Thu 03 Dec 18:00 is cancelled (Hall repairs): 1 booking refunded, 1 notice to members. "
        "/sessions shows it as cancelled.\n• Tom Trainer is told that their session is cancelled"
    )
    again = await say(admin, "/schedule_skip Yoga; 2026-12-03")
    assert again == "Yoga on Thu 03 Dec 2026 is cancelled already; nothing changed, nobody refunded twice."
    full = world.yoga_on(date(2026, 12, 17))  # one spot, taken, and one in line
    await save_override(world.studio, world.admin, full, OverrideRequest(capacity=1))
    await world.book_all(full, world.members[3:])
    await join_waitlist(world.studio, world.members[2], full, world.members[2])
    preview = await say(admin, "/schedule_end Yoga; 2026-12-08")
    assert preview.splitlines()[:4] == [
        "Not ended yet — members hold 2 sessions of Yoga it cancels:",
        "• Thu 10 Dec 18:00: 2 bookings",
        "• Thu 17 Dec 18:00: 1 booking, 1 waiting",
        "Their bookings are refunded and everyone is told.",
    ]
    assert preview.splitlines()[4] == "• Tom Trainer will be told that their sessions after it are cancelled"
    assert preview.endswith("\n/schedule_end Yoga; 2026-12-08; confirm")
    ended = await say(admin, "/schedule_end Yoga; 2026-12-08; confirm")
    assert ended.splitlines() == [
        "Yoga ends on Tue 08 Dec 2026: no session after it.",
        "2 sessions after it cancelled; 3 bookings refunded; 4 notices to members.",
        "• Tom Trainer is told that their sessions after it are cancelled",
    ]
    listing = await say(admin, "/schedules")
    assert "• Yoga: weekly tue,thu until 2026-12-08; from 2025-01-07 at 18:00" in listing
    shown = await say(Phone(admin.app, admin.fake, TRAINER), "/sessions 2026-12-03 2026-12-17")
    yoga = [line.split(". ", 1)[1] for line in shown.splitlines() if "Yoga" in line]
    assert yoga == [
        "Thu 03 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/10 · ❌ cancelled",  # skipped
        "Tue 08 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/10",  # its last session
        "Thu 10 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/10 · ❌ cancelled",  # held, so shown cancelled
        "Thu 17 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/1 · ❌ cancelled",
    ]
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4
    # The skipped one's, the ended ones' and the line's; Tom once for the skip and once for the end.
    assert len(await world.notifications()) == 7
    assert all(left == ledger for left, ledger in (await world.balances()).values())


async def test_a_cancelled_session_extends_the_pass_and_the_notice_says_until_when(
    app: TraineryApplication, admin: Phone, world: World
) -> None:
    app.bot_data.use_studio(replace(world.studio, pass_extension_days=7))
    await world.book_all(world.yoga_on(date(2026, 12, 3)), world.members[:1])
    await say(admin, "/schedule_skip Yoga; 2026-12-03; Hall repairs; confirm")
    [notice] = [row for row in await world.notifications() if row.member_id in world.members]
    lines = render(NotificationKind(notice.kind), notice.payload, BERLIN).text.splitlines()
    # The pass was granted on Mon 30 Nov for 60 days: 29 Jan, and 7 days more.
    assert lines[-1] == (
        "Your booking is cancelled. The session went back to your pass: 10 sessions left. "
        "Your pass now runs until Fri 05 Feb 2027."
    )


def test_the_extension_setting(world: World) -> None:
    assert Settings(_env_file=None).pass_extension_days == 0  # type: ignore[call-arg]
    assert Settings(_env_file=None, pass_extension_days="").pass_extension_days == 0  # type: ignore[call-arg]
    settings = Settings(_env_file=None, pass_extension_days="14")  # type: ignore[call-arg]
    assert compose(settings, world.sessions).studio.pass_extension_days == 14
    with pytest.raises(ValueError):
        Settings(_env_file=None, pass_extension_days="-1")  # type: ignore[call-arg]


async def test_help_lists_the_new_commands_with_an_example(admin: Phone) -> None:
    before = len(admin.messages())
    await admin.send("/help")
    shown = "\n".join(message["text"] for message in admin.messages()[before:])
    for example in (
        "/schedule_edit Yoga; from 2026-12-08; time 19:00; trainer Sue",
        "/schedule_end Yoga; 2027-03-31",
        "/schedule_skip Yoga; 2026-12-24; Christmas Eve",
    ):
        assert f"Example: {example}" in shown


async def test_a_schedules_card_offers_edit_end_and_skip_filled_in(admin: Phone, world: World) -> None:
    await say(admin, "/schedule_edit Yoga; from 2026-12-08; trainer Sue")
    listing = await admin.send("/schedules")
    assert labels(listing) == ["Back course", "Yoga"]
    card = await admin.tap("Yoga", listing)
    assert card["text"].splitlines() == [
        "Yoga: weekly tue,thu; from 2025-01-07 at 18:00; 60 min; 10 spots; Studio A; Sue Substitute; "
        "deadline 2 hours (studio default)",
        "Until Mon 07 Dec 2026: Yoga at 18:00, 60 min, 10 spots, Studio A, Tom Trainer",
        "Next session: Tue 01 Dec 18:00",
    ]
    assert labels(card) == ["Edit", "End", "Skip a date", "« Schedules"]
    skip = await admin.tap("Skip a date", card)
    assert skip["text"].endswith("\n/schedule_skip Yoga; 2026-12-01; reason for members")
    card = await admin.tap("« Yoga", skip)
    edit = await admin.tap("Edit", card)
    line = "/schedule_edit Yoga; from 2026-12-01; time 18:00; duration 60; capacity 10; space Studio A; trainer Tom Trainer"
    assert edit["text"].endswith("\n" + line)  # the next session's values: before the edit above
    assert (await say(admin, line.replace("time 18:00", "time 17:30"))).startswith(
        "Yoga changed from Tue 01 Dec 2026 on: time 18:00 → 17:30"
    )
    end = await admin.tap("End", await admin.tap("« Yoga", edit))
    assert end["text"].endswith("\n/schedule_end Yoga; 2026-12-01")
    assert labels(await admin.tap("« Schedules", await admin.tap("« Yoga", end))) == ["Back course", "Yoga"]


async def test_a_schedule_card_is_for_admins_only(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    assert world.yoga is not None
    trainer = Phone(app, fake, TRAINER, "Tom")
    shown = await trainer.send("/sessions")
    for data in (ScheduleCard(world.yoga.id).encode(), ScheduleAction(world.yoga.id, "end").encode()):
        answer = await trainer.press(data, shown["message_id"], forged=True)
        assert answer is not None and answer["text"] == "Only admins can do that."
    assert fake.message(TRAINER, shown["message_id"]) == shown  # nothing shown in its place


async def test_help_for_someone_holding_every_role_comes_in_messages_telegram_takes(admin: Phone, world: World) -> None:
    async with world.studio.unit_of_work() as uow:
        await uow.people.grant(world.admin, Role.TRAINER)
        await uow.people.grant(world.admin, Role.MEMBER)
        await uow.commit()
    before = len(admin.messages())
    await admin.send("/help")  # the fake Bot API refuses what Telegram refuses: over 4,096 characters
    sent = admin.messages()[before:]
    every = "\n".join(message["text"] for message in sent)
    roles = frozenset({Role.ADMIN, Role.TRAINER, Role.MEMBER})
    assert len(sent) == len(help_(roles))
    for example in ("/sessions week", "/my", "/schedule_skip Yoga; 2026-12-24; Christmas Eve", "/undelivered 2"):
        assert example in every


async def test_a_card_of_a_schedule_edited_many_times_stays_within_a_message(admin: Phone, world: World) -> None:
    for week in range(12):  # each edit from a later Tuesday: an era each
        day = date(2026, 12, 8) + timedelta(weeks=week)
        await say(admin, f"/schedule_edit Yoga; from {day}; capacity {12 + week % 2}")
    card = await admin.tap("Yoga", await admin.send("/schedules"))
    lines = card["text"].splitlines()
    assert lines[1] == "… 4 earlier changes" and len([line for line in lines if line.startswith("Until ")]) == 8
    assert lines[-1] == "Next session: Tue 01 Dec 18:00"
