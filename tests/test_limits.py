"""Issue 12: every message the bot sends keeps Telegram's limits — 4,096 characters of
visible text, 100 buttons, 64 bytes of callback data — however large the studio.

Through the real Application against the fake Bot API, which refuses what Telegram
refuses (tests/fake_bot_api.py): a message over a limit would never arrive, so each
test also checks that everything reached the person, page after page. The studios
here are filled with the longest names and titles there may be (100 characters), so
each page shown is the largest that list can draw."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.admin import commands
from bot.callbacks import ADMIN_LISTS
from bot.context import TraineryApplication
from bot.members import keyboards as member_keyboards
from bot.members import texts as member_texts
from bot.render import MAX_BUTTONS, MAX_TEXT, Listing, clip, listing_page, page_of, visible_length
from bot.sessions import keyboards as session_keyboards
from bot.sessions import listing as sessions_listing
from bot.sessions import staff_bookings
from bot.sessions import texts as session_texts
from bot.user_state import ListView
from domain.booking import Booking, BookingStatus, WaitlistEntry
from domain.bookings.book import book_in
from domain.cancellation import MAX_REASON_LENGTH
from domain.directory import Directory
from domain.member_view import BookedSession, MemberOverview, PassView, WaitingPlace
from domain.occurrence import Occurrence, OccurrenceKey, OccurrenceRecord
from domain.passes import Pass
from domain.recurrence import to_utc
from domain.roles import Person, Role
from domain.schedule import Schedule, Space
from domain.setup.names import MAX_NAME
from domain.setup.passes import grant_pass_in
from storage.unit_of_work import SqlUnitOfWork
from tests.bot_harness import ADMIN, MEMBER, TOKEN, TRAINER, app, database_url
from tests.conftest import BERLIN
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, buttons, labels
from tests.world import World

__all__ = ["app", "database_url"]  # fixtures, used by name

JSON = dict[str, Any]
LONGEST_BOT_NAME = "a_studio_with_a_long_name_01_bot"  # Telegram allows 32 characters


@pytest.fixture
def fake() -> Any:
    """The harness's fake, with the longest bot username: invite links at their longest."""
    assert len(LONGEST_BOT_NAME) == 32
    with FakeBotApi(TOKEN, bot_username=LONGEST_BOT_NAME) as api:
        yield api


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, ADMIN, "Ada")


def longest(prefix: str) -> str:
    """A name of MAX_NAME characters, told apart by its beginning."""
    return (prefix + " " + "Longname-Doublebarrel" * 5)[:MAX_NAME]


def within_limits(message: JSON) -> None:
    assert len(message["text"]) <= MAX_TEXT  # the fake stores the visible text, as Telegram does
    assert len(buttons(message)) <= MAX_BUTTONS
    assert all(len(data.encode()) <= 64 for _, data in buttons(message))


async def all_pages(phone: Phone, first: JSON) -> list[JSON]:
    """The first page and every page Next ▶ leads to, each as it was shown."""
    pages = [first]
    while "Next ▶" in labels(pages[-1]):
        pages.append(await phone.tap("Next ▶", pages[-1]))
        assert len(pages) < 100, "paging never ends"
    for page in pages:
        within_limits(page)
    return pages


def bullets(pages: list[JSON]) -> list[str]:
    return [line[2:] for page in pages for line in page["text"].splitlines() if line.startswith("• ")]


# -- the admin lists ------------------------------------------------------------------


async def test_every_member_of_a_160_member_studio_is_reached_page_by_page(
    admin: Phone, world: World
) -> None:
    names = [longest(f"Member {n:03d}") for n in range(155)]  # and the world's five members
    async with SqlUnitOfWork(world.sessions) as uow:
        for name in names:
            await uow.people.add(name, [Role.MEMBER], world.studio.now())
        await uow.commit()
    pages = await all_pages(admin, await admin.send("/members"))
    shown = [line.removesuffix(" — not linked yet") for line in bullets(pages)]
    assert len(shown) == 160 and len(set(shown)) == 160 and set(names) < set(shown)
    assert len(pages) == 7 and pages[0]["text"].startswith("Members\n• ")
    assert pages[1]["text"].endswith("Members 26–50 of 160 · page 2/7")
    assert labels(pages[0]) == ["Next ▶"] and labels(pages[3]) == ["◀ Previous", "Next ▶"]
    assert labels(pages[-1]) == ["◀ Previous"]
    back = await admin.tap("◀ Previous", pages[-1])
    assert back["text"] == pages[-2]["text"]
    assert max(len(page["text"]) for page in pages) < 3_100  # 25 lines of 119 characters and the span


async def test_a_short_list_is_one_page_without_buttons(admin: Phone) -> None:
    reply = await admin.send("/trainers")
    assert reply["text"] == "Trainers\n• Sue Substitute\n• Tom Trainer"
    assert "reply_markup" not in reply


async def test_a_page_button_reads_the_list_afresh(admin: Phone, world: World) -> None:
    async with SqlUnitOfWork(world.sessions) as uow:
        for n in range(30):
            await uow.people.add(f"Trainer {n:02d}", [Role.TRAINER], world.studio.now())
        await uow.commit()
    first = await admin.send("/trainers")
    async with SqlUnitOfWork(world.sessions) as uow:
        await uow.people.add("Trainer 99", [Role.TRAINER], world.studio.now())
        await uow.commit()
    second = await admin.tap("Next ▶", first)
    assert second["text"].splitlines()[-1] == "Trainers 26–33 of 33 · page 2/2"


async def test_page_buttons_are_for_admins_only_and_check_what_they_name(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World
) -> None:
    trainer = Phone(app, fake, TRAINER, "Tom")
    shown = await trainer.send("/sessions")
    answer = await trainer.press("A1:members:1", shown["message_id"], forged=True)
    assert answer is not None and answer["text"] == "Only admins can do that." and answer["show_alert"]
    listing = await admin.send("/spaces")
    answer = await admin.press(f"P1:{world.trainer}:0", listing["message_id"], forged=True)
    assert answer is not None and answer["text"] == "That member is unknown."
    assert admin.fake.message(ADMIN, listing["message_id"])["text"] == listing["text"]  # nothing redrawn


def test_each_list_has_its_page_button() -> None:
    assert set(commands.LISTS) == ADMIN_LISTS


async def test_spaces_and_templates_with_the_longest_names(admin: Phone, world: World) -> None:
    schedules = await long_schedules(world, 40, closed=False)
    async with SqlUnitOfWork(world.sessions) as uow:
        for n in range(30):
            await uow.spaces.add(longest(f"Space {n:02d}"), 2_147_483_647)
        for n in range(25):
            await uow.passes.add_template(longest(f"Template {n:02d}"), 2_147_483_647, 999_999, [s.id for s in schedules])
        await uow.commit()
    spaces = await all_pages(admin, await admin.send("/spaces"))
    assert len(bullets(spaces)) == 30 + 3 and len(spaces) == 2
    templates = await all_pages(admin, await admin.send("/templates"))
    assert len(bullets(templates)) == 25 + 2 and len(templates) == 3
    covering = [line for line in bullets(templates) if line.startswith("Template 00")][0]
    assert covering.endswith("…")  # 40 titles of 100 characters, clipped visibly
    assert f"covers {schedules[0].title[:50]}" in covering


async def long_schedules(world: World, count: int, *, closed: bool = True) -> list[Schedule]:
    """`count` schedules with the longest title, space, trainer, capacity and rule."""
    rule = "FREQ=WEEKLY;BYDAY=" + ",".join(["MO", "TU", "WE"] * 30)  # days repeated: a rule of any length
    async with SqlUnitOfWork(world.sessions) as uow:
        space = await uow.spaces.add(longest("Space of the schedules"))
        trainer = await uow.people.add(longest("Trainer of the schedules"), [Role.TRAINER], world.studio.now())
        added = [
            await uow.schedules.add(
                Schedule(0, longest(f"Schedule {n:02d}"), rule, date(2026, 12, 1), time(18), timedelta(hours=24),
                         2_147_483_647, space.id, trainer.id, closed=closed,
                         pass_template_id=world.closed_template if closed else None)
            )
            for n in range(count)
        ]
        await uow.commit()
    return added


async def test_many_long_titled_schedules_are_all_shown(admin: Phone, world: World) -> None:
    schedules = await long_schedules(world, 30)
    pages = await all_pages(admin, await admin.send("/schedules"))
    shown = bullets(pages)
    assert len(shown) == 32 and len(pages) == 7  # the world's two and these, 5 a page (a line may name a template too)
    assert all(any(line.startswith(s.title) for line in shown) for s in schedules)
    longest_line = max(shown, key=len)
    assert "weekly mon,tue,wed,mon" in longest_line and "…" in longest_line  # the rule in words, clipped
    assert longest_line.endswith("; closed Course pass; deadline 2 hours (studio default)")
    assert max(len(page["text"]) for page in pages) < 3_600


async def test_the_passes_of_a_member_with_many_passes(admin: Phone, world: World) -> None:
    async with SqlUnitOfWork(world.sessions) as uow:
        template = await uow.passes.add_template(longest("A pass"), 2_147_483_647, 365, [])
        for _ in range(44):
            await grant_pass_in(uow, world.studio, world.admin, world.members[1], template.id)
        await uow.commit()
    pages = await all_pages(admin, await admin.send("/passes Member 1"))
    assert len(bullets(pages)) == 45 and len(pages) == 3
    assert all(page["text"].startswith("Passes of Member 1\n") for page in pages)
    assert pages[-1]["text"].endswith("Passes 37–45 of 45 · page 3/3")  # 18 a page since issue 14 (#id labels)
    assert "#48, 2147483647 of 2147483647 sessions left" in pages[-1]["text"]  # two of one template told apart


# -- invite links: shown once, so every one must arrive ---------------------------------


async def test_70_invites_are_all_delivered_in_messages_within_the_limits(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World
) -> None:
    long_names = [longest(f"Invitee {n:02d}") for n in range(30)]
    short_names = [f"Short {n:02d}" for n in range(40)]
    line = "/invite_member " + ", ".join(long_names + short_names)
    assert len(line) <= MAX_TEXT  # what one can type in Telegram
    await admin.send(line)
    within_limits(admin.screen())  # the review first (issue 14), then the links
    before = len(admin.messages())
    await admin.tap("Invite 70")
    sent = admin.messages()[before:]
    for message in sent:
        within_limits(message)
    assert [m["text"].splitlines()[0][-5:] for m in sent] == ["(1/5)", "(2/5)", "(3/5)", "(4/5)", "(5/5)"]  # 15 a message
    links = [re.fullmatch(r"(.+): (https://t\.me/(\w+)\?start=([\w-]+))", line) for line in bullets(sent)]
    assert [link.group(1) for link in links if link] == long_names + short_names
    assert {link.group(3) for link in links if link} == {LONGEST_BOT_NAME}
    assert len({link.group(4) for link in links if link}) == 70
    assert max(len(m["text"]) for m in sent) < 3_900  # 15 links of up to 241 characters and the heading
    newcomer = Phone(app, fake, 7777, "New")
    last = links[-1]
    assert last is not None and "Welcome, Short 39!" in (await newcomer.send(f"/start {last.group(4)}"))["text"]


async def test_more_than_75_invites_at_once_are_refused_and_change_nothing(admin: Phone, world: World) -> None:
    async with SqlUnitOfWork(world.sessions) as uow:
        before = len(await uow.people.everyone())
    reply = await admin.send("/invite_member " + ", ".join(f"P{n}" for n in range(76)))
    assert reply["text"].splitlines()[0] == "Invite at most 75 members at once; that line names 76."
    assert reply["text"].splitlines()[-1] == "Nothing was changed."
    async with SqlUnitOfWork(world.sessions) as uow:
        assert len(await uow.people.everyone()) == before


# -- /my: a member with 135 bookings -----------------------------------------------------


async def daily_bookings(world: World, member: int, count: int, capacity: int = 5) -> Schedule:
    """A daily schedule of `count` sessions with the longest title, and `member` booked
    on each with an unlimited pass."""
    first = date(2026, 12, 1)
    async with SqlUnitOfWork(world.sessions) as uow:
        schedule = await uow.schedules.add(
            Schedule(0, longest("Daily"), f"FREQ=DAILY;COUNT={count}", first, time(7), timedelta(hours=1),
                     capacity, world.studio_a, world.trainer)
        )
        template = await uow.passes.add_template(longest("Unlimited"), None, 365, [schedule.id])
        await grant_pass_in(uow, world.studio, world.admin, member, template.id)
        for day in range(count):
            start = to_utc(datetime.combine(first + timedelta(days=day), time(7)), BERLIN)
            await book_in(uow, world.studio, world.admin, OccurrenceKey(schedule.id, start), member)
        await uow.commit()
    return schedule


async def test_a_member_with_135_bookings_pages_through_my_and_cancels_on_page_3(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    await daily_bookings(world, world.members[0], 135)
    member = Phone(app, fake, MEMBER, "Max")
    pages = await all_pages(member, await member.send("/my"))
    numbers = [int(m.group(1)) for page in pages for m in re.finditer(r"^(\d+)\. ", page["text"], re.M)]
    assert numbers == list(range(1, 136))
    assert len(pages) == 10  # 135 bookings and two passes, 15 a page
    assert all(f"Page {n}/10" in page["text"] for n, page in enumerate(pages, 1))
    assert "Your passes" in pages[-1]["text"] and all("Your passes" not in page["text"] for page in pages[:-1])
    assert [len([label for label in labels(page) if label.startswith("✖ Cancel")]) for page in pages] == [15] * 9 + [0]
    assert max(len(page["text"]) for page in pages) < 2_900

    third = await member.tap("Next ▶", await member.tap("Next ▶", await member.send("/my")))
    kept = await member.tap("◀ Keep it", await member.tap("✖ Cancel 31.", third))
    assert "Page 3/10" in kept["text"] and "31. " in kept["text"]
    done = await member.tap("Yes, cancel", await member.tap("✖ Cancel 31.", kept))
    assert done["text"].startswith("Cancelled: ") and "Page 3/10" in done["text"]
    assert re.search(r"^31\. ", done["text"], re.M)  # the next one, renumbered, on the same page
    assert await world.active_bookings() == 134


def test_a_page_of_my_at_its_longest_fits() -> None:
    """The arithmetic of MY_PAGE_SIZE on the real texts: bookings whose deadline has
    passed are the longest entries (181 characters); 15 of them under a note naming a
    session, with every heading and the longest time zone name, stay far under the limit."""
    zone = ZoneInfo("America/Argentina/ComodRivadavia")
    schedule = Schedule(1, "T" * MAX_NAME, "FREQ=DAILY", date(2026, 12, 1), time(18), timedelta(hours=1), 10, 1, 1)
    start = datetime(2026, 12, 1, 21, tzinfo=UTC)
    occurrence = Occurrence.of(schedule, OccurrenceRecord(1, start, start), 9)
    booking = Booking(1, 1, 1, 1, BookingStatus.ACTIVE, start)
    a_pass = Pass(1, 1, 1, 2_147_483_647, start, start + timedelta(days=365))
    view = MemberOverview(
        tuple(BookedSession(booking, occurrence, cancellable=False) for _ in range(996)),
        tuple(WaitingPlace(WaitlistEntry(1, 1, 1, start), occurrence, 999) for _ in range(8)),
        tuple(PassView(a_pass, "P" * MAX_NAME) for _ in range(8)),
    )
    note = member_texts.cancelled(occurrence, zone)
    listed = member_texts.entries(view)
    for number in (0, 66, 999):  # all bookings; bookings, places and passes; the last
        page = page_of(listed, number, member_texts.MY_PAGE_SIZE)
        text = member_texts.overview(view, zone, note, page)
        assert visible_length(text) < MAX_TEXT - 1000, visible_length(text)
        assert len([b for row in member_keyboards.overview(page, zone).inline_keyboard for b in row]) <= 15 + 4
    lines = member_texts.overview(view, zone, None, page_of(listed, 66, 15)).splitlines()
    assert max(map(visible_length, lines)) == 181  # "991. " and the rest


# -- staff: who is booked on a large session ----------------------------------------------


async def test_staff_page_through_who_is_booked_and_cancel_on_a_later_page(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    async with SqlUnitOfWork(world.sessions) as uow:
        schedule = await uow.schedules.add(
            Schedule(0, longest("Big class"), "FREQ=DAILY;COUNT=1", date(2026, 12, 1), time(7), timedelta(hours=1),
                     150, world.studio_a, world.trainer)
        )
        template = await uow.passes.add_template("Big pass", None, 365, [schedule.id])
        key = OccurrenceKey(schedule.id, to_utc(datetime(2026, 12, 1, 7), BERLIN))
        names = [longest(f"Booked {n:03d}") for n in range(120)]
        for name in names:
            person = await uow.people.add(name, [Role.MEMBER], world.studio.now())
            await grant_pass_in(uow, world.studio, world.admin, person.id, template.id)
            await book_in(uow, world.studio, world.admin, key, person.id)
        await uow.commit()
    trainer = Phone(app, fake, TRAINER, "Tom")
    card = await trainer.send("/sessions 2026-12-01")
    card = await trainer.tap("1 Big class", card)
    pages = await all_pages(trainer, await trainer.tap("Bookings (120)", card))
    shown = [m.group(1) for page in pages for m in re.finditer(r"^\d+\. (.+)$", page["text"], re.M)]
    assert shown == sorted(names, key=names.index) and len(pages) == 6
    assert max(len(buttons(page)) for page in pages) == 20 + 2 + 1
    third = await trainer.tap("◀ Previous", await trainer.tap("◀ Previous", await trainer.tap("◀ Previous", pages[-1])))
    assert "Bookings 41–60 of 120 · page 3/6" in third["text"]
    back = await trainer.tap("◀ Bookings", await trainer.tap("✖ Booked 045", third))
    assert "page 3/6" in back["text"]
    done = await trainer.tap("Yes, cancel the booking", await trainer.tap("✖ Booked 045", back))
    assert done["text"].startswith(f"{names[45]}'s booking was cancelled") and "page 3/6" in done["text"]
    assert names[45] not in done["text"].split("\n", 1)[1]


def test_a_page_of_the_longest_lines_fits_every_list() -> None:
    """The page sizes of the admin lists, checked on their longest lines."""
    longest_lines = [
        (commands.PEOPLE_PAGE, "• " + "N" * 100 + " #99999 — not linked yet"),
        (commands.SPACES_PAGE, "• " + "N" * 100 + " (at most 2147483647)" + commands.CLOSED),
        (
            commands.TEMPLATES_PAGE,
            "• " + "N" * 100 + ": 2147483647 sessions, valid 999999999 days, covers "
            + clip("T" * 500, commands.COVERS_SHOWN) + commands.RETIRED,
        ),
        (
            commands.SCHEDULES_PAGE,
            "• " + "T" * 100 + ": " + clip("R" * 500, commands.RULE_SHOWN)
            + "; from 2026-12-01 at 18:00; 1440 min; 2147483647 spots; " + "S" * 100 + "; " + "P" * 100
            + " #99999; closed " + "C" * 100 + "; deadline 99999 hours",
        ),
        (
            commands.PASSES_PAGE,
            "• " + "N" * 100 + " #99999, 2147483647 of 2147483647 sessions left, valid until 01 Dec 2026 (inactive)",
        ),
        (staff_bookings.PAGE_SIZE, "999. " + "N" * 100),
    ]
    for size, line in longest_lines:
        listing = Listing("<b>" + "H" * 120 + "</b>", [line] * (size * 3), "", "Longest", size, str)
        text, markup = listing_page(listing, 1)
        assert visible_length(text) < MAX_TEXT - 300, (size, visible_length(text))
        assert markup is not None and len(markup.inline_keyboard[0]) == 2
    invite = "• " + "N" * 100 + f" #99999: https://t.me/{LONGEST_BOT_NAME}?start=" + "t" * 32 + commands.FRESH
    heading = "Invite links for members — send each person their own; each works once, until 07 Dec 2026 08:00."
    sent = commands.in_messages(heading, [invite] * commands.MAX_INVITES, commands.INVITES_PER_MESSAGE)
    assert len(sent) == 5  # a burst one chat takes without a flood wait
    assert all(len(m) < MAX_TEXT - 150 for m in sent)


def test_visible_length_counts_what_telegram_counts() -> None:
    assert visible_length("<b>Yoga</b> &amp; <i>Pilates</i>\n") == len("Yoga & Pilates")
    assert visible_length("💪" * 3) == 3
    assert clip("a  b\nc", 10) == "a b c" and clip("x" * 20, 10) == "x" * 9 + "…"


def test_a_page_of_sessions_and_a_card_at_their_longest_fit() -> None:
    """/sessions keeps its 8 a page: a line of the longest title, space and trainer,
    overridden in every field, is 400 characters (8 of them 3,200); the card with the longest reason fits."""
    zone = ZoneInfo("Europe/Berlin")
    schedule = Schedule(1, "T" * MAX_NAME, "FREQ=DAILY", date(2026, 12, 1), time(18), timedelta(hours=1), 10, 1, 1)
    names = Directory(
        {n: Space(n, "S" * MAX_NAME) for n in (1, 2)},
        {n: Person(n, "P" * MAX_NAME, frozenset({Role.TRAINER})) for n in (1, 2)},
    )
    start = datetime(2026, 12, 1, 17, tzinfo=UTC)
    record = OccurrenceRecord(1, start, start + timedelta(days=1), 2_147_483_647, 2, 2, None, None)
    cancelled = OccurrenceRecord(1, start, start, None, None, None, start, "R" * MAX_REASON_LENGTH)
    page = [Occurrence.of(schedule, record, 2_147_483_647)] * sessions_listing.PAGE_SIZE
    first, last = date(2026, 12, 1), date(2027, 11, 30)
    text = session_texts.listing(first, last, True, page, 99_990, 99_999, 12_499, 12_500, names, zone)
    assert max(map(visible_length, text.splitlines())) == 403  # 400, and the " #2" that tells two trainers of one name apart
    assert visible_length(text) < MAX_TEXT - 500
    markup = session_keyboards.listing(ListView(first, last, True, 5), page, 99_990, 12_500, zone)
    assert sum(len(row) for row in markup.inline_keyboard) <= 8 + 2 + 1
    card = session_texts.card(Occurrence.of(schedule, cancelled), names, zone, note="N" * 500, waiting=999)
    assert visible_length(card) < MAX_TEXT - 2000
