"""Issue 14 through the real Application: the one-line commands that correct the
setup, their usage on a wrong line (nothing changed), menus refreshed when a role
goes, and the review of many invites — Confirm creates once, re-checked at the tap."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.context import TraineryApplication
from tests.bot_harness import ADMIN, MEMBER, SUBSTITUTE, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, buttons, labels
from tests.world import World
from bot.menus import commands_for
from domain.roles import Role
from storage.models import InviteRow, PersonRow
from storage.unit_of_work import SqlUnitOfWork

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, ADMIN, "Ada")


async def say(phone: Phone, text: str) -> str:
    return (await phone.send(text))["text"]


def menu(fake: FakeBotApi, chat_id: int) -> list[str]:
    return [c["command"] for c in fake.commands({"type": "chat", "chat_id": chat_id})]


async def people(world: World) -> int:
    async with world.sessions() as session:
        return await session.scalar(select(func.count()).select_from(PersonRow)) or 0


async def test_spaces_are_renamed_limited_and_closed(admin: Phone) -> None:
    assert await say(admin, "/space_rename Studio B; Blue room") == "Space renamed: it is Blue room now."
    assert await say(admin, "/space_capacity blue; 6") == "Blue room holds at most 6 now."
    refused = await say(admin, "/space_capacity blue; 5")
    assert refused.startswith("16 sessions ahead in Blue room hold more than 5: Back course Wed 02 Dec 10:00")
    assert refused.endswith("Nothing was changed.")
    assert await say(admin, "/space_capacity blue; none") == "Blue room has no maximum capacity now."
    await say(admin, "/space_add Gym")
    assert await say(admin, "/space_close gym") == (
        "Space closed: Gym. No session can use it any more; past sessions keep it."
    )
    assert "• Gym — closed\n• Studio A" in await say(admin, "/spaces")


async def test_templates_and_passes_are_corrected(admin: Phone) -> None:
    assert await say(admin, "/template_rename 10 classes; Ten classes") == (
        "Pass template renamed: Ten classes; its passes show the new name."
    )
    assert await say(admin, "/template_cover ten; none") == (
        "Pass template changed: Ten classes: 10 sessions, valid 60 days, covers no schedule yet. "
        "Bookings from now on follow it; bookings made already stay."
    )
    assert await say(admin, "/pass_extend Member 1; ten; 14") == (
        "Extended by 14 days: Member 1's Ten classes, 10 of 10 sessions left, valid until Fri 12 Feb 2027."
    )
    assert await say(admin, "/pass_topup Member 1; ten; 2") == (
        "Topped up by 2 sessions: Member 1's Ten classes, 12 sessions left, valid until Fri 12 Feb 2027."
    )
    assert await say(admin, "/pass_close Member 1; ten") == (
        "Closed: Member 1's Ten classes, 12 sessions left, valid until Fri 12 Feb 2027 (inactive). "
        "No new bookings with it; the bookings made with it stay."
    )
    assert await say(admin, "/template_retire ten") == (
        "Pass template retired: Ten classes. It is granted no more; passes granted with it stay valid."
    )
    assert "• Ten classes: 10 sessions, valid 60 days, covers no schedule yet — retired" in await say(
        admin, "/templates"
    )
    assert (await say(admin, "/pass_grant Member 1; ten")).startswith("No pass template is called “ten”.")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("/space_rename Studio A", "Some fields are missing."),
        ("/space_rename Studio A; studio b", "A space called “studio b” exists already."),
        ("/space_capacity Studio A; many", "The maximum capacity must be a whole number, not “many”."),
        ("/space_close Studio A", "105 sessions ahead use Studio A: Yoga Tue 01 Dec 18:00"),
        ("/space_close Nowhere", "No space is called “Nowhere”."),
        ("/template_rename Nope; X", "No pass template is called “Nope”."),
        ("/template_cover 10 classes; Zumba", "No schedule is called “Zumba”."),
        ("/template_retire", "Some fields are missing."),
        ("/pass_extend Member 1; 10 classes; soon", "The number of days must be a whole number, not “soon”."),
        ("/pass_topup Member 1; 10 classes", "Some fields are missing."),
        ("/pass_close Member 1; Course pass", "No open pass of Member 1 is called “Course pass”."),
        ("/person_rename Member 1; ", "That line has fields too many or empty."),
        ("/role_remove boss; Member 1", "“boss” is not a role: admin, trainer or member."),
        ("/role_remove trainer; Tom", "Tom Trainer leads 121 sessions ahead"),
        ("/member_leave Nobody", "No member is called “Nobody”."),
    ],
)
async def test_a_wrong_edit_line_answers_with_usage_and_changes_nothing(
    admin: Phone, world: World, line: str, problem: str
) -> None:
    before = await world.balances(), await people(world)
    reply = (await say(admin, line)).splitlines()
    command = line.split()[0]
    assert reply[0].startswith(problem)
    assert reply[1].startswith(f"Usage: {command} ") or reply[1] == f"Usage: {command}"
    assert reply[2].startswith(f"Example: {command} ") and reply[3] == "Nothing was changed."
    assert (await world.balances(), await people(world)) == before


async def test_people_are_renamed_lose_roles_and_leave(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World
) -> None:
    assert await say(admin, "/person_rename Member 3; Anna Berg") == "Renamed: Member 3 is Anna Berg now."
    assert await say(admin, "/role_remove trainer; Sue") == "Sue Substitute is no longer a trainer."
    assert menu(fake, SUBSTITUTE) == [c.command for c in commands_for(frozenset({Role.MEMBER}))]
    assert "Only an owner can appoint admins." in await say(admin, "/role_remove admin; Ada")
    await Phone(app, fake, MEMBER).send("/start")
    assert "my" in menu(fake, MEMBER)
    left = await say(admin, "/member_leave Member 0")
    assert left == (
        "Member 0 is no longer a member: 0 bookings ahead cancelled, the sessions returned to their passes; "
        "0 waitlist places dropped; 0 unused invite links revoked."
    )
    assert menu(fake, MEMBER) == ["start", "help"]
    assert "Only admins can do that." == await say(Phone(app, fake, MEMBER), "/space_close Studio A")


async def test_many_invites_are_reviewed_and_confirm_creates_them_once(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World
) -> None:
    before = await people(world)
    review = await admin.send("/invite_member Anna Berg, Member 1, anna berg, Member 0")
    assert review["text"].splitlines() == [
        "Before inviting",
        "New (a link each), 1: Anna Berg",
        "Invited before, not linked yet (a fresh link each), 1: Member 1",
        "Named twice in the line (invited once), 1: anna berg",
        "In the studio already, no link (1):",
        "• Member 0 is a member already and has linked Telegram: no link is needed. "
        "For another person of that name: /invite_member Member 0 (new).",
        "Nothing is created until you confirm; to change the list, send a corrected line instead.",
    ]
    assert labels(review) == ["✅ Invite 2"] and await people(world) == before
    await admin.tap("Invite 2", review)
    assert fake.message(ADMIN, review["message_id"])["text"] == "Invited 2 people: the links follow."  # type: ignore[index]
    links = admin.screen()["text"]
    assert "• Anna Berg: https://t.me/" in links and "• Member 1: https://t.me/" in links
    async with world.sessions() as session:
        invites = await session.scalar(select(func.count()).select_from(InviteRow))
    [(_, data)] = buttons(review)
    answer = await admin.press(data, review["message_id"], forged=True)  # a second tap of the same button
    assert answer is not None and answer["text"] == "This button has expired. Nothing was changed."
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InviteRow)) == invites
    assert await people(world) == before + 1


async def test_a_review_changed_before_confirm_is_shown_again(admin: Phone, world: World) -> None:
    review = await admin.send("/invite_member Zoe, Yan")
    await say(admin, "/invite_member Zoe")  # meanwhile Zoe is invited alone
    before = await people(world)
    again = await admin.tap("Invite 2", review)
    assert again["text"].splitlines()[:3] == [
        "⚠️ The studio changed since the last review; check again.",
        "New (a link each), 1: Yan",
        "Invited before, not linked yet (a fresh link each), 1: Zoe",
    ]
    assert await people(world) == before  # nothing created by the stale review
    await admin.tap("Invite 2", again)
    assert "• Yan: https://t.me/" in admin.screen()["text"] and await people(world) == before + 1


async def test_the_longest_review_keeps_telegrams_limits(admin: Phone, world: World) -> None:
    from tests.test_limits import longest, within_limits

    async with SqlUnitOfWork(world.sessions) as uow:  # people of long names, each name twice: ambiguous
        for n in range(10):
            for _ in range(2):
                await uow.people.add(longest(f"Twin {n}"), [Role.MEMBER], world.studio.now())
        await uow.commit()
    twins = [longest(f"Twin {n}") for n in range(10)]
    new = [longest(f"Newcomer {n:02d}") for n in range(30)]
    line = "/invite_member " + ", ".join(twins + new + new[:20])
    review = await admin.send(line)
    within_limits(review)
    text = review["text"]
    assert len(text) > 3000  # near the limit: the clipping is what keeps it under
    assert "In the studio already, no link (10):" in text and "… and 6 more, none of them invited." in text
    assert text.count("several people are called") == 4 and "New (a link each), 30: " in text
    assert labels(review) == ["✅ Invite 30"]


async def test_help_and_the_admin_menu_list_every_edit(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone
) -> None:
    from bot.admin.edits import RUNS
    from bot.texts import ADMIN_COMMANDS

    await admin.send("/start")
    await admin.send("/help")
    shown = "\n".join(m["text"] for m in admin.messages())
    for name in RUNS:
        assert all(example in shown for example in ADMIN_COMMANDS[name].examples), name
    assert set(RUNS) <= set(menu(fake, ADMIN))
