"""Issue 17 for members and notifications: `/book` and `/my` through the real
Application in Ukrainian and German (the update's `language_code`), every kind of
notification rendered in the language current at render time, and counted words in
the forms each language needs (Ukrainian: 1, 2–4, 5+, and 21 like 1).

"No English left" is checked against every English message id of bot/ and domain/,
extracted from the source files as pybabel does: no run of three or more words of any
of them may appear in a translated text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot import i18n
from bot.context import TraineryApplication
from bot.i18n import ngettext
from bot.members import texts as member_texts
from bot.notify.texts import render
from domain.notifications import NotificationKind as Kind
from tests import catalog
from tests.bot_harness import MEMBER, app, database_url, fake
from tests.conftest import BERLIN
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, labels
from tests.world import World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

def english_left(text: str, language: str = "uk") -> list[str]:
    """Every English sentence of the catalog left in `text`; English text is judged as
    if it were meant for `language` (that is how the check is shown to fail)."""
    return catalog.english_left(text, language)


def test_the_area_has_english_ids_to_check_against() -> None:
    # the check can fail: English text does contain them
    assert "Cancelled. The session went back to your pass" in english_left(member_texts.cancelled(None, BERLIN))


# -- a member's flow through the real Application --------------------------------

WORDS = {
    "uk": {
        "heading": "Заняття, на які можна записатися (найближчі 14 днів)",
        "book": "📅 Записатися 1.",
        "booked": "Записано: Yoga, ",
        "answer": "Записано.",
        "mine": "Ваші записи",
        "left": "залишилось 9 занять",
        "cancel": "✖ Скасувати 1.",
        "ask": "Скасувати ваш запис на Yoga, ",
        "yes": "✖ Так, скасувати мій запис",
        "cancelled": "Скасовано: Yoga, ",
        "back": "залишилось 10 занять",
    },
    "de": {
        "heading": "Buchbare Termine (nächste 14 Tage)",
        "book": "📅 Buchen 1.",
        "booked": "Gebucht: Yoga, ",
        "answer": "Gebucht.",
        "mine": "Ihre Buchungen",
        "left": "noch 9 Termine",
        "cancel": "✖ Stornieren 1.",
        "ask": "Ihre Buchung für Yoga, ",
        "yes": "✖ Ja, meine Buchung stornieren",
        "cancelled": "Storniert: Yoga, ",
        "back": "noch 10 Termine",
    },
}


@pytest.mark.parametrize("language", ["uk", "de"])
async def test_book_then_cancel_in_the_members_language(
    language: str, app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    words = WORDS[language]
    member = Phone(app, fake, MEMBER, "Max")
    fake.user_message(MEMBER, "hello", language_code=language)  # Telegram says which language, once
    offers = await member.send("/book")
    seen = [offers]
    assert words["heading"] in offers["text"]
    booked = await member.tap(words["book"], offers)
    seen.append(booked)
    assert words["booked"] in booked["text"]
    assert (member.answer() or {}).get("text") == words["answer"]
    my = await member.send("/my")
    seen.append(my)
    assert words["mine"] in my["text"] and words["left"] in my["text"]
    ask = await member.tap(words["cancel"], my)
    seen.append(ask)
    assert words["ask"] in ask["text"]
    assert labels(ask)[0] == words["yes"]
    done = await member.tap(words["yes"], ask)
    seen.append(done)
    assert words["cancelled"] in done["text"] and words["back"] in done["text"]
    for message in seen:
        assert english_left(message["text"], language) == [], message["text"]
        assert [label for label in labels(message) if english_left(label, language)] == []
    assert await world.active_bookings() == 0 and await world.pass_balance(world.members[0]) == 10


async def test_the_same_flow_in_english_is_unchanged(app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
    member = Phone(app, fake, MEMBER, "Max")
    offers = await member.send("/book")
    assert "Sessions you can book (next 14 days)" in offers["text"]
    booked = await member.tap("📅 Book 1.", offers)
    assert "Booked: Yoga, Tue 01 Dec 18:00. One session of your pass was used." in booked["text"]


# -- every notification, rendered in the language current at render time -----------

START = "2026-12-01T17:00:00+00:00"
LATER = "2026-12-01T18:00:00+00:00"
MOVED = [{"field": "time", "before": START, "after": LATER}, {"field": "space", "before": "Big", "after": "Small"}]
MEMBER_BASE = {"title": "Yoga", "start": START, "schedule_id": 7, "original_start": START}
TRAINER_BASE = {"title": "Yoga", "start": START, "by": "Ann Admin", "space": "Big", "changes": MOVED}
SCHEDULE_BASE = {"title": "Yoga", "since": "2026-12-08", "by": "Ann Admin", "others": ["Sue"], "changes": [
    {"field": "time", "before": "18:00", "after": "19:00"}, {"field": "duration", "before": 60, "after": 90},
]}
NOTICES: list[tuple[Kind, dict[str, Any]]] = [
    (Kind.UPDATED, {**MEMBER_BASE, "changes": [{"field": "trainer", "before": "Tom", "after": "Sue"}]}),
    (Kind.RESCHEDULED, {**MEMBER_BASE, "changes": MOVED, "reason": "Hall repairs"}),
    (Kind.CANCELLED, {**MEMBER_BASE, "refund": {"sessions_left": 5}, "reason": "Ill"}),
    (Kind.CANCELLED, {**MEMBER_BASE, "waitlisted": True}),
    (Kind.CANCELLED, {**MEMBER_BASE, "refund": {"sessions_left": None}}),
    (Kind.CANCELLED, {**MEMBER_BASE, "refund": {"sessions_left": None, "extended_until": LATER}}),
    (Kind.BOOKING_CANCELLED, {**MEMBER_BASE, "changes": MOVED, "refund": {"sessions_left": 2}, "rebook": True,
                              "rebook_until": "2026-12-01T15:00:00+00:00"}),
    (Kind.WAITLIST_PROMOTED, {**MEMBER_BASE, "pass": {"sessions_left": 21}}),
    (Kind.WAITLIST_PROMOTED, {**MEMBER_BASE, "pass": {"sessions_left": None}}),
    (Kind.BOOKED_BY_STAFF, {**MEMBER_BASE, "pass": {"sessions_left": 3}, "by": None}),
    (Kind.TRAINER_SUBSTITUTE, {**TRAINER_BASE, "trainer_before": "Tom", "again": True}),
    (Kind.TRAINER_SUBSTITUTE, {**TRAINER_BASE, "trainer_before": "Tom"}),
    (Kind.TRAINER_REPLACED, {**TRAINER_BASE, "trainer_after": "Sue"}),
    (Kind.TRAINER_CHANGED, {**TRAINER_BASE, "booked": 0}),
    (Kind.TRAINER_CHANGED, {**TRAINER_BASE, "booked": 3}),
    (Kind.TRAINER_CANCELLED, {**TRAINER_BASE, "reason": "Ill", "booked": 0}),
    (Kind.TRAINER_CANCELLED, {**TRAINER_BASE, "as_member": {"kind": "training_cancelled", "refund": {"sessions_left": 1}}}),
    (Kind.TRAINER_SCHEDULE_LEAD, SCHEDULE_BASE),
    (Kind.TRAINER_SCHEDULE_LEAD, {**SCHEDULE_BASE, "others": []}),
    (Kind.TRAINER_SCHEDULE_REPLACED, SCHEDULE_BASE),
    (Kind.TRAINER_SCHEDULE_CHANGED, SCHEDULE_BASE),
    (Kind.TRAINER_SCHEDULE_ENDED, {"title": "Yoga", "by": "Ann", "last_day": "2026-12-08", "first": LATER}),
    (Kind.TRAINER_SCHEDULE_ENDED, {"title": "Yoga", "by": "Ann", "last_day": "2026-12-08", "first": LATER,
                                   "count": 1, "held": 1}),
    (Kind.TRAINER_SCHEDULE_ENDED, {"title": "Yoga", "by": "Ann", "last_day": "2026-12-08", "first": LATER,
                                   "count": 5, "held": 0}),
    (Kind.REMINDER, {"title": "Yoga", "start": START, "space": "Big", "trainer": "Tom", "booking_id": 3,
                     "cancel_until": "2026-12-01T15:00:00+00:00"}),
    (Kind.REMINDER, {"title": "Yoga", "start": START, "space": "Big", "trainer": "Tom", "booking_id": 3,
                     "cancel_until": "2026-11-30T10:00:00+00:00"}),
    (Kind.REMINDER, {"title": "Yoga", "start": START, "space": "Big", "trainer": "Tom", "booking_id": 3,
                     "cancel_until": "2026-12-01T15:00:00+00:00", "closed": True}),
    (Kind.TRAINER_DAY, {"day": "2026-12-01", "sessions": [
        {"start": START, "end": LATER, "title": "Yoga", "space": "Big", "booked": 3, "capacity": 10}]}),
    (Kind.PASS_LAST_SESSION, {"title": "10 classes", "expires_at": LATER, "sessions_left": 1}),
    (Kind.PASS_EXPIRING, {"title": "10 classes", "expires_at": LATER, "sessions_left": 4}),
    (Kind.PASS_EXPIRING, {"title": "Unlimited", "expires_at": LATER, "sessions_left": None}),
]
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)  # before every deadline above but the second reminder's


def test_every_kind_is_rendered_here_and_its_english_is_seen() -> None:
    assert {kind for kind, _payload in NOTICES} == set(Kind)
    # the check below can fail: each English notice holds a run of the area's English
    assert [kind for kind, payload in NOTICES if not english_left(render(kind, payload, BERLIN, NOW).text)] == []


@pytest.mark.parametrize("language", ["uk", "de"])
@pytest.mark.parametrize(("kind", "payload"), NOTICES, ids=[f"{k.value}-{i}" for i, (k, _p) in enumerate(NOTICES)])
def test_a_notification_has_no_english_left(language: str, kind: Kind, payload: dict[str, Any]) -> None:
    english = render(kind, payload, BERLIN, NOW)
    with i18n.using(language):
        notice = render(kind, payload, BERLIN, NOW)
    assert notice.text.splitlines()[0] != english.text.splitlines()[0]
    assert english_left(notice.text, language) == [], notice.text
    markup = notice.markup  # read after the language block, as the dispatcher may
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            assert english_left(button.text, language) == [] and button.text not in ("Book again", "📋 Open in /my")


def test_render_follows_the_language_of_each_call() -> None:
    payload = NOTICES[6][1]
    with i18n.using("uk"):
        uk = render(Kind.BOOKING_CANCELLED, payload, BERLIN, NOW)
    with i18n.using("de"):
        de = render(Kind.BOOKING_CANCELLED, payload, BERLIN, NOW)
    en = render(Kind.BOOKING_CANCELLED, payload, BERLIN, NOW)
    assert uk.text.startswith("<b>Ваш запис скасовано</b>: Yoga")
    assert de.text.startswith("<b>Ihre Buchung wurde storniert</b>: Yoga")
    assert en.text.startswith("<b>Your booking was cancelled</b>: Yoga")
    assert [b.text for row in (uk.markup.inline_keyboard if uk.markup else ()) for b in row] == ["Записатися знову"]
    assert [b.text for row in (de.markup.inline_keyboard if de.markup else ()) for b in row] == ["Erneut buchen"]


# -- counted words ---------------------------------------------------------------------

UK_LEFT = {1: "залишилось 1 заняття", 2: "залишилось 2 заняття", 5: "залишилось 5 занять", 21: "залишилось 21 заняття"}
DE_LEFT = {1: "noch 1 Termin", 2: "noch 2 Termine", 5: "noch 5 Termine", 21: "noch 21 Termine"}


@pytest.mark.parametrize(("language", "expected"), [("uk", UK_LEFT), ("de", DE_LEFT)])
@pytest.mark.parametrize("count", [1, 2, 5, 21])
def test_sessions_left_take_the_languages_plural_form(language: str, expected: dict[int, str], count: int) -> None:
    with i18n.using(language):
        refunded = render(Kind.CANCELLED, {**MEMBER_BASE, "refund": {"sessions_left": count}}, BERLIN).text
        promoted = render(Kind.WAITLIST_PROMOTED, {**MEMBER_BASE, "pass": {"sessions_left": count}}, BERLIN).text
        listed = member_texts.sessions_left(count)
    assert expected[count] in refunded and expected[count] in promoted and listed == expected[count]


@pytest.mark.parametrize(
    ("count", "uk", "de"),
    [
        (1, "вільне 1 місце", "1 Platz frei"),
        (2, "вільні 2 місця", "2 Plätze frei"),
        (5, "вільних 5 місць", "5 Plätze frei"),
        (21, "вільне 21 місце", "21 Plätze frei"),
    ],
)
def test_free_spots_and_days_are_counted_in_each_language(count: int, uk: str, de: str) -> None:
    for language, expected in (("uk", uk), ("de", de)):
        with i18n.using(language):
            assert ngettext("{n} spot free", "{n} spots free", count).format(n=count) == expected
    with i18n.using("uk"):
        days = [member_texts.offers([], 0, 0, 0, 1, n, BERLIN).splitlines()[0] for n in (1, 2, 5, 21)]
    assert [d.split("(")[1] for d in days] == ["найближчий 1 день)", "найближчі 2 дні)", "найближчі 5 днів)",
                                               "найближчий 21 день)"]


def test_a_place_in_line_is_an_english_ordinal_and_a_number_elsewhere() -> None:
    assert [member_texts.place(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"
    ]
    with i18n.using("de"):
        assert member_texts.place(3) == "3."
    with i18n.using("uk"):
        assert member_texts.place(3) == "3"


@pytest.mark.parametrize("language", ["uk", "de"])
def test_the_studios_own_cancel_reason_is_translated_and_a_typed_one_kept(language: str) -> None:
    """A skipped date's reason is written by the rules (a message id); a trainer's is typed."""
    from domain.cancellation import SKIP_REASON

    skipped = {**MEMBER_BASE, "refund": {"sessions_left": 5}, "reason": SKIP_REASON}
    typed = {**MEMBER_BASE, "refund": {"sessions_left": 5}, "reason": "Trainer is ill"}
    with i18n.using(language):
        translated = i18n._(SKIP_REASON)
        assert translated != SKIP_REASON
        assert translated in render(Kind.CANCELLED, skipped, BERLIN, NOW).text
        assert SKIP_REASON not in render(Kind.CANCELLED, skipped, BERLIN, NOW).text
        assert "Trainer is ill" in render(Kind.CANCELLED, typed, BERLIN, NOW).text
