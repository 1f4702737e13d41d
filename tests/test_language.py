"""Issue 17, points 2 and 3, through the real Application and the fake Bot API: whose
language an update is answered in (their choice > Telegram's language_code when it is
ours > TRAINERY_LANGUAGE), /settings and /language, the menus per language, and a
notification written in the member's language when it is sent. MEMBER (1004) is
world.members[0], TRAINER (1002) is Tom; STRANGER is of no studio."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot import i18n, language, menus
from bot.app import build_application
from bot.context import TraineryApplication
from bot.notify import dispatcher as dispatcher_module
from bot.notify.texts import Notice
from bot.sessions import receipts
from bot.settings import Settings
from domain.bookings.book import book_session
from domain.delivery import Receipt
from domain.sessions.cancel import cancel_session
from storage.models import PersonSettingsRow
from tests.bot_harness import MEMBER, STRANGER, TOKEN, TRAINER, app, database_url, fake
from tests.delivery_helpers import deliver
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone, labels
from tests.test_reminders_bot import chats
from tests.world import World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

TUESDAY = date(2026, 12, 1)
ENGLISH_SETTINGS = "Your settings"
UKRAINIAN_SETTINGS = "Ваші налаштування"
GERMAN_SETTINGS = "Ihre Einstellungen"


@pytest.fixture(autouse=True)
def english_studio(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """TRAINERY_LANGUAGE is process-wide (bot.i18n.set_default): back to English after.
    Telegram languages to store are written without gathering them a second first."""
    monkeypatch.setattr(language, "GATHER", 0.0)
    yield
    i18n.set_default("en")


def phone(app: TraineryApplication, fake: FakeBotApi, user: int, code: str | None, name: str = "Max") -> Phone:
    fake.add_chat(user, language_code=code)  # what their Telegram app sends with every update
    return Phone(app, fake, user, name)


async def stored_languages(app: TraineryApplication, world: World, person: int) -> tuple[str | None, str | None] | None:
    await app.bot_data.languages.stored()  # what was gathered is written
    async with world.sessions() as session:
        row = await session.get(PersonSettingsRow, person)
        return None if row is None else (row.language, row.telegram_language)


# -- whose language ---------------------------------------------------------------------


def test_the_choice_goes_before_telegram_and_telegram_before_the_default() -> None:
    assert language.resolve(language.Known(1, chosen="de", telegram="uk"), "uk") == "de"
    assert language.resolve(language.Known(1), "uk") == "uk"
    assert language.resolve(language.Known(1), None) == "en"
    assert language.resolve(None, i18n.supported("de-AT")) == "de"
    assert language.resolve(None, i18n.supported("fr")) == "en"
    i18n.set_default("de")
    assert language.resolve(None, i18n.supported("fr")) == "de"
    assert language.resolve(language.Known(1, chosen="en"), "uk") == "en"


async def test_telegrams_language_is_read_for_a_member_who_chose_none(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    screen = await phone(app, fake, MEMBER, "uk").send("/settings")
    assert screen["text"].splitlines()[0] == UKRAINIAN_SETTINGS
    assert labels(screen) == ["🔕 Вимкнути нагадування", "English", "Українська", "Deutsch"]
    # Kept for the notifications sent when no update is in hand.
    assert await stored_languages(app, world, world.members[0]) == (None, "uk")


async def test_a_language_that_is_not_ours_reads_the_studios(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    screen = await phone(app, fake, MEMBER, "fr").send("/settings")
    assert screen["text"].splitlines()[0] == ENGLISH_SETTINGS
    assert await stored_languages(app, world, world.members[0]) is None  # nothing of ours to keep


async def test_trainery_language_de_is_the_default(fake: FakeBotApi, world: World, database_url: str) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=TOKEN, bot_api_url=fake.base_url, timezone="Europe/Berlin", language="de"
    )
    application = build_application(settings, world.sessions)
    application.bot_data.use_studio(world.studio)
    await application.initialize()
    try:
        screen = await phone(application, fake, STRANGER, "fr").send("/settings")
        assert screen["text"].startswith("Die Einstellungen sind für Personen dieses Studios.")
        screen = await phone(application, fake, TRAINER, "uk", "Tom").send("/settings")
        assert screen["text"].splitlines()[0] == UKRAINIAN_SETTINGS  # their app's language goes first
    finally:
        await application.shutdown()


async def test_the_language_is_read_once_per_person_not_per_update(
    app: TraineryApplication, fake: FakeBotApi, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    notes: list[str] = []
    read, note = language.languages_of, language.note_telegram_languages

    async def counted_read(studio: Any, user: int) -> Any:
        reads.append(user)
        return await read(studio, user)

    async def counted_note(studio: Any, languages: dict[int, str]) -> None:
        notes.extend(languages.values())
        await note(studio, languages)

    monkeypatch.setattr(language, "languages_of", counted_read)
    monkeypatch.setattr(language, "note_telegram_languages", counted_note)
    member = phone(app, fake, MEMBER, "uk")
    for _ in range(3):
        await member.send("/settings")
    await app.bot_data.languages.stored()
    assert reads == [MEMBER] and notes == ["uk"]
    fake.add_chat(MEMBER, language_code="de")  # they switched their app's language
    screen = await member.send("/settings")
    assert screen["text"].splitlines()[0] == GERMAN_SETTINGS
    assert await stored_languages(app, world, world.members[0]) == (None, "de")
    assert reads == [MEMBER] and notes == ["uk", "de"]


async def test_at_start_everyone_linked_is_read_in_one_query_and_first_updates_write_together(
    app: TraineryApplication, fake: FakeBotApi, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    batches: list[dict[int, str]] = []
    note = language.note_telegram_languages

    async def counted_read(studio: Any, user: int) -> None:
        reads.append(user)

    async def counted_note(studio: Any, languages: dict[int, str]) -> None:
        batches.append(dict(languages))
        await note(studio, languages)

    monkeypatch.setattr(language, "languages_of", counted_read)
    monkeypatch.setattr(language, "note_telegram_languages", counted_note)
    monkeypatch.setattr(language, "GATHER", 0.2)
    await language.preload(app)
    await phone(app, fake, MEMBER, "uk").send("/settings")
    screen = await phone(app, fake, TRAINER, "de", "Tom").send("/settings")
    assert screen["text"].splitlines()[0] == GERMAN_SETTINGS
    await app.bot_data.languages.stored()
    assert reads == [] and batches == [{world.members[0]: "uk", world.trainer: "de"}]
    assert await stored_languages(app, world, world.trainer) == (None, "de")


# -- /settings and /language -------------------------------------------------------------


async def test_choosing_german_in_settings_answers_in_german_and_beats_telegram(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    member = phone(app, fake, MEMBER, "uk")
    await member.send("/settings")
    screen = await member.tap("Deutsch")
    assert (member.answer() or {})["text"] == "Dieser Bot spricht jetzt Deutsch mit Ihnen."
    assert screen["text"].splitlines() == [
        GERMAN_SETTINGS,
        "",
        "🌐 Sprache: Deutsch.",
        "",
        "🔔 Erinnerungen: an — 24 Std. und 2 Std. vor jeder gebuchten Trainingseinheit, mit einem Hinweis zum Stornieren.",
    ]
    assert labels(screen) == ["🔕 Erinnerungen ausschalten", "English", "Українська", "✓ Deutsch"]
    assert await stored_languages(app, world, world.members[0]) == ("de", "uk")
    # Their menu follows: the commands of a member, described in German.
    menu = {c["command"]: c["description"] for c in fake.commands({"type": "chat", "chat_id": MEMBER})}
    assert menu["language"] == "die Sprache wählen, in der dieser Bot mit Ihnen spricht"
    screen = await member.send("/settings")  # Telegram still says uk: the choice goes first
    assert screen["text"].splitlines()[0] == GERMAN_SETTINGS


async def test_the_language_command_opens_the_same_choice(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    trainer = phone(app, fake, TRAINER, "en", "Tom")
    screen = await trainer.send("/language")
    assert screen["text"].splitlines() == [
        "Language",
        "",
        "🌐 Language: English, from your Telegram app or the studio. Choose one to keep it.",
        "",
        "Choose the language of this bot:",
    ]
    assert labels(screen) == ["English", "Українська", "Deutsch"]
    screen = await trainer.tap("Українська")
    assert (trainer.answer() or {})["text"] == "Тепер бот спілкується з вами мовою: Українська."
    assert screen["text"].splitlines()[:3] == [UKRAINIAN_SETTINGS, "", "🌐 Мова: Українська."]
    assert "☀ Ранковий список: увімкнено — о 07:00" in screen["text"]
    assert labels(screen)[-3:] == ["English", "✓ Українська", "Deutsch"]
    screen = await trainer.tap("English")
    assert screen["text"].splitlines()[:3] == [ENGLISH_SETTINGS, "", "🌐 Language: English."]
    assert await stored_languages(app, world, world.trainer) == ("en", "en")


async def test_someone_of_no_studio_has_no_language_to_choose(app: TraineryApplication, fake: FakeBotApi) -> None:
    stranger = phone(app, fake, STRANGER, "uk")
    screen = await stranger.send("/language")
    assert screen["text"] == "Налаштування — для людей цієї студії. Попросіть адміністратора студії про посилання-запрошення."
    answer = await stranger.press("Lg1:de", screen["message_id"], forged=True)
    assert answer is not None and answer["text"].startswith("Налаштування — для людей цієї студії.")


# -- menus -------------------------------------------------------------------------------


async def test_the_default_menu_is_set_once_per_language(app: TraineryApplication, fake: FakeBotApi) -> None:
    await menus.set_default_menus(app.bot)
    calls = [(call.params.get("language_code"), call.params.get("scope")) for call in fake.calls("setMyCommands")]
    assert sorted(calls, key=str) == sorted([(None, None), ("uk", None), ("de", None)], key=str)
    for code in ("uk", "de"):
        with i18n.using(code):
            expected = [{"command": c.command, "description": c.description} for c in menus.default_menu()]
        assert fake.commands(language_code=code) == expected
    assert [c["command"] for c in fake.commands()] == ["start", "help"]


async def test_a_german_studio_sets_its_default_menu_without_a_code(app: TraineryApplication, fake: FakeBotApi) -> None:
    i18n.set_default("de")
    await menus.set_default_menus(app.bot)
    codes = sorted(str(call.params.get("language_code")) for call in fake.calls("setMyCommands"))
    assert codes == ["None", "en", "uk"]


# -- notifications ---------------------------------------------------------------------------


async def test_a_notification_is_written_in_the_language_chosen_after_it_was_queued(
    app: TraineryApplication, fake: FakeBotApi, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    member, silent = world.members[0], world.members[1]
    await chats(world, fake, **{str(member): MEMBER, str(silent): 4242})
    occurrence = world.yoga_on(TUESDAY)
    for someone in (member, silent):
        await book_session(world.studio, someone, occurrence, someone)
    max_ = phone(app, fake, MEMBER, "de")
    await max_.send("/settings")  # Telegram's language de is stored for them
    await app.bot_data.languages.stored()
    await cancel_session(world.studio, world.trainer, occurrence)  # queued: two notifications
    await max_.tap("Українська")  # then they choose Ukrainian, before it is sent
    render = dispatcher_module.render

    def marked(kind: Any, payload: Any, *args: Any) -> Notice:  # the language it was written in, shown
        notice = render(kind, payload, *args)
        return replace(notice, text=f"[{i18n.current()}] {notice.text}")

    monkeypatch.setattr(dispatcher_module, "render", marked)
    with i18n.using("en"):  # the dispatcher's own task knows no update's language
        await deliver(app, world, 2)
    assert fake.sent_messages(MEMBER)[-1]["text"].startswith("[uk] ")
    assert fake.sent_messages(4242)[-1]["text"].startswith("[en] ")  # who chose nothing, nor wrote: the studio's
    async with world.sessions() as session:
        assert (await session.scalar(select(PersonSettingsRow.language).where(PersonSettingsRow.person_id == member))) == "uk"


async def test_a_receipt_fills_in_in_the_language_of_who_saw_the_outcome(
    app: TraineryApplication, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_chat(TRAINER)
    written_in: list[str] = []
    with_receipt = receipts.with_receipt

    def spy(text: str, receipt: Receipt, *, gave_up: bool) -> str:
        written_in.append(i18n.current())
        return with_receipt(text, receipt, gave_up=gave_up)

    monkeypatch.setattr(receipts, "with_receipt", spy)
    message = await app.bot.send_message(TRAINER, "✅ Saved")
    with i18n.using("de"):  # the update that showed the outcome
        followed = receipts.Followed(TRAINER, message.message_id, "✅", None, "c1", Receipt.queued(2), print)
    follower = receipts.Receipts(app.bot, lambda _change: _done(Receipt(2, 2, 0)))  # type: ignore[arg-type]
    assert await follower._edit(followed, Receipt(2, 2, 0), gave_up=False) == 0.0  # from a task of its own
    assert written_in == ["de"]


async def _done(receipt: Receipt) -> Receipt:
    return receipt
