"""Issue 17, the shared texts in Ukrainian and German: dates in the reader's language
(always in the studio's zone), the paging line and buttons, /start, /help and the
not-understood replies through the real Application, and the /sessions range words
read in every language whoever types them. English stays as it was (the other tests
assert it; a few here pin it side by side with the translations)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from bot import i18n
from bot.context import TraineryApplication
from bot.menus import commands_for
from bot.ranges import DayError, RangeError, parse_day, parse_range
from bot.render import Listing, calendar_day, clock, day, day_and_clock, full_moment, listing_page
from bot.texts import COMMANDS, help_
from domain.roles import Role
from tests.bot_harness import ADMIN, MEMBER, STRANGER, TRAINER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

BERLIN = ZoneInfo("Europe/Berlin")
WINTER = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)  # Tue 1 Dec 2026, 18:00 in Berlin
SUMMER = datetime(2027, 7, 1, 16, 5, tzinfo=timezone.utc)  # Thu 1 Jul 2027, 18:05 in Berlin
MONDAY = date(2026, 11, 30)


# -- dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ("Tue 01 Dec", "18:00", "Tue 01 Dec 18:00", "Tue 01 Dec 2026", "Tue 1 Dec 2026, 18:00")),
        ("uk", ("вт, 01 груд.", "18:00", "вт, 01 груд. 18:00", "вт, 01 груд. 2026", "вт, 1 груд. 2026, 18:00")),
        ("de", ("Di., 01. Dez.", "18:00", "Di., 01. Dez. 18:00", "Di., 01. Dez. 2026", "Di., 1. Dez. 2026, 18:00")),
    ],
)
def test_dates_read_in_the_readers_language_in_the_studio_zone(language: str, expected: tuple[str, ...]) -> None:
    with i18n.using(language):
        shown = (
            day(WINTER, BERLIN),
            clock(WINTER, BERLIN),
            day_and_clock(WINTER, BERLIN),
            calendar_day(WINTER, BERLIN),
            full_moment(WINTER, BERLIN),
        )
        assert shown == expected
        assert day(date(2026, 12, 1), BERLIN) == expected[0]  # a date is a day as it stands


def test_summer_time_and_the_same_day_in_every_language() -> None:
    later = datetime(2027, 7, 1, 18, 30, tzinfo=timezone.utc)
    with i18n.using("en"):
        assert (day_and_clock(SUMMER, BERLIN), full_moment(later, BERLIN, same_day_as=SUMMER)) == (
            "Thu 01 Jul 18:05",
            "20:30",
        )
    with i18n.using("uk"):
        assert (day_and_clock(SUMMER, BERLIN), full_moment(later, BERLIN, same_day_as=SUMMER)) == (
            "чт, 01 лип. 18:05",
            "20:30",
        )
    with i18n.using("de"):
        assert day_and_clock(SUMMER, BERLIN) == "Do., 01. Juli 18:05"
        assert calendar_day(datetime(2027, 3, 5, 12, tzinfo=timezone.utc), BERLIN) == "Fr., 05. März 2027"


# -- the paging line and buttons ------------------------------------------------------


def _listing(noun: str) -> Listing:
    lines = [f"line {n}" for n in range(45)]
    return Listing("<b>List</b>", lines, "none", noun, 20, lambda page: f"A1:members:{page}")


@pytest.mark.parametrize(
    ("language", "noun", "line", "buttons"),
    [
        ("en", "Members", "Members 21–40 of 45 · page 2/3", ["◀ Previous", "Next ▶"]),
        ("uk", "Учасники", "Учасники 21–40 з 45 · сторінка 2/3", ["◀ Назад", "Далі ▶"]),
        ("de", "Mitglieder", "Mitglieder 21–40 von 45 · Seite 2/3", ["◀ Zurück", "Weiter ▶"]),
    ],
)
def test_the_paging_line_and_buttons_are_translated(language: str, noun: str, line: str, buttons: list[str]) -> None:
    with i18n.using(language):
        text, markup = listing_page(_listing(noun), 1)
    assert text.endswith("\n\n" + line)
    assert markup is not None and [button.text for button in markup.inline_keyboard[-1]] == buttons


def test_a_list_of_one_page_has_no_page_count() -> None:
    from bot.render import page_of, span

    with i18n.using("de"):
        assert span(page_of(list(range(5)), 0, 20), "Mitglieder") == "Mitglieder 1–5 von 5"


# -- range words in every language ----------------------------------------------------


@pytest.mark.parametrize("reader", ["en", "uk", "de"])
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["сьогодні"], (MONDAY, MONDAY, False)),
        (["Завтра", "мої"], (date(2026, 12, 1), date(2026, 12, 1), True)),
        (["ТИЖДЕНЬ"], (MONDAY, date(2026, 12, 6), False)),
        (["цей", "тиждень"], (MONDAY, date(2026, 12, 6), False)),
        (["наступнийтиждень"], (date(2026, 12, 7), date(2026, 12, 13), False)),
        (["наступний", "тиждень", "МОЇ"], (date(2026, 12, 7), date(2026, 12, 13), True)),
        (["мої"], (MONDAY, date(2026, 12, 6), True)),
        (["heute"], (MONDAY, MONDAY, False)),
        (["Morgen", "meine"], (date(2026, 12, 1), date(2026, 12, 1), True)),
        (["WOCHE"], (MONDAY, date(2026, 12, 6), False)),
        (["diese", "Woche"], (MONDAY, date(2026, 12, 6), False)),
        (["nächstewoche"], (date(2026, 12, 7), date(2026, 12, 13), False)),
        (["NÄCHSTE", "Woche"], (date(2026, 12, 7), date(2026, 12, 13), False)),
        (["naechstewoche"], (date(2026, 12, 7), date(2026, 12, 13), False)),
        (["na\u0308chstewoche"], (date(2026, 12, 7), date(2026, 12, 13), False)),  # ä typed as a + ¨
        (["Meine", "1.12", "-", "14.12"], (date(2026, 12, 1), date(2026, 12, 14), True)),
        (["next", "week", "mine"], (date(2026, 12, 7), date(2026, 12, 13), True)),
    ],
)
def test_range_words_of_every_language_are_read_whoever_types_them(
    reader: str, args: list[str], expected: tuple[date, date, bool]
) -> None:
    with i18n.using(reader):
        request = parse_range(args, MONDAY)
    assert request is not None and (request.first, request.last, request.mine) == expected


@pytest.mark.parametrize("args", [["heutee"], ["мої", "мої", "тиждень", "вчора"], ["woche", "nächste"]])
def test_near_misses_are_no_range(args: list[str]) -> None:
    with pytest.raises(RangeError):
        parse_range(args, MONDAY)


@pytest.mark.parametrize(
    ("language", "args", "expected"),
    [
        ("en", ["14.12.2026", "1.12.2026"], "The range ends before it starts (2026-12-14 … 2026-12-01)"),
        ("uk", ["14.12.2026", "1.12.2026"], "Період закінчується раніше, ніж починається (2026-12-14 … 2026-12-01)"),
        ("de", ["14.12.2026", "1.12.2026"], "Der Zeitraum endet, bevor er beginnt (2026-12-14 … 2026-12-01)"),
        ("en", ["1.1.2026", "1.6.2027"], "That range is longer than 366 days; pick a shorter one."),
        ("uk", ["1.1.2026", "1.6.2027"], "Цей період довший за 366 днів; виберіть коротший."),
        ("de", ["1.1.2026", "1.6.2027"], "Dieser Zeitraum ist länger als 366 Tage; wählen Sie einen kürzeren."),
        ("uk", ["gestern"], "Не вдалося прочитати «gestern» як дату чи період"),
        ("de", ["вчора"], "„вчора“ konnte ich nicht als Datum oder Zeitraum lesen"),
        ("de", ["1.12", "7.12", "14.12"], "Das ist mehr als ein Zeitraum. Beispiele: /sessions woche,"),
    ],
)
def test_range_errors_are_in_the_readers_language(language: str, args: list[str], expected: str) -> None:
    with i18n.using(language), pytest.raises(RangeError) as raised:
        parse_range(args, MONDAY)
    assert expected in str(raised.value)


def test_the_examples_an_error_gives_are_ranges_themselves() -> None:
    """A German or Ukrainian reader may type the examples they are shown."""
    for language, mine in (("uk", "мої"), ("de", "meine")):
        with i18n.using(language), pytest.raises(RangeError) as raised:
            parse_range(["1.12", "7.12", "14.12"], MONDAY)
        examples = str(raised.value).split(": ", 1)[1]
        for example in examples.split(", "):
            request = parse_range(example.split()[1:], MONDAY)
            assert request is not None, example
        assert examples.endswith(mine)


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("en", "31.2", "There is no day “31.2” in the calendar: type it like 9.2, 09.02.2027 or 2027-02-09."),
        ("uk", "31.2", "Дня «31.2» немає в календарі: напишіть його так: 9.2, 09.02.2027 або 2027-02-09."),
        ("de", "soon", "„soon“ ist kein Datum: Schreiben Sie es so: 9.2, 09.02.2027 oder 2027-02-09."),
    ],
)
def test_a_typed_day_that_is_none_is_told_in_the_readers_language(language: str, typed: str, expected: str) -> None:
    with i18n.using(language), pytest.raises(DayError) as raised:
        parse_day(typed, MONDAY)
    assert str(raised.value) == expected


# -- /help text and the menus ---------------------------------------------------------


def test_help_and_menus_follow_the_language_and_english_is_unchanged() -> None:
    roles = frozenset({Role.TRAINER})
    with i18n.using("en"):
        english = "\n\n".join(help_(roles))
        assert "/sessions [range] [mine] — sessions in a date range" in english
        assert (
            "Example: <code>/sessions week</code> or <code>/sessions 1.12 - 14.12</code> or "
            "<code>/sessions 2026-12-01 2026-12-14 mine</code>"
        ) in english
        assert {c.command: c.description for c in commands_for(roles)}["help"] == "this list"
    with i18n.using("de"):
        german = "\n\n".join(help_(roles))
        assert german.startswith("<b>Befehle, die Sie nutzen können</b>")
        assert "/sessions [zeitraum] [meine] — Termine in einem Zeitraum" in german
        assert (
            "Beispiel: <code>/sessions woche</code> oder <code>/sessions 1.12 - 14.12</code> oder "
            "<code>/sessions 2026-12-01 2026-12-14 meine</code>"
        ) in german
        assert {c.command: c.description for c in commands_for(roles)}["help"] == "diese Liste"
    with i18n.using("uk"):
        assert {c.command: c.description for c in commands_for(roles)}["sessions"].startswith("заняття за період")


def test_the_examples_help_shows_are_read_in_their_language() -> None:
    sessions = next(command for command in COMMANDS if command.usage.startswith("/sessions"))
    for language in ("en", "uk", "de"):
        with i18n.using(language):
            for example in sessions.examples:
                assert parse_range(i18n._(example).split()[1:], MONDAY) is not None


# -- through the Application ----------------------------------------------------------


async def say(app: TraineryApplication, fake: FakeBotApi, user_id: int, text: str, language: str) -> list[str]:
    """`text` from `user_id` whose Telegram speaks `language`; the bot's replies as
    the person sees them (the fake keeps the text without its HTML tags)."""
    incoming = fake.user_message(user_id, text, language_code=language)
    await app.process_update(Update.de_json(incoming, app.bot))
    sent: list[dict[str, Any]] = fake.sent_messages(user_id)
    return [m["text"] for m in sent if m["message_id"] > incoming["message"]["message_id"]]


async def test_start_and_help_in_ukrainian(app: TraineryApplication, fake: FakeBotApi) -> None:
    (start,) = await say(app, fake, TRAINER, "/start", "uk")
    assert start.startswith("Доброго дня, User1002!\n\nTrainery веде заняття цієї студії в Telegram")
    assert "Ви тренер: /sessions показує заняття" in start
    assert start.endswith("Надішліть /help, щоб побачити доступні вам команди.")
    (help_text,) = await say(app, fake, TRAINER, "/help", "uk")
    assert help_text.startswith("Доступні вам команди\n\n/start — що це за бот")
    assert "Приклад: /sessions тиждень або /sessions 1.12 - 14.12" in help_text
    assert " or " not in help_text and "Example" not in help_text
    menu = {entry["command"]: entry["description"] for entry in fake.commands({"type": "chat", "chat_id": TRAINER})}
    assert menu["help"] == "цей список"


async def test_start_and_help_in_german(app: TraineryApplication, fake: FakeBotApi) -> None:
    (start,) = await say(app, fake, MEMBER, "/start", "de")
    assert start.startswith("Hallo, User1004!\n\nTrainery verwaltet die Termine dieses Studios in Telegram")
    assert "Sie sind Mitglied: /book bucht einen Termin mit Ihrem Abo" in start
    (help_text,) = await say(app, fake, MEMBER, "/help", "de")
    assert "/book — einen Termin der nächsten 14 Tage mit Ihrem Abo buchen" in help_text
    assert "Beispiel: /my" in help_text
    (stranger,) = await say(app, fake, STRANGER, "/start", "de-AT")
    assert (
        "Dieses Studio hat noch keinen Inhaber. Ihre Telegram-Benutzer-ID ist 1009.\nUm Inhaber zu werden" in stranger
    )


async def test_the_admins_help_in_german_keeps_its_messages_within_telegrams_limit(
    app: TraineryApplication, fake: FakeBotApi
) -> None:
    replies = await say(app, fake, ADMIN, "/help", "de")
    with i18n.using("de"):
        # the harness's admin holds the admin role alone (no owner is configured)
        assert len(replies) == len(help_(frozenset({Role.ADMIN}))) > 1
    assert replies[0].startswith("Befehle, die Sie nutzen können\n\n/start — was dieser Bot ist")
    assert all(len(reply) <= 4096 for reply in replies)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "hello", "I did not understand that. Send /help for what you can do."),
        ("uk", "привіт", "Не вдалося це зрозуміти. Надішліть /help, щоб побачити, що ви можете робити."),
        ("de", "hallo", "Das habe ich nicht verstanden. Senden Sie /help, um zu sehen, was Sie tun können."),
        ("uk", "/nope", "Команди /nope немає. Надішліть /help, щоб побачити доступні вам команди."),
        ("de", "/nope", "Den Befehl /nope gibt es nicht. Senden Sie /help für die Befehle, die Sie nutzen können."),
    ],
)
async def test_what_the_bot_did_not_understand_is_said_in_the_senders_language(
    app: TraineryApplication, fake: FakeBotApi, language: str, text: str, expected: str
) -> None:
    assert await say(app, fake, STRANGER, text, language) == [expected]


async def test_a_trainer_reading_english_may_type_german_range_words(
    app: TraineryApplication, fake: FakeBotApi
) -> None:
    (reply,) = await say(app, fake, TRAINER, "/sessions nächste Woche meine", "en")
    assert "Mon 07 Dec – Sun 13 Dec 2026 (you lead)" in reply, reply
    (wrong,) = await say(app, fake, TRAINER, "/sessions 14.12.2026 - 1.12.2026", "uk")
    assert "Період закінчується раніше, ніж починається" in wrong


def test_welcome_and_linked_again_name_the_role_in_the_readers_language() -> None:
    from bot.texts import linked_already, start, welcome

    with i18n.using("en"):
        assert welcome("Ann <3", Role.ADMIN).startswith(
            "Welcome, Ann &lt;3! This chat is now linked to the studio: you are an <b>admin</b>."
        )
        assert "(admin, trainer)" in linked_already("Ann", frozenset({Role.TRAINER, Role.ADMIN}))
    with i18n.using("uk"):
        assert welcome("Ann <3", Role.MEMBER).startswith(
            "Вітаємо, Ann &lt;3! Цей чат тепер прив’язано до студії: ви <b>учасник</b>."
        )
        assert "у студії (адміністратор, тренер)." in linked_already("Ann", frozenset({Role.TRAINER, Role.ADMIN}))
        assert "(ще без ролі)" in linked_already("Ann", frozenset())
    with i18n.using("de"):
        assert welcome("Ann", Role.TRAINER).endswith(
            "Sie sind <b>Trainer</b>. Senden Sie /help, um zu sehen, was Sie tun können."
        )
        stranger = start("Ann", frozenset(), owners_configured=True, user_id=5)
        assert (
            "Sie gehören noch nicht zu diesem Studio. Bitten Sie den Admin des Studios um einen Einladungslink"
            in stranger
        )
