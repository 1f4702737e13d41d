"""Issue 12: what a person meets in the chat — fewer taps and natural words, through
the real Application against the fake Bot API. The studio clock stands at Monday
2026-11-30 08:00 Berlin (tests/world.py)."""

from __future__ import annotations

import ast
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from bot.admin.schedule_words import RecurrenceError, to_rrule, to_words

from bot.callbacks import StartSubstitute, Step
from bot.context import TraineryApplication
from domain.bookings.waitlist import join_waitlist
from domain.override import OverrideRequest
from domain.schedule import Schedule
from domain.schedule_review import ScheduleWarningKind, review_schedule
from domain.sessions.cancel import cancel_session
from domain.sessions.card import find_session
from domain.sessions.override import save_override
from domain.setup.schedules import list_schedules
from storage.models import PersonRow, ScheduleRow
from tests.bot_harness import ADMIN, MEMBER, TRAINER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, button_data, labels
from tests.world import BERLIN, World, berlin

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

TUESDAY = date(2026, 12, 1)


@pytest.fixture
def trainer(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, TRAINER, "Tom")


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi) -> Phone:
    return Phone(app, fake, ADMIN, "Ada")


def all_answered(phone: Phone) -> None:
    assert phone.pressed, "nothing was pressed"
    assert [query for query in phone.pressed if phone.fake.answer_of(query) is None] == []


def toast(phone: Phone) -> str:
    answer = phone.answer()
    assert answer is not None
    return str(answer.get("text", ""))


# -- 1. a substitute in four taps from the list ------------------------------------------


async def test_a_substitute_takes_four_taps_from_the_list(trainer: Phone, world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    listing = await trainer.send("/sessions week")
    card = await trainer.tap("1 ", listing)  # 1
    picker = await trainer.tap("🔁 Substitute", card)  # 2
    assert picker["text"].startswith("Who substitutes for Tom Trainer at Yoga · Tue 01 Dec 2026")
    assert labels(picker) == ["Sue Substitute", "• Tom Trainer", "◀ Back"]
    review = await trainer.tap("Sue Substitute", picker)  # 3: the review, not the menu
    assert "• trainer: Tom Trainer → Sue Substitute" in review["text"]
    assert "• 4 members will be told: “Training updated”" in review["text"]
    assert "• Sue Substitute will be told that they now lead it" in review["text"]
    assert labels(review) == ["✅ Save", "◀ Change more", "✖ Stop"]
    assert (await find_session(world.studio, world.admin, key)).trainer_id == world.trainer  # review changes nothing
    outcome = await trainer.tap("✅ Save", review)  # 4
    assert outcome["text"].startswith("✅ Saved — Yoga · Tue 01 Dec 2026")
    assert len(trainer.pressed) == 4
    assert (await find_session(world.studio, world.admin, key)).trainer_id == world.substitute
    assert [n.kind for n in await world.notifications()] == ["trainer_substitute"] + ["training_updated"] * 4
    assert listing["message_id"] == outcome["message_id"]  # one message, edited in place
    all_answered(trainer)


async def test_a_substitute_who_is_busy_is_a_warning_the_save_confirms(trainer: Phone, world: World) -> None:
    """Sue leads the Back course, moved to Tuesday 18:00: the review warns, its button
    confirms and saves — still four taps."""
    course = world.closed_on(date(2026, 12, 2))
    await save_override(
        world.studio, world.admin, course, OverrideRequest(start=berlin(2026, 12, 1, 18), trainer_id=world.substitute),
        confirmed=True,
    )
    card = await trainer.tap("Yoga", await trainer.send("/sessions tomorrow"))
    review = await trainer.tap("Sue Substitute", await trainer.tap("🔁 Substitute", card))
    assert "⚠️ The trainer is already busy then: Back course Tue 01 Dec 18:00" in review["text"]
    assert labels(review)[0] == "⚠️ Confirm and save"
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).trainer_id == world.trainer
    await trainer.tap("Confirm and save", review)
    assert len(trainer.pressed) == 4
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).trainer_id == world.substitute


async def test_after_a_substitute_the_change_goes_on_as_usual(trainer: Phone, world: World) -> None:
    picker = await trainer.tap("🔁 Substitute", await trainer.tap("1 ", await trainer.send("/sessions week")))
    menu = await trainer.tap("◀ Back", picker)  # from the picker: the whole menu
    assert "Nothing picked yet." in menu["text"] and "Review ▶" in labels(menu)
    menu = await trainer.tap("Sue Substitute", await trainer.tap("Trainer", menu))  # the menu again, not the review
    assert "trainer: Tom Trainer → Sue Substitute" in menu["text"] and "Review ▶" in labels(menu)
    review = await trainer.tap("Review ▶", menu)
    menu = await trainer.tap("◀ Change more", review)
    await trainer.tap("Capacity", menu)
    review = await trainer.tap("Review ▶", await trainer.send("12"))
    assert "• capacity: 10 → 12" in review["text"] and "• trainer: Tom Trainer → Sue Substitute" in review["text"]
    await trainer.tap("Save", review)
    occurrence = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert (occurrence.capacity, occurrence.trainer_id) == (12, world.substitute)


async def test_substitute_is_offered_only_where_another_trainer_could_lead(
    app: TraineryApplication, fake: FakeBotApi, trainer: Phone, world: World
) -> None:
    async with world.sessions() as session:
        await session.execute(update(PersonRow).where(PersonRow.id == world.substitute).values(active=False))
        await session.commit()
    card = await trainer.tap("1 ", await trainer.send("/sessions week"))
    assert "🔁 Substitute" not in labels(card) and "✎ Change" in labels(card)


async def test_a_forged_substitute_changes_nothing(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    key = world.yoga_on(TUESDAY)
    member = Phone(app, fake, MEMBER)
    await member.send("/start")
    await member.press(StartSubstitute(key, 0).encode(), member.screen()["message_id"], forged=True)
    assert "Only trainers and admins" in toast(member)
    assert app.user_data[MEMBER].override is None
    assert (await find_session(world.studio, world.admin, key)).version == 0


# -- 2. the date picker at the session's week, and a typed date --------------------------


async def change_date_of(phone: Phone, command: str) -> dict:  # type: ignore[type-arg]
    card = await phone.tap("1 ", await phone.send(command))
    return await phone.tap("Date & time", await phone.tap("✎ Change", card))


async def test_the_date_picker_opens_at_the_sessions_week_and_jumps_by_weeks(trainer: Phone) -> None:
    picker = await change_date_of(trainer, "/sessions 2027-01-28")  # a Thursday, two months ahead
    assert "type it, e.g. 9.2 or 2027-02-09" in picker["text"]
    days = [label for label in labels(picker) if label[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]
    assert days[0] == "Mon 25.01" and days[-1] == "Sun 07.02" and len(days) == 14
    assert "◀ Earlier" in labels(picker) and "Later ▶" in labels(picker)
    later = await trainer.tap("Later ▶", picker)
    assert labels(later)[0] == "Mon 01.02"
    earlier = await trainer.tap("◀ Earlier", await trainer.tap("◀ Earlier", later))
    assert labels(earlier)[0] == "Mon 18.01"
    ask = await trainer.tap("Fri 22.01", earlier)
    assert "New date: Fri 22 Jan" in ask["text"]


async def test_the_date_picker_never_offers_the_past(trainer: Phone, world: World) -> None:
    world.studio.clock.set(berlin(2026, 12, 2, 9))  # type: ignore[attr-defined]  # a Wednesday
    picker = await change_date_of(trainer, "/sessions 2026-12-03")
    assert labels(picker)[0] == "Wed 02.12" and "Tue 01.12" not in labels(picker)
    assert "◀ Earlier" not in labels(picker) and "Later ▶" in labels(picker)
    back = await trainer.tap("◀ Earlier", await trainer.tap("Later ▶", picker))
    assert labels(back) == labels(picker)


@pytest.mark.parametrize(
    "data",
    [
        Step("wk", 10**18 - 1).encode(),  # no calendar has that day
        Step("wk", 1).encode(),  # the year 1: the picker stays at this week
        Step("d", 10**18 - 1).encode(),
        Step("d", date(2026, 11, 29).toordinal()).encode(),  # yesterday, from an old picker
        Step("d", date(2031, 1, 1).toordinal()).encode(),  # past the furthest day
    ],
)
async def test_a_forged_or_old_picker_button_shows_the_picker(trainer: Phone, world: World, data: str) -> None:
    picker = await change_date_of(trainer, "/sessions week")
    await trainer.press(data, picker["message_id"], forged=True)
    assert trainer.answer() is not None
    assert "Pick the new date" in trainer.screen()["text"] and labels(trainer.screen())[0] == "Mon 30.11"
    assert "New date:" not in trainer.screen()["text"]
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).version == 0


@pytest.mark.parametrize("typed", ["2027-02-09", "9.2.2027", "09.02.", "9.2", " 9.2.27 "])
async def test_a_typed_date_is_taken_at_the_date_step(trainer: Phone, world: World, typed: str) -> None:
    await change_date_of(trainer, "/sessions week")
    ask = await trainer.send(typed)
    assert "New date: Tue 09 Feb. Type the start time" in ask["text"]
    menu = await trainer.send("19:30")  # at 18:00 that Tuesday's own Yoga is
    assert "time: Tue 01 Dec 18:00 → Tue 09 Feb 19:30" in menu["text"]
    await trainer.tap("Save", await trainer.tap("Review ▶", menu))
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).start == berlin(2027, 2, 9, 19, 30)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31.2", "There is no day “31.2” in the calendar: type it like 9.2, 09.02.2027 or 2027-02-09."),
        ("next friday", "“next friday” is not a date: type it like 9.2, 09.02.2027 or 2027-02-09. Or pick a day above."),
        ("29.11.2026", "29.11.2026 is in the past. Type a day from today on, or pick one above."),
        ("1.1.2099", "01.01.2099 is too far ahead: a session moves to 01.12.2028 at the latest. Or pick a day above."),
    ],
)
async def test_a_bad_typed_date_says_why_and_the_step_waits(
    trainer: Phone, world: World, typed: str, expected: str
) -> None:
    await change_date_of(trainer, "/sessions week")
    assert expected in (await trainer.send(typed))["text"]
    assert "New date: Wed 02 Dec" in (await trainer.send("2.12"))["text"]  # still at the date step
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).version == 0


# -- 3. /sessions in the words of its buttons, and dates as people write them -------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/sessions this week", "Sessions Mon 30 Nov – Sun 06 Dec 2026 (all)"),
        ("/sessions Next Week", "Sessions Mon 07 Dec – Sun 13 Dec 2026 (all)"),
        ("/sessions next week mine", "Sessions Mon 07 Dec – Sun 13 Dec 2026 (you lead)"),
        ("/sessions TODAY", "Sessions Mon 30 Nov (all)"),
        ("/sessions Tomorrow", "Sessions Tue 01 Dec (all)"),
        ("/sessions 01.12.2026", "Sessions Tue 01 Dec (all)"),
        ("/sessions 1.12.", "Sessions Tue 01 Dec (all)"),
        ("/sessions 28.11", "Sessions Sat 28 Nov (all)"),  # the nearest 28.11: two days ago
        ("/sessions 2026-12-01 - 2026-12-14", "Sessions Tue 01 Dec – Mon 14 Dec 2026 (all)"),
        ("/sessions 2026-12-01–2026-12-14", "Sessions Tue 01 Dec – Mon 14 Dec 2026 (all)"),
        ("/sessions 2026-12-01-2026-12-14", "Sessions Tue 01 Dec – Mon 14 Dec 2026 (all)"),
        ("/sessions 1.12 – 14.12 mine", "Sessions Tue 01 Dec – Mon 14 Dec 2026 (you lead)"),
        ("/sessions 1.12-14.12", "Sessions Tue 01 Dec – Mon 14 Dec 2026 (all)"),
        ("/sessions 28.12 - 3.1", "Sessions Mon 28 Dec – Sun 03 Jan 2027 (all)"),  # into the next year
    ],
)
async def test_sessions_takes_the_button_words_and_dates_as_people_write_them(
    trainer: Phone, command: str, expected: str
) -> None:
    reply = await trainer.send(command)
    assert expected in reply["text"], reply["text"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/sessions 14.12.2026 - 1.12.2026", "ends before it starts"),
        ("/sessions 1.1.2026 - 1.6.2027", "longer than 366 days"),
        ("/sessions 31.2", "could not read “31.2”"),
        ("/sessions last week", "could not read “last”"),
        ("/sessions 1.12 - 7.12 - 14.12", "more than a range"),
    ],
)
async def test_a_wrong_range_in_new_words_is_answered_and_lists_nothing(
    trainer: Phone, command: str, expected: str
) -> None:
    reply = await trainer.send(command)
    assert expected in reply["text"] and not reply.get("reply_markup")


# -- 4. a second tap on Save or Confirm leaves the outcome standing ------------------------


async def test_a_second_tap_on_confirm_cancel_leaves_the_outcome_and_toasts(trainer: Phone, world: World) -> None:
    await world.book_all(world.yoga_on(TUESDAY))
    card = await trainer.tap("1 ", await trainer.send("/sessions week"))
    confirm = await trainer.tap("No reason", await trainer.tap("❌ Cancel session", card))
    data = button_data(confirm, "Yes, cancel")
    await trainer.press(data, confirm["message_id"])
    outcome = trainer.screen()
    assert outcome["text"].startswith("❌ Cancelled — Yoga") and toast(trainer) == "Cancelled"
    await trainer.press(data, confirm["message_id"], forged=True)
    assert toast(trainer) == "Already cancelled — nothing was changed twice."
    assert trainer.screen() == outcome and trainer.fake.message(TRAINER, outcome["message_id"]) == outcome
    assert len(await world.notifications()) == 4
    assert [await world.pass_balance(m) for m in world.members] == [10] * 4
    all_answered(trainer)


async def test_an_old_save_of_another_message_still_shows_the_fresh_card(trainer: Phone, world: World) -> None:
    """Only the message that shows the outcome keeps it; a Save left on an older review
    (the trainer reviewed, then started over from the card) shows the session now."""
    card = await trainer.tap("1 ", await trainer.send("/sessions week"))
    review = await trainer.tap("Sue Substitute", await trainer.tap("🔁 Substitute", card))
    old_save = button_data(review, "Save")
    await trainer.tap("Save", review)
    other = await trainer.tap("1 ", await trainer.send("/sessions week"))
    await trainer.press(old_save, other["message_id"], forged=True)
    assert "Trainer: Sue Substitute" in trainer.screen()["text"]
    assert (await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))).version == 1


# -- 6. counted words, pass expiry as a day, a closed course as its enrolment -------------


async def test_counts_of_one_read_as_one(trainer: Phone, world: World) -> None:
    key = world.yoga_on(TUESDAY)
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=1))
    await world.book_all(key, world.members[:1])
    await join_waitlist(world.studio, world.members[1], key, world.members[1])
    card = await trainer.tap("1 ", await trainer.send("/sessions week"))
    confirm = await trainer.tap("No reason", await trainer.tap("❌ Cancel session", card))
    assert "• 1 booking will be cancelled, 1 pass session refunded" in confirm["text"]
    assert "• 2 members will be told: “Training cancelled”" in confirm["text"]
    assert "• 1 member on the waitlist will be taken off it (nothing deducted)" in confirm["text"]
    done = await trainer.tap("Yes, cancel", confirm)
    assert "• 1 booking was cancelled, 1 pass session refunded" in done["text"]
    assert "• 2 members are told: “Training cancelled”" in done["text"]
    assert "• 1 member on the waitlist was taken off it" in done["text"]


def test_no_text_of_the_bot_counts_with_an_s_in_brackets() -> None:
    """“3 member(s)” is how a program counts; people write “3 members” (ngettext, bot/i18n.py)."""
    found = []
    for path in Path("bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "(s)" in node.value:
                found.append(f"{path}:{node.lineno}")
    assert found == []


async def test_pass_expiry_is_a_day_and_a_closed_course_shows_its_enrolment(
    app: TraineryApplication, fake: FakeBotApi, admin: Phone, world: World
) -> None:
    granted = (await admin.send("/pass_grant Member 0; Course pass"))["text"]
    assert granted.splitlines()[0] == "Granted to Member 0: Course pass, 0 of 10 sessions left, valid until Sun 28 Feb 2027."
    passes = (await admin.send("/passes Member 0"))["text"]
    assert "• 10 classes, 10 of 10 sessions left, valid until Fri 29 Jan 2027\n" in passes
    member = Phone(app, fake, MEMBER, "Max")
    text = (await member.send("/my"))["text"]
    assert "• Course pass: enrolled: 10 sessions booked, valid until Sun 28 Feb 2027" in text
    assert "Course pass: 0 sessions left" not in text
    assert "• 10 classes: 10 sessions left, valid until Fri 29 Jan 2027\n" in text
    await cancel_session(world.studio, world.admin, world.closed_on(date(2026, 12, 9)), None)  # refunded
    text = (await member.send("/my"))["text"]
    assert "• Course pass: enrolled: 9 sessions booked, 1 session left, valid until Sun 28 Feb 2027" in text


# -- 5. /schedules in the words of /schedule_add -----------------------------------------

FORMS = [
    f"{kind}{days}{every}{end}"
    for kind, days in [("once", "")] + [(k, "") for k in ("daily", "weekly", "monthly")] + [("weekly", " tue,thu")]
    for every in ("", " every 2")
    for end in ("", " until 2027-06-30", " for 10")
    if kind != "once" or (every, end) == ("", "")
]


@pytest.mark.parametrize("words", FORMS)
def test_every_form_the_parser_takes_reads_back_in_the_same_words(words: str) -> None:
    rule = to_rrule(words)
    assert to_words(rule) == words
    assert to_rrule(to_words(rule) or "") == rule


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Weekly Monday, Thursday", "weekly mon,thu"),
        ("weekly until 2027-01-01 every 3", "weekly every 3 until 2027-01-01"),
        ("daily for 1", "once"),
        ("monthly every 02", "monthly every 2"),
    ],
)
def test_other_spellings_read_back_in_the_plain_words(typed: str, shown: str) -> None:
    assert to_words(to_rrule(typed)) == shown and to_rrule(shown) == to_rrule(typed)


WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "Thursday", "SAT"]


@st.composite
def recurrence_lines(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["once", "daily", "weekly", "monthly"]))
    if kind == "once":
        return kind
    words = [kind]
    if kind == "weekly" and draw(st.booleans()):
        words.append(draw(st.sampled_from([",", ", "])).join(draw(st.lists(st.sampled_from(WEEKDAY_NAMES), min_size=1, max_size=7))))
    options = [f"every {draw(st.integers(1, 52))}"] if draw(st.booleans()) else []
    end = draw(st.sampled_from(["", "until", "for"]))
    if end == "until":
        options.append(f"until {draw(st.dates(date(2000, 1, 1), date(2100, 12, 31))).isoformat()}")
    elif end == "for":
        options.append(f"for {draw(st.integers(1, 1000))}")
    return " ".join(words + draw(st.permutations(options)))


@given(recurrence_lines())
def test_any_line_the_parser_takes_round_trips_through_its_words(line: str) -> None:
    rule = to_rrule(line)
    words = to_words(rule)
    assert words is not None
    assert to_rrule(words) == rule and to_words(to_rrule(words)) == words


@given(st.text(max_size=80))
def test_any_rule_the_parser_writes_has_words(text: str) -> None:
    try:
        rule = to_rrule(text)
    except RecurrenceError:
        return
    assert to_words(rule) is not None and to_rrule(to_words(rule) or "") == rule


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;BYMONTHDAY=3", "FREQ=DAILY;BYDAY=MO,TU", "FREQ=YEARLY", "FREQ=WEEKLY;BYDAY=XX", "FREQ=DAILY;UNTIL=20270101T000000", "FREQ=DAILY;INTERVAL=02", "junk", "FREQ=DAILY;FREQ=WEEKLY"])
def test_a_rule_the_words_cannot_say_has_none(rule: str) -> None:
    assert to_words(rule) is None


async def test_schedules_are_listed_in_the_words_they_were_added_with(admin: Phone, world: World) -> None:
    line = "/schedule_add Pilates; weekly mon,wed every 2 until 2027-03-31; 2026-12-07; 9:00; 50; 1; Studio B; Sue; deadline 1"
    assert (await admin.send(line))["text"] == "Schedule added: Pilates (open). See it with /sessions."
    listing = (await admin.send("/schedules"))["text"]
    assert "• Pilates: weekly mon,wed every 2 until 2027-03-31; from 2026-12-07 at 09:00; 50 min; 1 spot; Studio B; Sue Substitute; deadline 1 hour" in listing
    assert "• Back course: weekly wed for 20; from 2026-11-04 at 10:00; 90 min; 6 spots; Studio B; Tom Trainer; closed Course pass; deadline 2 hours (studio default)" in listing
    assert "• Yoga: weekly tue,thu; from 2025-01-07 at 18:00; 60 min; 10 spots; Studio A; Tom Trainer; deadline 2 hours (studio default)" in listing
    assert "FREQ=" not in listing
    stored = {s.title: s.rrule for s in await list_schedules(world.studio, world.admin)}
    shown = listing.split("• Pilates: ")[1].split(";")[0]
    assert to_rrule(shown) == stored["Pilates"]  # what /schedules shows, /schedule_add takes back


async def test_a_rule_without_words_is_shown_as_it_is(admin: Phone, world: World) -> None:
    async with world.sessions() as session:
        await session.execute(update(ScheduleRow).where(ScheduleRow.title == "Yoga").values(rrule="FREQ=MONTHLY;BYMONTHDAY=3"))
        await session.commit()
    assert "• Yoga: FREQ=MONTHLY;BYMONTHDAY=3; from 2025-01-07" in (await admin.send("/schedules"))["text"]


# -- 7. /schedule_add warns of clashes and skipped months; confirm adds ---------------------


@pytest.mark.parametrize(
    ("line", "warning"),
    [
        (
            "/schedule_add Pilates; weekly tue for 4; 2026-12-01; 18:30; 60; 8; Studio A; Sue",
            "⚠️ 4 sessions of Pilates meet Yoga in Studio A — the first Tue 01 Dec 18:00–19:00.",
        ),
        (
            "/schedule_add Strength; once; 2026-12-03; 18:15; 30; 8; Studio B; Tom",
            "⚠️ 1 session of Strength meets Yoga, which Tom Trainer leads — Thu 03 Dec 18:00–19:00.",
        ),
        (
            "/schedule_add Review; monthly; 2026-12-31; 10:00; 60; 4; Studio A; Sue",
            "⚠️ Review repeats monthly on the 31st, so it skips the months without one: "
            "Feb 2027, Apr 2027, Jun 2027, Sep 2027, Nov 2027. Start on the 28th or earlier to meet every month.",
        ),
    ],
)
async def test_a_schedule_with_warnings_is_added_only_when_confirmed(
    admin: Phone, world: World, line: str, warning: str
) -> None:
    reply = (await admin.send(line))["text"]
    assert reply.startswith("Not added yet — please check first:")
    assert warning in reply
    assert f"send the same line with ; confirm at its end:\n{line}; confirm" in reply
    assert len(await list_schedules(world.studio, world.admin)) == 2  # nothing stored
    added = (await admin.send(f"{line}; confirm"))["text"]
    assert added.startswith("Schedule added:")
    assert len(await list_schedules(world.studio, world.admin)) == 3


async def test_both_clashes_are_told(admin: Phone, world: World) -> None:
    reply = (await admin.send("/schedule_add Twin; weekly thu for 2; 2026-12-03; 18:00; 60; 8; Studio A; Tom"))["text"]
    assert "⚠️ 2 sessions of Twin meet Yoga in Studio A — the first Thu 03 Dec 18:00–19:00." in reply
    assert "⚠️ 2 sessions of Twin meet Yoga, which Tom Trainer leads — the first Thu 03 Dec 18:00–19:00." in reply


async def test_a_schedule_without_warnings_is_added_at_once(admin: Phone, world: World) -> None:
    for line in (
        "/schedule_add Early; weekly tue; 2026-12-01; 17:00; 60; 8; Studio A; Tom",  # ends as Yoga begins
        "/schedule_add Monthly; monthly; 2026-12-28; 10:00; 60; 4; Studio A; Sue",  # every month has a 28th
        "/schedule_add Late; once; 2026-12-01; 18:30; 60; 8; Studio B; Sue",  # another space, another trainer
    ):
        assert (await admin.send(line))["text"].startswith("Schedule added:"), line
    assert len(await list_schedules(world.studio, world.admin)) == 5


async def test_sessions_as_they_are_now_decide_a_clash(admin: Phone, world: World) -> None:
    """Cancelled sessions keep nothing busy; a moved one keeps its new hour busy."""
    await cancel_session(world.studio, world.admin, world.yoga_on(TUESDAY), None)
    await save_override(world.studio, world.admin, world.yoga_on(date(2026, 12, 3)), OverrideRequest(start=berlin(2026, 12, 3, 20)))
    assert (await admin.send("/schedule_add A; once; 2026-12-01; 18:00; 60; 8; Studio A; Sue"))["text"].startswith("Schedule added:")
    reply = (await admin.send("/schedule_add B; once; 2026-12-03; 20:30; 60; 8; Studio A; Sue"))["text"]
    assert "⚠️ 1 session of B meets Yoga in Studio A — Thu 03 Dec 20:00–21:00." in reply


async def test_a_wrong_line_with_confirm_is_still_refused(admin: Phone, world: World) -> None:
    reply = (await admin.send("/schedule_add Pilates; weekly; 2026-12-07; 25:00; 50; 8; Studio B; Sue; confirm"))["text"]
    assert "“25:00” is not a time" in reply and "Nothing was changed." in reply
    reply = (await admin.send("/schedule_add Pilates; weekly; confirm"))["text"]
    assert "Some fields are missing." in reply
    assert len(await list_schedules(world.studio, world.admin)) == 2


def test_monthly_every_other_month_on_the_31st_names_the_months_it_skips() -> None:
    schedule = Schedule(1, "Review", "FREQ=MONTHLY;INTERVAL=2;COUNT=4", date(2026, 12, 31), time(10), timedelta(hours=1), 4, 1, 1)
    [warning] = review_schedule(schedule, BERLIN, [])
    assert warning.kind is ScheduleWarningKind.SKIPS_MONTHS
    assert warning.months == (date(2027, 2, 1), date(2027, 4, 1), date(2027, 6, 1))  # Dec, Aug, Oct, Dec are held


async def test_another_schedules_session_moved_onto_the_space_or_trainer_clashes(admin: Phone, world: World) -> None:
    """The Back course (Studio B, Tom) shares nothing with a Studio A schedule of Sue's
    by default; two of its sessions do, by override."""
    await save_override(world.studio, world.admin, world.closed_on(date(2026, 12, 9)), OverrideRequest(space_id=world.studio_a))
    await save_override(world.studio, world.admin, world.closed_on(date(2026, 12, 16)), OverrideRequest(trainer_id=world.substitute))
    line = "/schedule_add Stretch; weekly wed for 3; 2026-12-02; 10:30; 30; 8; Studio A; Sue"
    reply = (await admin.send(line))["text"]
    assert "⚠️ 1 session of Stretch meets Back course in Studio A — Wed 09 Dec 10:00–11:30." in reply
    assert "⚠️ 1 session of Stretch meets Back course, which Sue Substitute leads — Wed 16 Dec 10:00–11:30." in reply
    assert reply.count("⚠️") == 2
