"""Issue 12, through the real Application: people and things told apart, closed
schedules own their pass template, and no outcome left unsaid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.callbacks import CancelBooking
from bot.context import TraineryApplication
from bot.members.texts import ENROLLED
from bot.notify.texts import render
from domain.notifications import NotificationKind
from domain.errors import ClosedScheduleCancel
from storage.models import BookingRow, PassRow, PersonRow, ScheduleRow
from tests.bot_harness import ADMIN, MEMBER, SUBSTITUTE, TRAINER, app, database_url, fake
from tests.conftest import BERLIN
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, labels
from tests.world import World, berlin

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name
TUESDAY = date(2026, 12, 1)


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, ADMIN, "Ada")


async def say(phone: Phone, text: str) -> str:
    return (await phone.send(text))["text"]


async def count(world: World, table: type) -> int:
    async with world.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table)) or 0


async def ids_named(world: World, name: str) -> list[int]:
    async with world.sessions() as session:
        return list(await session.scalars(select(PersonRow.id).where(PersonRow.name == name).order_by(PersonRow.id)))


# -- 1. people told apart ------------------------------------------------------------------


async def test_reinviting_a_linked_member_creates_nobody_and_says_what_to_do(admin: Phone, world: World) -> None:
    people = await count(world, PersonRow)
    reply = await say(admin, "/invite_member Member 0")  # Member 0 is linked (MEMBER)
    assert reply.splitlines()[0] == "Nobody was invited:"
    assert "Member 0 is a member already and has linked Telegram: no link is needed." in reply
    assert "For another person of that name: /invite_member Member 0 (new)." in reply
    assert await count(world, PersonRow) == people


async def test_inviting_a_linked_trainer_as_member_points_to_appoint(admin: Phone, world: World) -> None:
    reply = await say(admin, "/invite_member tom trainer")
    assert "Tom Trainer is in the studio already (trainer) and has linked Telegram" in reply
    assert "/appoint member; Tom Trainer gives them the role, no link needed." in reply
    assert await ids_named(world, "tom trainer") == [] and len(await ids_named(world, "Tom Trainer")) == 1


async def test_an_unlinked_member_gets_a_fresh_link_for_the_same_record(admin: Phone, world: World) -> None:
    people = await count(world, PersonRow)
    reply = await say(admin, "/invite_member Member 1")
    assert "• Member 1: https://t.me/trainery_test_bot?start=" in reply
    assert reply.endswith("(a fresh link: invited before, not linked yet)")
    assert await count(world, PersonRow) == people


async def test_a_line_with_an_existing_person_is_reviewed_and_invites_only_the_new(admin: Phone, world: World) -> None:
    # Issue 14 changed this: many names are reviewed first, and only the invitable get links.
    people = await count(world, PersonRow)
    reply = await say(admin, "/invite_member Zoe New, Member 0")
    assert reply.splitlines()[:3] == [
        "Before inviting",
        "New (a link each), 1: Zoe New",
        "In the studio already, no link (1):",
    ]
    assert "Member 0 is a member already and has linked Telegram" in reply
    assert await count(world, PersonRow) == people and await ids_named(world, "Zoe New") == []
    await admin.tap("Invite 1")
    assert "• Zoe New: https://t.me/" in admin.screen()["text"]
    assert await count(world, PersonRow) == people + 1


async def test_two_people_of_one_name_are_told_apart_everywhere(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World
) -> None:
    first = world.members[0]
    reply = await say(admin, "/invite_member Member 0 (new)")
    [_, second] = await ids_named(world, "Member 0")
    assert f"• Member 0 #{second}: https://t.me/" in reply
    members = await say(admin, "/members")
    assert f"• Member 0 #{first}\n• Member 0 #{second} — not linked yet" in members

    ambiguous = await say(admin, "/pass_grant Member 0; 10 classes")
    assert ambiguous.startswith(
        f"“Member 0” fits several members: Member 0 #{first}, Member 0 #{second}. "
        f"Add the number to say which, e.g. “Member 0 #{first}”."
    )
    granted = await say(admin, f"/pass_grant Member 0 #{second}; 10 classes")
    assert granted.startswith(f"Granted to Member 0 #{second}: 10 classes, 10 of 10 sessions left")
    assert (await say(admin, f"/passes member 0 #{second}")).startswith(f"Passes of Member 0 #{second}\n• 10 classes")
    assert await say(admin, f"/appoint trainer; Member 0 #{second}") == f"Member 0 #{second} is now a trainer."
    wrong = await say(admin, "/pass_grant Member 0 #999; 10 classes")
    assert wrong.startswith("No member is called “Member 0 #999”: check the name and the number (#999).")

    again = await say(admin, "/invite_member Member 0")  # which one? nobody is guessed
    assert again.startswith(f"Nobody was invited: several people are called Member 0 (Member 0 #{first}, Member 0 #{second}).")
    assert "or write “Member 0 (new)” for yet another person" in again
    assert len(await ids_named(world, "Member 0")) == 2

    from tests.test_admin_commands import inline

    assert await inline(app, fake, ADMIN, "member member 0") == [
        (f"Member 0 #{first}", "member"),
        (f"Member 0 #{second}", "member"),
    ]
    assert await inline(app, fake, ADMIN, f"#{second}") == [
        (f"Member 0 #{second}", "member"),
        (f"Member 0 #{second}", "trainer"),
    ]


async def test_a_name_twice_in_one_line_is_invited_once(admin: Phone, world: World) -> None:
    # Issue 14 changed this: the review names the repeat, and Confirm invites one Zoe.
    reply = await say(admin, "/invite_member Zoe, zoe")
    assert "New (a link each), 1: Zoe\nNamed twice in the line (invited once), 1: zoe" in reply
    assert await ids_named(world, "Zoe") == []
    await admin.tap("Invite 1")
    assert len(await ids_named(world, "Zoe")) == 1


async def test_schedule_titles_are_unique(admin: Phone, world: World) -> None:
    reply = await say(admin, "/schedule_add yoga; once; 2026-12-10; 12:00; 60; 4; Studio A; Tom")
    assert reply.startswith("A schedule called “yoga” exists already.")
    assert "Nothing was changed." in reply and await count(world, ScheduleRow) == 2


# -- 2. a closed schedule owns its pass template ---------------------------------------


async def test_a_closed_schedule_takes_only_a_template_of_its_own(admin: Phone, world: World) -> None:
    line = "/schedule_add Rehab; once; 2026-12-10; 12:00; 60; 4; Studio A; Tom; closed "
    open_template = await say(admin, line + "10 classes")
    assert open_template.startswith("“10 classes” covers Yoga, so it is not a closed schedule's own pass")
    taken = await say(admin, line + "course pass")
    assert taken.startswith("“Course pass” belongs to the closed schedule Back course already")
    assert await count(world, ScheduleRow) == 2


async def test_a_template_naming_a_closed_schedule_is_refused_naming_it(admin: Phone, world: World) -> None:
    reply = await say(admin, "/template_add Bundle; 5; 30; Yoga, Back course")
    assert reply.startswith(
        "Back course is a closed schedule: only “Course pass”, the pass it was closed with, covers it"
    )
    assert "Nothing was changed." in reply
    assert "Bundle" not in await say(admin, "/templates")


async def test_a_grant_says_what_it_enrolled_and_refuses_to_enrol_nobody(admin: Phone, world: World) -> None:
    await say(admin, "/template_add Rehab pass; 4; 30")
    await say(admin, "/schedule_add Rehab; once; 2026-12-10; 12:00; 60; 1; Studio A; Tom; closed rehab pass")
    granted = await say(admin, "/pass_grant Member 0; rehab pass")
    assert granted.splitlines() == [
        "Granted to Member 0: Rehab pass, 3 of 4 sessions left, valid until Wed 30 Dec 2026.",
        "Enrolled in 1 session of Rehab: Thu 10 Dec 12:00.",
        "⚠️ 3 sessions of the pass stay unused: Rehab has only 1 session ahead within the pass's validity.",
    ]
    passes = await count(world, PassRow)
    full = await say(admin, "/pass_grant Member 1; rehab pass")
    assert full.startswith(
        "every session of Rehab ahead that Member 1 is not booked on is full, so “Rehab pass” would enrol "
        "Member 1 in none. Nothing was granted. To make room, raise a session's capacity"
    )
    held = await say(admin, "/pass_grant Member 0; rehab pass")
    assert held.startswith("Member 0 is booked on every session of Rehab ahead already")
    assert await count(world, PassRow) == passes


async def test_a_grant_names_the_full_sessions_it_skipped(admin: Phone, world: World) -> None:
    await say(admin, "/invite_member Extra A, Extra B")
    await admin.tap("Invite 2")
    for name in ("Member 0", "Member 1", "Member 2", "Member 3", "Sue", "Extra A"):  # the course holds 6
        assert "Enrolled in 10 sessions of Back course" in await say(admin, f"/pass_grant {name}; course pass")
    reply = (await say(admin, "/pass_grant Extra B; course pass")).splitlines()
    assert reply[1] == "Enrolled in 3 sessions of Back course: Wed 10 Feb 10:00 – Wed 24 Feb 10:00."
    assert reply[2] == (
        "⚠️ Full, so not enrolled: Wed 02 Dec 10:00, Wed 09 Dec 10:00, Wed 16 Dec 10:00, Wed 23 Dec 10:00, "
        "Wed 30 Dec 10:00, Wed 06 Jan 10:00, Wed 13 Jan 10:00, Wed 20 Jan 10:00 and 2 more."
    )
    assert reply[3] == (
        "⚠️ 7 sessions of the pass stay unused: Back course has only 13 sessions ahead within the pass's "
        "validity (10 full)."
    )


async def test_members_do_not_cancel_their_course_places(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World
) -> None:
    await say(admin, "/pass_grant Member 0; course pass")
    member = Phone(app, fake, MEMBER, "Mia")
    my = await member.send("/my")
    assert "Wed 02 Dec 10:00–11:30 · Back course · course place from your pass; the staff cancel it if needed" in my["text"]
    assert not any("Cancel" in label for label in labels(my))
    async with world.sessions() as session:
        booking = await session.scalar(select(BookingRow.id).where(BookingRow.member_id == world.members[0]))
    assert booking is not None
    for confirmed in (False, True):  # a forged button changes nothing either
        await member.press(CancelBooking(booking, confirmed).encode(), my["message_id"], forged=True)
        answer = member.answer()
        assert answer is not None and answer["show_alert"]
        assert answer["text"] == (ENROLLED if not confirmed else ClosedScheduleCancel.message)
    async with world.sessions() as session:
        assert await session.scalar(select(BookingRow.status).where(BookingRow.id == booking)) == "active"


# -- 3. no silent outcomes ---------------------------------------------------------------


async def test_opening_ones_own_invite_again_says_linked(app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World) -> None:
    reply = await say(admin, "/invite_trainer Tina Hill")
    token = reply.rsplit("start=", 1)[1].split()[0]
    tina = Phone(app, fake, 2001, "Tina")
    assert (await tina.send(f"/start {token}"))["text"].startswith("Welcome, Tina Hill!")
    world.studio.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    again = await say(tina, f"/start {token}")  # used and expired: still, this chat is theirs
    assert again == (
        "You are linked already, Tina Hill: this chat belongs to you in the studio (trainer). "
        "Nothing was changed. Send /help for what you can do."
    )


async def test_a_card_without_actions_says_who_may_act(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    sue = Phone(app, fake, SUBSTITUTE, "Sue")
    card = await sue.tap("1", await sue.send("/sessions 2026-12-01"))
    assert labels(card) == ["◀ List", "↻ Refresh"]
    assert card["text"].endswith("Led by Tom Trainer; only Tom Trainer or an admin can change it.")
    trainer = Phone(app, fake, TRAINER, "Tom")
    world.studio.clock.set(berlin(2026, 12, 1, 19, 30))  # type: ignore[attr-defined]
    over = await trainer.tap("1", await trainer.send("/sessions 2026-12-01"))
    assert over["text"].endswith("This session is over, so it can no longer be changed.")
    assert "✎ Change" not in labels(over)


async def test_cancelling_bookings_by_override_asks_a_reason_and_members_read_it(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    await world.book_all(world.yoga_on(TUESDAY), world.members[:2])
    trainer = Phone(app, fake, TRAINER, "Tom")
    menu = await trainer.tap("✎ Change", await trainer.tap("1", await trainer.send("/sessions 2026-12-01")))
    await trainer.tap("Capacity", menu)
    menu = await trainer.send("6")
    prompt = await trainer.tap("Cancel existing bookings", menu)
    assert labels(prompt) == ["No reason", "◀ Back"]
    too_long = await trainer.send("x" * 501)
    assert too_long["text"].startswith("The reason is too long: at most 500 characters, please.")
    menu = await trainer.send("Moved to the  small hall")
    assert "Reason members are told: “Moved to the small hall”" in menu["text"]
    review = await trainer.tap("Review ▶", menu)
    assert "• Reason members are told: “Moved to the small hall”" in review["text"]
    await trainer.tap("✅ Save", review)
    cancelled = [n for n in await world.notifications() if n.kind == "booking_cancelled"]
    assert len(cancelled) == 2 and all(n.payload["reason"] == "Moved to the small hall" for n in cancelled)
    notice = render(NotificationKind.BOOKING_CANCELLED, cancelled[0].payload, BERLIN, world.studio.now())
    assert "Reason: Moved to the small hall" in notice.text and notice.markup is not None
    assert "Booking is open until Tue 1 Dec 2026, 16:00." in notice.text


async def test_session_screens_tell_trainers_and_members_of_one_name_apart(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World
) -> None:
    await say(admin, "/invite_trainer Tom Trainer (new)")
    await say(admin, "/invite_member Member 0 (new)")
    [_, tom2] = await ids_named(world, "Tom Trainer")
    [member0, twin] = await ids_named(world, "Member 0")
    await say(admin, f"/pass_grant Member 0 #{twin}; 10 classes")
    await world.book_all(world.yoga_on(TUESDAY), [member0, twin])
    trainer = Phone(app, fake, TRAINER, "Tom")
    listing = await trainer.send("/sessions 2026-12-01")
    assert f"Yoga · Studio A · Tom Trainer #{world.trainer} · 2/10" in listing["text"]
    card = await trainer.tap("1", listing)
    bookings = await trainer.tap("Bookings", card)
    assert f"1. Member 0 #{member0}\n2. Member 0 #{twin}" in bookings["text"]
    assert labels(bookings)[:2] == [f"✖ Member 0 #{member0}", f"✖ Member 0 #{twin}"]
    menu = await trainer.tap("✎ Change", await trainer.tap("Session", bookings))
    picker = await trainer.tap("Trainer", menu)
    assert f"• Tom Trainer #{world.trainer}" in labels(picker) and f"Tom Trainer #{tom2}" in labels(picker)
