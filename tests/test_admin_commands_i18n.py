"""Issue 17: the admins' one-line commands (bot/admin/commands.py) answer in the
admin's language. A run of commands through the real Application in Ukrainian and
German — a space, a trainer's invite, a pass template, a schedule, the lists and a
schedule's card, passes granted, many members invited, wrong lines — shows the
translated replies, and no English sentence of the catalog among them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from telegram import Update

from bot import i18n
from bot.context import TraineryApplication
from tests import catalog
from tests.bot_harness import ADMIN, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone
from tests.world import World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

COMMANDS = Path(__file__).parent.parent / "bot" / "admin" / "commands.py"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


class Speaker(Phone):
    """A phone whose Telegram is set to `language` (the update's `from.language_code`)."""

    def __init__(self, app: TraineryApplication, fake: FakeBotApi, user_id: int, language: str) -> None:
        super().__init__(app, fake, user_id, "Ada")
        self.language = language

    async def send(self, text: str) -> dict[str, Any]:
        update = self.fake.user_message(self.user_id, text, first_name=self.name, language_code=self.language)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.screen()


def messages_of_commands() -> list[tuple[str | None, str | tuple[str, ...]]]:
    """Every message id of commands.py, as pybabel extracts it: (context, id)."""
    found = extract_from_file("python", str(COMMANDS), keywords=KEYWORDS)
    return [(context, message) for _, message, _, context in found]


EXPECTED = {
    "uk": {
        "space": "Зал додано: Зал Б, щонайбільше 12.",
        "spaces": ["Зали", "• Зал Б (щонайбільше 12)"],
        "invite": "Посилання-запрошення для тренера — надішліть кожному його власне; кожне діє один раз, до ",
        "template": "Шаблон абонемента додано: Десять: 10 занять, діє 30 днів, ще без розкладів",
        "schedule": "Розклад додано: Пілатес (відкритий). Перегляньте в /sessions.",
        "schedules": [
            "Розклади",
            "• Пілатес: weekly mon,wed until 2027-03-31; з 2026-12-07 о 09:00; 50 хв; 8 місць; Studio B; "
            "Sue Substitute; запис за 4 години",
            "(типово для студії)",
        ],
        "card": ["Наступне заняття: ", "Змінити", "Завершити", "Пропустити дату", "« Розклади"],
        "skip": ["Пропустити дату Пілатес: надішліть цей рядок із датою та причиною.", "причина для учасників"],
        "templates": ["Шаблони абонементів", "• Десять: 10 занять, діє 30 днів, ще без розкладів"],
        "grant": "Видано учаснику Member 2: Десять, залишилось 10 з 10 занять, діє до ",
        "enrolled": "Записано на 10 занять курсу Back course: ",
        "passes": ["Абонементи: Member 2", "• Десять, залишилось 10 з 10 занять"],
        "members": "• Member 3 — ще не прив’язано",
        "review": ["Перед запрошенням", "Нові (кожному посилання), 2: Анна, Богдан", "Нічого не створюється"],
        "confirm": "✅ Запросити 2",
        "invited": "Запрошено 2 особи: посилання нижче.",
        "links": "Посилання-запрошення для учасників",
        "whole": "Потрібне ціле число (максимальна місткість), а не «lots».",
        "missing": "Бракує деяких полів.",
        "option": "«open» — не параметр: використайте «closed <шаблон>», «private» або «deadline <години>».",
    },
    "de": {
        "space": "Raum hinzugefügt: Halle B, höchstens 12.",
        "spaces": ["Räume", "• Halle B (höchstens 12)"],
        "invite": "Einladungslinks für den Trainer — schicken Sie jeder Person ihren eigenen; jeder funktioniert "
        "einmal, bis ",
        "template": "Abo-Vorlage hinzugefügt: Zehn: 10 Termine, gültig 30 Tage, noch für keinen Kursplan",
        "schedule": "Kursplan hinzugefügt: Pilates (offen). Zu sehen unter /sessions.",
        "schedules": [
            "Kurspläne",
            "• Pilates: weekly mon,wed until 2027-03-31; ab 2026-12-07 um 09:00; 50 Min.; 8 Plätze; Studio B; "
            "Sue Substitute; Buchungsfrist 4 Stunden",
            "(Standard des Studios)",
        ],
        "card": ["Nächster Termin: ", "Ändern", "Beenden", "Datum auslassen", "« Kurspläne"],
        "skip": ["Ein Datum von Pilates auslassen: senden Sie diese Zeile", "Grund für die Mitglieder"],
        "templates": ["Abo-Vorlagen", "• Zehn: 10 Termine, gültig 30 Tage, noch für keinen Kursplan"],
        "grant": "An Member 2 vergeben: Zehn, noch 10 von 10 Terminen, gültig bis ",
        "enrolled": "Für 10 Termine von Back course angemeldet: ",
        "passes": ["Abos von Member 2", "• Zehn, noch 10 von 10 Terminen"],
        "members": "• Member 3 — noch nicht verknüpft",
        "review": ["Vor dem Einladen", "Neu (je ein Link), 2: Anna, Bernd", "Nichts wird angelegt"],
        "confirm": "✅ 2 einladen",
        "invited": "2 Personen eingeladen: die Links folgen.",
        "links": "Einladungslinks für Mitglieder",
        "whole": "Erwartet wird eine ganze Zahl (maximale Kapazität), nicht „lots“.",
        "missing": "Einige Felder fehlen.",
        "option": "„open“ ist keine Option: verwenden Sie „closed <Vorlage>“, „private“ oder „deadline <Stunden>“.",
    },
}
NAMES = {
    "uk": {"space": "Зал Б", "template": "Десять", "schedule": "Пілатес", "members": "Анна, Богдан"},
    "de": {"space": "Halle B", "template": "Zehn", "schedule": "Pilates", "members": "Anna, Bernd"},
}


@pytest.mark.parametrize("language", ["uk", "de"])
async def test_admin_commands_answer_in_the_admins_language(
    app: TraineryApplication, fake: FakeBotApi, world: World, language: str
) -> None:
    admin, want, name = Speaker(app, fake, ADMIN, language), EXPECTED[language], NAMES[language]

    async def say(line: str) -> str:
        return str((await admin.send(line))["text"])

    assert await say(f"/space_add {name['space']}; 12") == want["space"]
    spaces = await say("/spaces")
    assert all(part in spaces for part in want["spaces"])
    assert (await say("/invite_trainer Olena Koval")).startswith(want["invite"])
    assert await say(f"/template_add {name['template']}; 10; 30") == want["template"]
    line = f"{name['schedule']}; weekly mon,wed until 2027-03-31; 2026-12-07; 9:00; 50; 8; Studio B; Sue; deadline 4"
    assert await say(f"/schedule_add {line}") == want["schedule"]
    schedules = await say("/schedules")
    assert all(part in schedules for part in want["schedules"]), schedules
    card = await admin.tap(name["schedule"])
    assert all(part in card["text"] or part in str(card["reply_markup"]) for part in want["card"]), card
    skip = await admin.tap(want["card"][3], card)
    assert all(part in skip["text"] for part in want["skip"]), skip["text"]
    templates = await say("/templates")
    assert all(part in templates for part in want["templates"])

    assert (await say(f"/pass_grant Member 2; {name['template']}")).startswith(want["grant"])
    assert want["enrolled"] in await say("/pass_grant Member 1; course")
    passes = await say("/passes Member 2")
    assert all(part in passes for part in want["passes"])
    assert want["members"] in await say("/members")

    review = await admin.send(f"/invite_member {name['members']}")
    assert all(part in review["text"] for part in want["review"]), review["text"]
    await admin.tap(want["confirm"], review)
    texts = [m["text"] for m in admin.messages()]
    assert want["invited"] in texts and texts[-1].startswith(want["links"])

    assert (await say("/space_add Gym; lots")).splitlines()[0] == want["whole"]
    assert (await say("/template_add X")).splitlines()[0] == want["missing"]
    wrong = f"/schedule_add {line.replace('deadline 4', 'open')}"
    assert (await say(wrong)).splitlines()[0] == want["option"]

    shown = "\n".join(m["text"] for m in admin.messages())
    assert catalog.english_left(shown, admin.language) == [], shown


def test_every_message_of_the_admin_commands_is_translated() -> None:
    """Each message id of commands.py in the Ukrainian and German catalogs, every
    plural form filled."""
    for language in ("uk", "de"):
        catalog: dict[Any, str] = i18n.catalog(language)._catalog  # type: ignore[attr-defined]
        for context, message in messages_of_commands():
            singular = message[0] if isinstance(message, tuple) else message
            key = f"{context}\x04{singular}" if context else singular
            if isinstance(message, tuple):
                forms = [catalog.get((key, n)) for n in range(3 if language == "uk" else 2)]
                assert all(forms), (language, message)
            else:
                assert catalog.get(key), (language, message)


CHANGES = {
    "uk": {
        "warned": ["Ще не змінено — спершу перевірте:", "⚠️ 52 заняття «Yoga» збігаються з «Pilates» у залі Studio A — перше "],
        "anyway": "Щоб усе одно змінити, надішліть той самий рядок із ; confirm у кінці:\n",
        "changed": [": час 18:00 → 19:00.", "Заняття до цієї дати лишаються як були; окремі зміни занять зберігаються."],
        "booked": "Змінено 1 заняття із записами; учасникам: 2 сповіщення.",
        "era": ": Yoga о 18:00, 60 хв, 10 місць, Studio A, Tom Trainer",
        "skip": ["Ще не пропущено — учасники записані на 1 заняття «Yoga», яке буде скасовано:", ": 1 запис"],
        "ahead": "Щоб продовжити, надішліть той самий рядок із ; confirm у кінці:\n",
        "skipped": ["скасовано (Ремонт): повернуто 1 запис, учасникам: 1 сповіщення. У /sessions його позначено"],
        "end": ["Ще не завершено — учасники записані на 1 заняття «Yoga», яке буде скасовано:", ": 2 записи"],
        "ended": ["Yoga завершується ", "Скасовано 1 заняття після цієї дати; повернуто: 2 записи; учасникам: 2 сповіщення."],
    },
    "de": {
        "warned": [
            "Noch nicht geändert — bitte zuerst prüfen:",
            "⚠️ 52 Termine von Yoga überschneiden sich mit Pilates in Studio A — der erste ",
        ],
        "anyway": "Um ihn trotzdem zu ändern, senden Sie dieselbe Zeile mit ; confirm am Ende:\n",
        "changed": [": Uhrzeit 18:00 → 19:00.", "Termine davor behalten ihre Werte; Änderungen an einzelnen Terminen bleiben."],
        "booked": "1 gebuchter Termin geändert; 2 Benachrichtigungen an Mitglieder.",
        "era": ": Yoga um 18:00, 60 Min., 10 Plätze, Studio A, Tom Trainer",
        "skip": ["Noch nicht ausgelassen — Mitglieder haben 1 Termin von Yoga gebucht, der abgesagt würde:", ": 1 Buchung"],
        "ahead": "Um fortzufahren, senden Sie dieselbe Zeile mit ; confirm am Ende:\n",
        "skipped": ["ist abgesagt (Reparatur): 1 Buchung erstattet, 1 Benachrichtigung an Mitglieder. /sessions zeigt"],
        "end": ["Noch nicht beendet — Mitglieder haben 1 Termin von Yoga gebucht, der abgesagt würde:", ": 2 Buchungen"],
        "ended": ["Yoga endet am ", "1 Termin danach abgesagt; 2 Buchungen erstattet; 2 Benachrichtigungen an Mitglieder."],
    },
}
REASON = {"uk": "Ремонт", "de": "Reparatur"}


@pytest.mark.parametrize("language", ["uk", "de"])
async def test_changing_skipping_and_ending_a_schedule_in_the_admins_language(
    app: TraineryApplication, fake: FakeBotApi, world: World, language: str
) -> None:
    admin, want = Speaker(app, fake, ADMIN, language), CHANGES[language]
    await world.book_all(world.yoga_on(date(2026, 12, 10)), world.members[:2])
    await world.book_all(world.yoga_on(date(2026, 12, 3)), world.members[:1])

    async def say(line: str) -> str:
        return str((await admin.send(line))["text"])

    await say("/schedule_add Pilates; weekly thu; 2026-12-03; 19:00; 50; 8; Studio A; Sue")
    edit = "/schedule_edit Yoga; from 2026-12-08; time 19:00"
    warned = await say(edit)
    assert all(part in warned for part in want["warned"]), warned
    assert f"{want['anyway']}{edit}; confirm" in warned
    changed = await say(f"{edit}; confirm")
    assert all(part in changed for part in want["changed"]) and want["booked"] in changed.splitlines(), changed
    await say("/schedules")
    card = await admin.tap("Yoga")
    assert want["era"] in card["text"], card["text"]

    skip = f"/schedule_skip Yoga; 2026-12-03; {REASON[language]}"
    preview = await say(skip)
    assert preview.splitlines()[0] == want["skip"][0] and preview.splitlines()[1].endswith(want["skip"][1]), preview
    assert f"{want['ahead']}{skip}; confirm" in preview
    skipped = await say(f"{skip}; confirm")
    assert all(part in skipped for part in want["skipped"]), skipped

    preview = await say("/schedule_end Yoga; 2026-12-08")
    assert preview.splitlines()[0] == want["end"][0] and preview.splitlines()[1].endswith(want["end"][1]), preview
    ended = (await say("/schedule_end Yoga; 2026-12-08; confirm")).splitlines()
    assert ended[0].startswith(want["ended"][0]) and ended[1] == want["ended"][1], ended

    shown = "\n".join(m["text"] for m in admin.messages())
    assert catalog.english_left(shown, admin.language) == [], shown


SKIPPED_MONTHS = {
    "en": "⚠️ Monthly repeats monthly on the 31st, so it skips the months without one: Feb 2027, Apr 2027, Jun 2027. "
    "Start on the 28th or earlier to meet every month.",
    "uk": "⚠️ Monthly повторюється щомісяця 31-го числа, тож пропускає місяці без такого дня: лют. 2027, квіт. 2027, "
    "черв. 2027. Почніть 28-го чи раніше, щоб заняття були щомісяця.",
    "de": "⚠️ Monthly wiederholt sich monatlich am 31., fällt also in Monaten ohne diesen Tag aus: Feb 2027, Apr 2027, "
    "Jun 2027. Beginnen Sie am 28. oder früher, damit jeder Monat dabei ist.",
}


@pytest.mark.parametrize("language", ["en", "uk", "de"])
async def test_the_months_a_monthly_schedule_skips_are_named_in_the_admins_language(
    app: TraineryApplication, fake: FakeBotApi, language: str
) -> None:
    admin = Speaker(app, fake, ADMIN, language)
    reply = await admin.send("/schedule_add Monthly; monthly for 6; 2026-12-31; 10:00; 60; 5; Studio B; Sue")
    assert reply["text"].splitlines()[2] == SKIPPED_MONTHS[language]
