"""Issue 6, point 2: the one-line admin commands through the real Application, with
the database checked afterwards; a wrong or incomplete line answers with its usage
line and an example and changes nothing."""

from __future__ import annotations

import pytest

from bot.context import TraineryApplication
from domain.roles import Role
from tests.bot_harness import ADMIN, MEMBER, TRAINER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone
from tests.world import World
from domain.setup.people import find_person
from domain.setup.schedules import list_schedules
from domain.setup.spaces import list_spaces

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, ADMIN, "Ada")


async def say(phone: Phone, text: str) -> str:
    return (await phone.send(text))["text"]


async def test_spaces(admin: Phone, world: World) -> None:
    assert await say(admin, "/space_add Studio C; 20") == "Space added: Studio C, at most 20."
    assert await say(admin, "/space_add Outdoor court") == "Space added: Outdoor court."
    listing = await say(admin, "/spaces")
    assert "• Studio C (at most 20)" in listing and "• Outdoor court" in listing
    assert [s.name for s in await list_spaces(world.studio, world.admin)] == ["Outdoor court", "Studio A", "Studio B", "Studio C"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("/space_add", "Some fields are missing."),
        ("/space_add Gym; lots", "The maximum capacity must be a whole number, not “lots”."),
        ("/space_add Gym; ²", "The maximum capacity must be a whole number, not “²”."),  # isdigit() but not int()
        ("/space_add studio a", "A space called “studio a” exists already."),
        ("/space_add Gym; 5; 6", "That line has fields too many or empty."),
    ],
)
async def test_a_wrong_space_line_answers_with_usage_and_changes_nothing(
    admin: Phone, world: World, line: str, problem: str
) -> None:
    reply = await say(admin, line)
    assert reply.splitlines() == [
        problem,
        "Usage: /space_add <name>[; <max capacity>]",
        "Example: /space_add Studio C; 20",
        "Nothing was changed.",
    ]
    assert len(await list_spaces(world.studio, world.admin)) == 2


async def test_templates_passes_and_closed_enrolment(admin: Phone, world: World) -> None:
    reply = await say(admin, "/template_add Drop-in; 1; 30; yoga")
    assert reply == "Pass template added: Drop-in: 1 session, valid 30 days, covers Yoga"
    assert "• Course pass: 10 sessions, valid 90 days, covers Back course" in await say(admin, "/templates")
    granted = await say(admin, "/pass_grant member 1; course")
    assert granted.splitlines() == [
        "Granted to Member 1: Course pass, 0 of 10 sessions left, valid until Sun 28 Feb 2027.",
        "Enrolled in 10 sessions of Back course: Wed 02 Dec 10:00 – Wed 03 Feb 10:00.",
    ]
    passes = await say(admin, "/passes Member 1")
    assert "• 10 classes, 10 of 10 sessions left" in passes and "• Course pass, 0 of 10 sessions left" in passes
    assert all(left == total for left, total in (await world.balances()).values())


async def test_schedules(admin: Phone, world: World) -> None:
    line = "/schedule_add Pilates; weekly mon,wed until 2027-03-31; 2026-12-07; 9:00; 50; 8; Studio B; Sue; deadline 4"
    assert await say(admin, line) == "Schedule added: Pilates (open). See it with /sessions."
    await say(admin, "/template_add Rehab pass; 4; 30")  # a closed schedule owns its template (issue 12)
    closed = "/schedule_add Rehab; once; 2026-12-10; 12:00; 60; 4; Studio A; Tom; closed rehab pass"
    assert await say(admin, closed) == "Schedule added: Rehab (closed). See it with /sessions."
    listing = await say(admin, "/schedules")
    assert "• Pilates: weekly mon,wed until 2027-03-31; from 2026-12-07 at 09:00; 50 min; 8 spots; Studio B; Sue Substitute; deadline 4 hours" in listing
    assert "• Rehab: once; on 2026-12-10 at 12:00; 60 min; 4 spots; Studio A; Tom Trainer; closed Rehab pass; deadline 2 hours (studio default)" in listing
    week = (await Phone(admin.app, admin.fake, TRAINER).send("/sessions nextweek"))["text"]
    assert "Mon 07 Dec 09:00 · Pilates · Studio B · Sue Substitute · 0/8" in week
    assert "Thu 10 Dec 12:00 · Rehab" in week


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("/schedule_add Pilates; weekly mon", "Some fields are missing."),
        ("/schedule_add Pilates; yearly; 2026-12-07; 9:00; 50; 8; Studio B; Sue", "“yearly” is not a recurrence"),
        ("/schedule_add Pilates; weekly; 2026-11-02; 9:00; 50; 8; Studio B; Sue", "is in the past"),
        ("/schedule_add Pilates; weekly; 2026-12-07; 25:00; 50; 8; Studio B; Sue", "“25:00” is not a time"),
        ("/schedule_add Pilates; weekly; 2026-12-07; 9:00; 50; 12; Studio B; Sue", "Studio B holds at most 8"),
        ("/schedule_add Pilates; weekly; 2026-12-07; 9:00; 50; 8; Gym; Sue", "No space is called “Gym”"),
        ("/schedule_add Pilates; weekly; 2026-12-07; 9:00; 50; 8; Studio B; Nobody", "No trainer is called “Nobody”"),
        ("/schedule_add Pilates; weekly; 2026-12-07; 9:00; 50; 8; Studio B; Sue; open", "is not an option"),
    ],
)
async def test_a_wrong_schedule_line_changes_nothing(admin: Phone, world: World, line: str, problem: str) -> None:
    reply = await say(admin, line)
    assert problem in reply and "Usage: /schedule_add" in reply and "Example: /schedule_add Yoga" in reply
    assert len(await list_schedules(world.studio, world.admin)) == 2


async def test_people_lists_and_appointing(admin: Phone, world: World) -> None:
    trainers = await say(admin, "/trainers")
    assert trainers == "Trainers\n• Sue Substitute\n• Tom Trainer"
    assert "• Member 0\n" in await say(admin, "/members") and "not linked yet" in await say(admin, "/members")
    assert await say(admin, "/appoint trainer; Member 2") == "Member 2 is now a trainer."
    assert Role.TRAINER in (await find_person(world.studio, world.admin, "Member 2", Role.MEMBER)).roles
    refused = await say(admin, "/appoint admin; Member 2")
    assert refused == "Only an owner can appoint admins."
    assert "“boss” is not a role" in await say(admin, "/appoint boss; Member 2")


async def test_only_admins_may_use_admin_commands(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    for user in (TRAINER, MEMBER, 5555):
        assert await say(Phone(app, fake, user), "/space_add Gym") == "Only admins can do that."
    assert len(await list_spaces(world.studio, world.admin)) == 2


async def test_help_for_an_admin_lists_each_admin_command_with_an_example(admin: Phone) -> None:
    await admin.send("/help")  # several messages since issue 14 (Telegram's 4,096 characters)
    text = "\n".join(m["text"] for m in admin.messages())
    assert all(len(m["text"]) <= 4096 for m in admin.messages())
    for example in ("/undelivered 2", "/space_add Studio C; 20", "/template_add 10 classes; 10; 60; Yoga, Pilates", "/pass_grant Anna Berg; 10 classes", "/appoint trainer; Anna Berg"):
        assert example in text


def menu(fake: FakeBotApi, chat_id: int) -> list[str]:
    return [c["command"] for c in fake.commands({"type": "chat", "chat_id": chat_id})]


async def test_command_menus_per_role_and_refreshed_on_appointment(app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World) -> None:
    await admin.send("/start")
    assert {"sessions", "space_add", "schedule_add", "appoint"} <= set(menu(fake, ADMIN))
    trainer = Phone(app, fake, TRAINER)
    await trainer.send("/start")
    assert menu(fake, TRAINER) == ["start", "help", "sessions", "cancel", "settings", "language"]  # /settings: issue 13; /language: 17
    member = Phone(app, fake, MEMBER)
    await member.send("/start")
    assert menu(fake, MEMBER) == ["start", "help", "my", "book", "settings", "language"]
    await admin.send("/appoint trainer; Member 0")  # Member 0 is MEMBER's person
    assert menu(fake, MEMBER) == ["start", "help", "sessions", "cancel", "my", "book", "settings", "language"]


async def inline(app: TraineryApplication, fake: FakeBotApi, user: int, query: str) -> list[tuple[str, str]]:
    from telegram import Update

    update = fake.user_inline_query(user, query)
    await app.process_update(Update.de_json(update, app.bot))
    answer = fake.inline_answer(update["inline_query"]["id"])
    assert answer is not None, "the inline query was not answered"
    return [(r["title"], r["description"]) for r in answer["results"]]


async def test_inline_mode_offers_matching_names_to_admins(app: TraineryApplication, fake: FakeBotApi) -> None:
    assert await inline(app, fake, ADMIN, "member 1") == [("Member 1", "member")]
    assert await inline(app, fake, ADMIN, "trainers t") == [("Tom Trainer", "trainer"), ("Sue Substitute", "trainer")]
    assert await inline(app, fake, ADMIN, "space studio") == [("Studio A", "space"), ("Studio B", "space")]
    assert await inline(app, fake, ADMIN, "sue") == [("Sue Substitute", "member"), ("Sue Substitute", "trainer")]
    assert await inline(app, fake, ADMIN, "nobody") == []
    assert await inline(app, fake, MEMBER, "member") == []  # names are for admins only
