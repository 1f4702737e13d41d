"""Issue 17 for the admin's corrections, /undelivered, /demo, inline names and the admin
commands' help entries: through the real Application in Ukrainian and German (the
update's `language_code`), the replies are translated — plural forms for 1, 2, 5 and 21
— and no English sentence of the catalog is left in them. The English texts are
asserted by the older tests, unchanged."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import update
from telegram import Update

from bot import i18n
from bot.admin import undelivered
from bot.app import build_application
from bot.context import TraineryApplication
from bot.i18n import _
from bot.settings import Settings
from bot.texts import ADMIN_COMMANDS
from domain import delivery
from domain.clock import FixedClock
from domain.notifications import NotificationDraft, NotificationKind
from domain.studio import Studio
from storage.database import open_database
from storage.models import NotificationRow
from storage.unit_of_work import SqlUnitOfWork
from tests.bot_harness import ADMIN, MEMBER, app, database_url, fake
from tests import catalog
from tests.fake_bot_api import FakeBotApi
from tests.world import BERLIN, World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

TOKEN, OWNER, STRANGER = "123:ABC", 4242, 4343


def assert_no_english(text: str, language: str) -> None:
    left = catalog.english_left(text, language)
    assert not left, f"English left in the {language} reply: {left}\n{text}"


async def say(
    app: TraineryApplication, fake: FakeBotApi, user: int, text: str, language: str, *, checked: int | None = None
) -> str:
    """The reply to `text` sent in `language`; its first `checked` lines (all: None) hold
    no English of this area — a usage reply's usage and example lines are texts.py's."""
    before = len(fake.sent_messages(user))
    update_json = fake.user_message(user, text, first_name="Ada", language_code=language)
    await app.process_update(Update.de_json(update_json, app.bot))
    messages = fake.sent_messages(user)
    assert len(messages) == before + 1, f"no answer to {text!r}"
    reply: str = messages[-1]["text"]
    assert_no_english("\n".join(reply.splitlines()[:checked]), language)
    return reply


async def test_corrections_in_ukrainian_with_their_plural_forms(app: TraineryApplication, fake: FakeBotApi) -> None:
    async def admin(text: str, checked: int | None = None) -> str:
        return await say(app, fake, ADMIN, text, "uk", checked=checked)

    assert await admin("/space_rename Studio B; Синій зал") == "Зал перейменовано: тепер це Синій зал."
    assert await admin("/space_capacity синій; 6") == "Синій зал тепер вміщує щонайбільше 6."
    assert await admin("/space_capacity Синій зал; none") == "Синій зал тепер без обмеження місткості."
    for days, form in ((1, "день"), (2, "дні"), (5, "днів"), (21, "день")):
        extended = await admin(f"/pass_extend Member 1; 10 classes; {days}")
        assert extended.startswith(f"Продовжено на {days} {form}: Member 1 — 10 classes, ")
    assert (await admin("/pass_topup Member 1; 10 classes; 2")).startswith("Поповнено на 2 заняття: Member 1 — ")
    closed = await admin("/pass_close Member 1; 10 classes")
    assert closed.startswith("Закрито: Member 1 — 10 classes") and closed.endswith("уже зроблені записи лишаються.")
    assert await admin("/person_rename Member 3; Анна Берг") == "Перейменовано: Member 3 тепер Анна Берг."
    assert await admin("/role_remove trainer; Sue") == "Sue Substitute більше не тренер."
    left = await admin("/member_leave Member 0")
    assert left == (
        "Member 0 більше не учасник студії: 0 майбутніх записів скасовано, заняття повернено на абонементи; "
        "0 місць у листі очікування звільнено; 0 невикористаних посилань-запрошень відкликано."
    )
    # A schedule's recurrence: the words stay English (the syntax), the error about them is Ukrainian.
    line = "/schedule_add Пілатес; {}; 2026-12-07; 9:00; 50; 8; Studio B; Tom"
    assert "«yearly» — не спосіб повторення: пишіть once, daily" in await admin(line.format("yearly"), 1)
    assert "«пн» — не день тижня: пишіть mon, tue" in await admin(line.format("weekly пн"), 1)
    assert "Вкажіть або дату завершення (until), або кількість занять (for)" in await admin(
        line.format("daily until 2027-01-01 for 3"), 1
    )


async def test_corrections_in_german(app: TraineryApplication, fake: FakeBotApi) -> None:
    async def admin(text: str, checked: int | None = None) -> str:
        return await say(app, fake, ADMIN, text, "de", checked=checked)

    assert await admin("/space_rename Studio B; Blauer Raum") == "Raum umbenannt: Er heißt jetzt Blauer Raum."
    assert await admin("/space_capacity blauer; 6") == "Blauer Raum fasst jetzt höchstens 6."
    for days, form in ((1, "Tag"), (2, "Tage"), (21, "Tage")):
        extended = await admin(f"/pass_extend Member 1; 10 classes; {days}")
        assert extended.startswith(f"Um {days} {form} verlängert: Member 1 — 10 classes, ")
    assert (await admin("/pass_topup Member 1; 10 classes; 1")).startswith("Um 1 Termin aufgestockt: Member 1 — ")
    assert await admin("/template_rename 10 classes; Zehnerabo") == (
        "Abo-Vorlage umbenannt: Zehnerabo; ihre Abos zeigen den neuen Namen."
    )
    assert await admin("/role_remove trainer; Sue") == "Sue Substitute ist nicht mehr Trainer."
    assert (await admin("/member_leave Member 0")).startswith(
        "Member 0 ist kein Mitglied mehr: 0 kommende Buchungen storniert"
    )
    refused = await admin("/schedule_add Pilates; once a week; 2026-12-07; 9:00; 50; 8; Studio B; Tom", 1)
    assert "Nach „once“ folgt nichts mehr." in refused


async def add_undelivered(world: World) -> None:
    """Three notifications not delivered: two failed for good, one still being retried."""
    payload = {"title": "Yoga", "start": "2026-12-01T17:00:00+00:00"}
    async with SqlUnitOfWork(world.sessions) as uow:
        for number, member in enumerate(world.members[:3]):
            draft = NotificationDraft(member, NotificationKind.CANCELLED, payload)
            await uow.outbox.add(f"change-{number}", [draft], world.studio.clock.now())
        await uow.commit()
    outcomes = [
        ("failed", delivery.NO_LINKED_CHAT, 1),
        ("failed", "refused by Telegram: Forbidden: bot was kicked", 1),
        ("pending", "network error: timed out", 2),
    ]
    async with world.sessions() as session:
        for (status, reason, attempts), member in zip(outcomes, world.members[:3], strict=True):
            await session.execute(
                update(NotificationRow)
                .where(NotificationRow.member_id == member)
                .values(status=status, failure_reason=reason, attempts=attempts)
            )
        await session.commit()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "uk",
            [
                "Недоставлені сповіщення: 3, спершу найновіші",
                "не доставлено: немає прив’язаного чату",
                "не доставлено: Telegram відмовив: Forbidden: bot was kicked",
                "ще пробуємо після 2 спроб: помилка мережі: timed out",
            ],
        ),
        (
            "de",
            [
                "Nicht zugestellte Benachrichtigungen: 3, neueste zuerst",
                "nicht zugestellt: kein verknüpfter Chat",
                "nicht zugestellt: von Telegram abgelehnt: Forbidden: bot was kicked",
                "wird nach 2 Versuchen erneut versucht: Netzwerkfehler: timed out",
            ],
        ),
    ],
)
async def test_undelivered_in_the_admins_language(
    app: TraineryApplication, fake: FakeBotApi, world: World, language: str, expected: list[str]
) -> None:
    empty = {"uk": "Усі сповіщення доставлено.", "de": "Alle Benachrichtigungen wurden zugestellt."}
    assert await say(app, fake, ADMIN, "/undelivered", language) == empty[language]
    await add_undelivered(world)
    lines = (await say(app, fake, ADMIN, "/undelivered", language)).splitlines()
    assert lines[0] == expected[0]
    statuses = sorted(line.strip() for line in lines if line.startswith("  "))
    assert statuses == sorted(expected[1:])
    refused = await say(app, fake, MEMBER, "/undelivered", language)
    assert refused == {"uk": undelivered_uk_only_admins(), "de": undelivered_de_only_admins()}[language]
    usage = await say(app, fake, ADMIN, "/undelivered two", language)
    assert usage.startswith(
        {"uk": "Використання: /undelivered [сторінка]", "de": "Verwendung: /undelivered [Seite]"}[language]
    )


def undelivered_uk_only_admins() -> str:
    with i18n.using("uk"):
        return _(undelivered.ONLY_ADMINS)


def undelivered_de_only_admins() -> str:
    with i18n.using("de"):
        return _(undelivered.ONLY_ADMINS)


def test_every_reason_the_dispatcher_writes_as_is_has_a_translation() -> None:
    fixed = {delivery.NO_LINKED_CHAT, delivery.BLOCKED, delivery.CHAT_NOT_FOUND, delivery.ACCOUNT_DELETED}
    assert fixed <= undelivered.FIXED_REASONS
    with i18n.using("uk"):
        assert undelivered.reason_text(delivery.BLOCKED) == "заблокував бота"
        assert undelivered.reason_text("the chat moved to -100123") == "чат переміщено до -100123"
        assert undelivered.reason_text("could not be written (KeyError: 'title')") == (
            "не вдалося скласти текст (KeyError: 'title')"
        )
        assert undelivered.reason_text("something new") == "something new"  # an unknown record: as it is
    assert undelivered.reason_text(delivery.BLOCKED) == delivery.BLOCKED  # English: as stored


async def test_inline_names_say_what_each_is_in_the_admins_language(app: TraineryApplication, fake: FakeBotApi) -> None:
    for language, space in (("uk", "зал"), ("de", "Raum"), ("en", "space")):
        update_json = fake.user_inline_query(ADMIN, "space studio")
        update_json["inline_query"]["from"]["language_code"] = language
        await app.process_update(Update.de_json(update_json, app.bot))
        answer = fake.inline_answer(update_json["inline_query"]["id"])
        assert answer is not None
        results = [(r["title"], r["description"]) for r in answer["results"]]
        assert results == [("Studio A", space), ("Studio B", space)]


@pytest.fixture
async def empty_app(tmp_path: Path) -> AsyncIterator[tuple[TraineryApplication, FakeBotApi]]:
    engine, sessions = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}")
    with FakeBotApi(TOKEN) as api:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, bot_token=TOKEN, bot_api_url=api.base_url, timezone="Europe/Berlin", owner_ids=[OWNER]
        )
        application = build_application(settings, sessions)
        clock = FixedClock(datetime(2026, 11, 30, 7, tzinfo=timezone.utc))
        application.bot_data.use_studio(Studio(lambda: SqlUnitOfWork(sessions), clock, BERLIN))
        async with application:
            yield application, api
    await engine.dispose()


@pytest.mark.parametrize(
    ("language", "loaded", "until", "trainer", "member", "stranger"),
    [
        (
            "uk",
            "Демо-студію завантажено: зали Studio A та Outdoor court; Yoga (вт, чт 18:00)",
            r"кожне спрацьовує один раз, до \d\d [а-яі]+\. 2026\):",
            "• тренер Demo Trainer: https://t.me/",
            "• учасник Demo Member 1: https://t.me/",
            "Завантажити демо-студію може лише власник студії.",
        ),
        (
            "de",
            "Demo-Studio geladen: die Räume Studio A und Outdoor court; Yoga (Di, Do 18:00)",
            r"jeder funktioniert einmal, bis \d\d\. [A-Z][a-zä]+\.? 2026\):",
            "• Trainer Demo Trainer: https://t.me/",
            "• Mitglied Demo Member 1: https://t.me/",
            "Nur der Inhaber des Studios kann das Demo-Studio laden.",
        ),
    ],
)
async def test_demo_in_the_owners_language(
    empty_app: tuple[TraineryApplication, FakeBotApi],
    language: str,
    loaded: str,
    until: str,
    trainer: str,
    member: str,
    stranger: str,
) -> None:
    app_, api = empty_app
    assert await say(app_, api, STRANGER, "/demo", language) == stranger
    reply = await say(app_, api, OWNER, "/demo", language)
    assert reply.startswith(loaded) and re.search(until, reply), reply
    assert trainer in reply and member in reply and "<code>/sessions week</code>" not in reply
    assert "/sessions week" in reply and "/schedules" in reply


def test_the_english_demo_date_is_as_before() -> None:
    from bot.render import short_date as until_day

    moment = datetime(2026, 12, 7, 22, 30, tzinfo=timezone.utc)  # Tuesday already in Berlin
    assert until_day(moment, BERLIN) == "07 Dec 2026" == moment.astimezone(BERLIN).strftime("%d %b %Y")
    with i18n.using("de"):
        assert until_day(moment, BERLIN) == "07. Dez. 2026"


KEYWORDS = {"none", "unlimited", "private", "confirm", "closed", "deadline", "from", "admin", "trainer", "member"}
KEYWORDS |= {"title", "time", "duration", "capacity", "space"}  # /schedule_edit's fields
RECURRENCE = {"once", "daily", "weekly", "monthly"}


@pytest.mark.parametrize("language", ["uk", "de"])
def test_each_admin_command_reads_in_the_language_and_its_examples_still_parse(language: str) -> None:
    """`what` (also the menu's description) is translated; a translated usage line keeps
    its command and fields; a translated example keeps its command, its fields, every
    keyword the parsers take (none, private, trainer, from …), its recurrence words
    and its numbers, dates and times, so typing it still works."""
    with i18n.using(language):
        for name, command in ADMIN_COMMANDS.items():
            assert _(command.what) != command.what, name
            usage = _(command.usage)
            assert usage.split()[0] == f"/{name}" and usage.count(";") == command.usage.count(";"), usage
            for example in command.examples:
                shown = _(example)
                typed_fields, shown_fields = example.split(";"), shown.split(";")
                assert len(shown_fields) == len(typed_fields), shown
                # the command itself, then the first field's words as any other field's
                typed_fields[0:1] = example.split(maxsplit=1)[:1] + [" ".join(typed_fields[0].split()[1:])]
                shown_fields[0:1] = shown.split(maxsplit=1)[:1] + [" ".join(shown_fields[0].split()[1:])]
                assert shown_fields[0] == f"/{name}", shown
                for typed, translated in zip(typed_fields[1:], shown_fields[1:], strict=True):
                    words, got = typed.split(), translated.split()
                    if not words:
                        continue
                    if words[0] in RECURRENCE or re.fullmatch(r"[\d:\- ]+", typed.strip()):
                        assert got == words, shown
                    elif words[0] in KEYWORDS:
                        assert got[:1] == words[:1], shown
