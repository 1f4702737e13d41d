"""Issue 17: the trainer flows of SPEC §2 in Ukrainian and German — the real
Application, a trainer whose Telegram speaks `uk` or `de`: /sessions week → the card
→ Change (capacity and time) → review → save → the outcome; and a cancellation with
a reason. Every reply is in the trainer's language: no English sentence of the
catalog (every message id of bot/ and domain/) is left in it. English, the source, is asserted by
the other trainer-flow tests unchanged; here it proves the check can fail."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot import i18n
from bot.app import build_application
from bot.context import TraineryApplication
from bot.sessions import change, keyboards, texts
from bot.sessions.receipts import Receipts
from domain.notifications import NotificationKind
from domain.sessions.card import find_session
from tests import catalog
from tests.bot_harness import ADMIN, TRAINER, app, database_url, fake, settings_for
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, labels
from tests.test_receipts import deliver, receipts, studio_with_chats
from tests.world import World, berlin

TUESDAY, WEDNESDAY, THURSDAY = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)
ROOT = Path(__file__).resolve().parent.parent
__all__ = ["app", "database_url", "fake", "receipts"]  # fixtures, used by name

JSON = dict[str, Any]


# -- the English of this area ------------------------------------------------------


def english_left(shown: list[str], language: str) -> list[str]:
    """The English sentences of the catalog found in what the trainer was shown,
    except those the translation keeps as they are."""
    return catalog.english_left("\n".join(shown), language)


# -- a trainer whose Telegram speaks a language --------------------------------------


@dataclass
class Trainer:
    """The trainer's phone, and everything the bot showed them: texts, button labels,
    and the toasts of their presses."""

    phone: Phone
    language: str
    shown: list[str] = field(default_factory=list)

    def saw(self, message: JSON) -> JSON:
        self.shown += [message.get("text", ""), *labels(message)]
        answer = self.phone.answer()
        if answer and answer.get("text"):
            self.shown.append(answer["text"])
        return message

    async def send(self, text: str) -> JSON:
        phone = self.phone
        update = phone.fake.user_message(phone.user_id, text, first_name=phone.name, language_code=self.language)
        await self.phone.app.process_update(Update.de_json(update, self.phone.app.bot))
        return self.saw(self.phone.screen())

    async def tap(self, label: str, message: JSON | None = None) -> JSON:
        return self.saw(await self.phone.tap(label, message))


@pytest.fixture
def trainer(app: TraineryApplication, fake: FakeBotApi, request: pytest.FixtureRequest) -> Trainer:
    return Trainer(Phone(app, fake, TRAINER, "Tom"), request.param)


@pytest.fixture
def admin(app: TraineryApplication, fake: FakeBotApi, request: pytest.FixtureRequest) -> Trainer:
    return Trainer(Phone(app, fake, ADMIN, "Ada"), request.param)


# What the trainer reads at each step, in their language.
SAID = {
    "uk": {
        "title": "Заняття ",
        "all": "(усі)",
        "open": "Натисніть номер, щоб відкрити заняття.",
        "card": ["Зал: Studio A", "Тренер: Tom Trainer", "Місткість: 10", "Записано: 4/10", "Відкритий розклад"],
        "card buttons": ["✎ Змінити", "❌ Скасувати заняття", "🔁 Заміна", "👥 Записи (4)", "➕ Записати учасника"],
        "change": "Змінити",
        "only this": "лише це заняття",
        "capacity": "Місткість",
        "ask capacity": "Введіть нову місткість лише для цього заняття",
        "picked capacity": "• місткість: 10 → 2",
        "date": "Дата й час",
        "pick date": "Виберіть нову дату",
        "ask time": "Введіть час початку як ГГ:ХХ",
        "picked time": "• час: ",
        "review": "Перевірити",
        "review says": [
            "Перевірка — Yoga",
            "Що змінюється",
            "• місткість: 10 → 2",
            "• 4 учасникам буде надіслано: «Заняття перенесено»",
            "⚠️ 4 учасники вже записані, а місткість стане 2",
            "Усе одно зберегти?",
        ],
        "confirm": "⚠️ Підтвердити й зберегти",
        "outcome": ["✅ Збережено — Yoga", "• 4 учасникам надіслано: «Заняття перенесено»", "📬 доставлено 0 з 4"],
        "saved": "Збережено",
        "cancel": "❌ Скасувати заняття",
        "ask reason": "Введіть причину, яку побачать учасники",
        "reason": "Зала затоплено",
        "cancel review": [
            "Скасувати Yoga",
            "Причина, яку побачать учасники: «Зала затоплено»",
            "• Буде скасовано 1 запис, на абонементи повернено 1 заняття",
            "• 1 учаснику буде надіслано: «Заняття скасовано»",
            "Інших занять цього розкладу це не стосується.",
        ],
        "yes": "Так, скасувати заняття",
        "cancelled": ["❌ Скасовано — Yoga", "• Скасовано 1 запис, на абонементи повернено 1 заняття"],
    },
    "de": {
        "title": "Termine ",
        "all": "(alle)",
        "open": "Tippen Sie auf eine Nummer, um den Termin zu öffnen.",
        "card": ["Raum: Studio A", "Trainer: Tom Trainer", "Kapazität: 10", "Gebucht: 4/10", "Offener Kursplan"],
        "card buttons": ["✎ Ändern", "❌ Termin absagen", "🔁 Vertretung", "👥 Buchungen (4)", "➕ Mitglied buchen"],
        "change": "Ändern",
        "only this": "nur dieser Termin",
        "capacity": "Kapazität",
        "ask capacity": "Geben Sie die neue Kapazität nur für diesen Termin",
        "picked capacity": "• Kapazität: 10 → 2",
        "date": "Datum & Uhrzeit",
        "pick date": "Wählen Sie das neue Datum",
        "ask time": "Geben Sie die Startzeit als HH:MM ein",
        "picked time": "• Zeit: ",
        "review": "Prüfen",
        "review says": [
            "Prüfung — Yoga",
            "Was sich ändert",
            "• Kapazität: 10 → 2",
            "• 4 Mitglieder werden benachrichtigt: „Termin verschoben“",
            "⚠️ 4 Mitglieder sind gebucht, aber die Kapazität wird 2",
            "Trotzdem speichern?",
        ],
        "confirm": "⚠️ Bestätigen und speichern",
        "outcome": ["✅ Gespeichert — Yoga", "• 4 Mitglieder erhalten: „Termin verschoben“", "📬 0 von 4 zugestellt"],
        "saved": "Gespeichert",
        "cancel": "❌ Termin absagen",
        "ask reason": "Geben Sie einen Grund ein, den die Mitglieder sehen",
        "reason": "Saal überflutet",
        "cancel review": [
            "Yoga",
            "absagen?",
            "Grund, den die Mitglieder sehen: „Saal überflutet“",
            "• 1 Buchung wird storniert, 1 Abo-Termin erstattet",
            "• 1 Mitglied wird benachrichtigt: „Termin abgesagt“",
            "Andere Termine dieses Kursplans sind nicht betroffen.",
        ],
        "yes": "Ja, Termin absagen",
        "cancelled": ["❌ Abgesagt — Yoga", "• 1 Buchung wurde storniert, 1 Abo-Termin erstattet"],
    },
}


def has(text: str, *expected: str) -> None:
    missing = [e for e in expected if e not in text]
    assert missing == [], f"{missing} not in {text!r}"


@pytest.mark.parametrize("trainer", ["uk", "de"], indirect=True)
async def test_change_a_session_review_save_and_cancel_another_in_the_trainers_language(
    trainer: Trainer, world: World
) -> None:
    said = SAID[trainer.language]
    await world.book_all(world.yoga_on(TUESDAY))
    await world.book_all(world.yoga_on(THURSDAY), world.members[:1])

    listing = await trainer.send("/sessions week")
    has(listing["text"], said["title"], said["all"], said["open"], "1. ", "Yoga · Studio A · Tom Trainer · 4/10")
    card = await trainer.tap("1 ", listing)
    has(card["text"], *said["card"])
    assert labels(card)[:5] == said["card buttons"]

    menu = await trainer.tap(said["change"], card)
    has(menu["text"], said["only this"])
    asked = await trainer.tap(said["capacity"], menu)
    has(asked["text"], said["ask capacity"])
    menu = await trainer.send("2")
    has(menu["text"], said["picked capacity"])

    picker = await trainer.tap(said["date"], menu)
    has(picker["text"], said["pick date"])
    with i18n.using(trainer.language):
        wednesday = keyboards.picker_day(WEDNESDAY)
    assert wednesday in labels(picker) and not wednesday.startswith("Wed")
    has((await trainer.tap(wednesday, picker))["text"], said["ask time"])
    menu = await trainer.send("19:30")
    has(menu["text"], said["picked time"])

    review = await trainer.tap(said["review"], menu)
    has(review["text"], *said["review says"])
    outcome = await trainer.tap(said["confirm"], review)
    has(outcome["text"], *said["outcome"])
    assert trainer.phone.answer()["text"] == said["saved"]  # type: ignore[index]
    moved = await find_session(world.studio, world.admin, world.yoga_on(TUESDAY))
    assert (moved.start, moved.capacity) == (berlin(2026, 12, 2, 19, 30), 2)

    listing = await trainer.send("/sessions week")
    card = await trainer.tap("3 ", listing)  # Thursday's Yoga, one booked
    prompt = await trainer.tap(said["cancel"], card)
    has(prompt["text"], said["ask reason"])
    confirm = await trainer.send(said["reason"])
    has(confirm["text"], *said["cancel review"])
    done = await trainer.tap(said["yes"], confirm)
    has(done["text"], *said["cancelled"])
    assert (await find_session(world.studio, world.admin, world.yoga_on(THURSDAY))).cancelled

    assert english_left(trainer.shown, trainer.language) == []


@pytest.mark.parametrize("trainer", ["en"], indirect=True)
async def test_the_english_check_finds_english(trainer: Trainer, world: World) -> None:
    """The same check, run on an English trainer's screens as if they were meant for a
    Ukrainian reader, finds our sentences: it can fail."""
    await world.book_all(world.yoga_on(TUESDAY))
    card = await trainer.tap("1 ", await trainer.send("/sessions week"))
    await trainer.tap("❌ Cancel session", card)
    left = english_left(trainer.shown, "uk")
    assert "Tap a number to open the session" in left and "Cancel existing bookings" not in left
    assert any(piece.startswith("Type a reason members will see") for piece in left)


STAFF_SAID = {
    "uk": {
        "bookings": "👥 Записи (4)",
        "list": ["Записи — Yoga", "1. Member 0", "4. Member 3", "Натисніть ім’я, щоб скасувати цей запис"],
        "confirm": ["Скасувати запис Member 0 на Yoga", "Заняття повернеться на абонемент"],
        "yes": "Так, скасувати запис",
        "cancelled": "Member 0: запис скасовано, заняття повернено на абонемент.",
        "session": "◀ Заняття",
        "book": "➕ Записати учасника",
        "candidates": [
            "Записати учасника — Yoga",
            "1. Member 0",
            "1 учасник без чинного абонемента на це заняття не в списку",
            "Натисніть ім’я, щоб переглянути запис",
        ],
        "review": [
            "Записати Member 0 на Yoga",
            "Абонемент: 10 classes — спишеться одне заняття (після цього залишиться 9 занять).",
            "Учасник ще не прив’язав Telegram",
        ],
        "confirm book": "✅ Записати",
        "booked": ["Member 0: запис зроблено; на абонементі залишилося 9 занять.", "Записано: 4/10"],
    },
    "de": {
        "bookings": "👥 Buchungen (4)",
        "list": ["Buchungen — Yoga", "1. Member 0", "4. Member 3", "Tippen Sie auf einen Namen, um diese Buchung"],
        "confirm": ["Buchung von Member 0 für Yoga", "Der Termin wird dem Abo gutgeschrieben"],
        "yes": "Ja, Buchung stornieren",
        "cancelled": "Die Buchung von Member 0 wurde storniert und erstattet.",
        "session": "◀ Termin",
        "book": "➕ Mitglied buchen",
        "candidates": [
            "Mitglied buchen — Yoga",
            "1. Member 0",
            "1 Mitglied ohne gültiges Abo dafür wird nicht angezeigt",
            "Tippen Sie auf einen Namen, um die Buchung zu prüfen",
        ],
        "review": [
            "Member 0 für Yoga",
            "Abo: 10 classes — ein Termin wird verbraucht (danach bleiben 9 Termine).",
            "Das Mitglied hat Telegram noch nicht verknüpft",
        ],
        "confirm book": "✅ Buchen",
        "booked": ["Member 0 ist gebucht; auf dem Abo bleiben 9 Termine.", "Gebucht: 4/10"],
    },
}


@pytest.mark.parametrize("trainer", ["uk", "de"], indirect=True)
async def test_staff_cancel_and_book_a_members_booking_in_the_trainers_language(
    trainer: Trainer, world: World
) -> None:
    said = STAFF_SAID[trainer.language]
    await world.book_all(world.yoga_on(TUESDAY))
    card = await trainer.tap("1 ", await trainer.send("/sessions week"))
    listing = await trainer.tap(said["bookings"], card)
    has(listing["text"], *said["list"])
    confirm = await trainer.tap("✖ Member 0", listing)
    has(confirm["text"], *said["confirm"])
    has((await trainer.tap(said["yes"], confirm))["text"], said["cancelled"])
    assert await world.pass_balance(world.members[0]) == 10

    card = await trainer.tap(said["session"])
    candidates = await trainer.tap(said["book"], card)
    has(candidates["text"], *said["candidates"])
    review = await trainer.tap("➕ Member 0", candidates)
    has(review["text"], *said["review"])
    has((await trainer.tap(said["confirm book"], review))["text"], *said["booked"])
    assert await world.pass_balance(world.members[0]) == 9
    assert english_left(trainer.shown, trainer.language) == []


@pytest.mark.parametrize("admin", ["uk"], indirect=True)
async def test_the_receipt_fills_in_in_the_language_of_who_saved(
    app: TraineryApplication, fake: FakeBotApi, world: World, receipts: Receipts, admin: Trainer
) -> None:
    """The outcome's receipt is edited by a task of its own, later: it keeps the
    language of the admin who saved, and says who was reached and who not."""
    await studio_with_chats(world, fake)
    card = await admin.tap("1 ", await admin.send("/sessions week"))
    review = await admin.tap("Sue Substitute", await admin.tap("🔁 Заміна", card))
    has(review["text"], "• Sue Substitute отримає повідомлення: тепер веде це заняття")
    outcome = await admin.tap("✅ Зберегти", review)
    has(outcome["text"], "• Tom Trainer отримує повідомлення: заняття тепер веде Sue Substitute")
    assert outcome["text"].endswith("📬 доставлено 0 з 6, надсилається: 6…")

    await deliver(app, world, 6)

    m2, m3 = world.members[2], world.members[3]
    final = (
        "📬 доставлено 3 з 6, бота заблоковано: 1 (Member 0), "
        f"немає прив’язаного чату: 2 (Member 3 #{m2}, Member 3 #{m3})"
    )
    for _ in range(500):  # the follower edits within a few of its 0.05 s intervals
        shown = fake.message(ADMIN, outcome["message_id"]) or {}
        if shown.get("text", "").endswith(final):
            break
        await asyncio.sleep(0.02)
    assert shown["text"].startswith("✅ Збережено — Yoga") and shown["text"].endswith(final)
    assert english_left([*admin.shown, shown["text"]], "uk") == []


async def test_a_timed_out_change_says_so_in_the_trainers_language(
    fake: FakeBotApi, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time-out is a job, not an update: it still speaks the trainer's language."""
    monkeypatch.setattr(change, "TIMEOUT", timedelta(seconds=0.5))
    application = build_application(settings_for(fake), world.sessions)
    application.bot_data.use_studio(world.studio)
    async with application:
        await application.start()  # the JobQueue runs the time-out
        trainer = Trainer(Phone(application, fake, TRAINER, "Tom"), "de")
        menu = await trainer.tap("✎ Ändern", await trainer.tap("1 ", await trainer.send("/sessions week")))
        # An English admin starts a change of their own just after: the job queue's
        # timer is now set from the admin's update, and must not lend its language.
        admin = Trainer(Phone(application, fake, ADMIN, "Ada"), "en")
        await admin.tap("✎ Change", await admin.tap("1 ", await admin.send("/sessions week")))
        with i18n.using("de"):
            timed_out = i18n._(texts.TIMED_OUT)
        for _ in range(400):  # waits for the event, up to 20 s on a loaded machine
            if (fake.message(TRAINER, menu["message_id"]) or {}).get("text") == timed_out:
                break
            await asyncio.sleep(0.05)
        assert (fake.message(TRAINER, menu["message_id"]) or {}).get("text") == timed_out
        assert timed_out.startswith("Diese Änderung ist nach 10 Minuten")
        await application.stop()


# -- counted words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "cancelled", "told"),
    [
        (1, "• Скасовано 1 запис, на абонементи повернено 1 заняття", "• 1 учаснику надіслано: «Заняття скасовано»"),
        (2, "• Скасовано 2 записи, на абонементи повернено 2 заняття", "• 2 учасникам надіслано: «Заняття скасовано»"),
        (5, "• Скасовано 5 записів, на абонементи повернено 5 занять", "• 5 учасникам надіслано: «Заняття скасовано»"),
        (21, "• Скасовано 21 запис, на абонементи повернено 21 заняття", "• 21 учаснику надіслано: «Заняття скасовано»"),
        (12, "• Скасовано 12 записів, на абонементи повернено 12 занять", "• 12 учасникам надіслано: «Заняття скасовано»"),
    ],
)
def test_ukrainian_counts_bookings_in_its_three_forms(count: int, cancelled: str, told: str) -> None:
    with i18n.using("uk"):
        lines = texts.consequences({NotificationKind.CANCELLED: count}, count, count, done=True)
        bookings = i18n.ngettext("{n} booking", "{n} bookings", count).format(n=count)
    assert lines == [cancelled, told]
    assert bookings == cancelled.split("Скасовано ")[1].split(",")[0]


@pytest.mark.parametrize(
    ("count", "line"),
    [
        (1, "• 1 Buchung wird storniert, 1 Abo-Termin erstattet"),
        (2, "• 2 Buchungen werden storniert, 2 Abo-Termine erstattet"),
        (21, "• 21 Buchungen werden storniert, 21 Abo-Termine erstattet"),
    ],
)
def test_german_counts_bookings_in_its_two_forms(count: int, line: str) -> None:
    with i18n.using("de"):
        assert texts.consequences({}, count, count, done=False)[0] == line


def test_english_counts_as_it_always_did() -> None:
    with i18n.using("en"):
        assert texts.consequences({NotificationKind.CANCELLED: 1}, 1, 1, done=True) == [
            "• 1 booking was cancelled, 1 pass session refunded",
            "• 1 member is told: “Training cancelled”",
        ]
        assert texts.consequences({}, 3, 2, done=False) == [
            "• 3 bookings will be cancelled, 2 pass sessions refunded",
            "• No member will be notified.",
        ]
