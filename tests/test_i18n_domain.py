"""Issue 17: the sentences of domain/ in Ukrainian and German — every error class's
message and a sample of errors with values, counted and nested sentences, the
placeholders of every translation, and refusals through the real Application."""

from __future__ import annotations

import importlib
import pkgutil
import string
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from telegram import Update

import domain
from bot import i18n
from bot.context import TraineryApplication
from domain.errors import DomainError, SessionFull
from domain.reminders.policy import lead_words
from domain.roles import Person, Role
from domain.setup.invites import SeveralCalled, _refusal
from domain.setup.names import KINDS, SetupError, match, open_pass_of
from domain.wording import Wording, english, ngettext, of_data, said, to_data
from tests.bot_harness import ADMIN, app, database_url, fake
from tests.catalog import shipped_catalog
from tests.fake_bot_api import FakeBotApi
from tests.world import World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name

TRANSLATED = ("uk", "de")


def _subclasses(cls: type[DomainError]) -> set[type[DomainError]]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found)) if found else found


def domain_errors() -> list[type[DomainError]]:
    """Every DomainError of domain/, each module imported so that none is missed."""
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    return sorted(_subclasses(DomainError) | {DomainError}, key=lambda cls: cls.__qualname__)


def translated(value: Wording | DomainError, language: str) -> str:
    with i18n.using(language):
        return i18n.error_text(value) if isinstance(value, DomainError) else i18n.render(value)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_error_class_has_its_message_translated(language: str) -> None:
    errors = domain_errors()
    assert len(errors) > 30  # the walk found them
    for cls in errors:
        text = translated(Wording(cls.message), language)
        assert text != cls.message, f"{cls.__qualname__}: {cls.message!r} has no {language} translation"


SAMPLES: list[tuple[Any, str, str, str]] = [  # (error or wording, English, Ukrainian, German)
    (
        SetupError(KINDS["space"].unknown, name="Gym"),
        "No space is called “Gym”.",
        "Залу з назвою «Gym» немає.",
        "Kein Raum heißt „Gym“.",
    ),
    (
        SessionFull(),
        "This session is full.",
        "На це заняття немає вільних місць.",
        "Dieser Termin ist voll.",
    ),
    (
        ngettext("{n} booking(s)", "{n} booking(s)", 21),
        "21 booking(s)",
        "21 запис",
        "21 Buchungen",
    ),
    (
        ngettext("{n} booking(s)", "{n} booking(s)", 3),
        "3 booking(s)",
        "3 записи",
        "3 Buchungen",
    ),
    (
        ngettext("{n} booking(s)", "{n} booking(s)", 11),
        "11 booking(s)",
        "11 записів",
        "11 Buchungen",
    ),
    (lead_words(timedelta(hours=24)), "24 h", "24 год", "24 Std."),
    (lead_words(timedelta(minutes=90)), "90 min", "90 хв", "90 Min."),
    (
        SetupError("{title} has no session on {day:%a %d %b %Y}.", title="Yoga", day=date(2026, 12, 24)),
        "Yoga has no session on Thu 24 Dec 2026.",
        "«Yoga» не має заняття 24.12.2026.",
        "Yoga hat am 24.12.2026 keinen Termin.",
    ),
]


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_sentences_with_values_read_in_each_language(index: int) -> None:
    value, en, uk, de = SAMPLES[index]
    assert (translated(value, "en"), translated(value, "uk"), translated(value, "de")) == (en, uk, de)
    assert english(value.parts[0] if isinstance(value, DomainError) else value) == en


def test_a_refusal_that_tells_names_apart_is_translated_whole() -> None:
    pool = [("Anna Berg", Person(14, "Anna Berg", frozenset())), ("Anna Berg", Person(15, "Anna Berg", frozenset()))]
    with pytest.raises(SetupError) as several:
        match("anna", pool, "member")
    assert str(several.value) == (
        "“anna” fits several members: Anna Berg #14, Anna Berg #15. Add the number to say which, e.g. “Anna Berg #14”."
    )
    assert translated(several.value, "uk") == (
        "«anna» підходить до кількох учасників: Anna Berg #14, Anna Berg #15. "
        "Додайте номер, щоб уточнити, наприклад «Anna Berg #14»."
    )
    assert translated(several.value, "de") == (
        "„anna“ passt zu mehreren Mitgliedern: Anna Berg #14, Anna Berg #15. "
        "Fügen Sie die Nummer hinzu, um es anzugeben, z. B. „Anna Berg #14“."
    )
    with pytest.raises(SetupError) as unknown:
        match("10 classes", [], open_pass_of("Member 0"))
    assert str(unknown.value) == "No open pass of Member 0 is called “10 classes”."
    assert translated(unknown.value, "de") == "Kein offenes Abo von Member 0 heißt „10 classes“."


def test_invite_refusals_name_the_roles_in_the_readers_language_and_survive_a_chat_data_round_trip() -> None:
    person = Person(7, "Tom", frozenset({Role.TRAINER, Role.ADMIN}), telegram_user_id=70)
    refusal = _refusal(person, Role.MEMBER, {7: "Tom"})
    assert refusal is not None and of_data(to_data(refusal)) == refusal
    assert english(refusal) == (
        "• Tom is in the studio already (admin, trainer) and has linked Telegram: /appoint member; Tom gives them "
        "the role, no link needed. For another person of that name: /invite_member Tom (new)."
    )
    assert translated(refusal, "uk").startswith("• Tom уже в студії (адміністратор, тренер) і має прив’язаний Telegram")
    assert "(Admin, Trainer)" in translated(refusal, "de")
    error = DomainError.lines(said("Nobody was invited:"), refusal)
    assert translated(error, "de").splitlines()[0] == "Niemand wurde eingeladen:"
    ambiguous = SeveralCalled("Anna", "Anna #1, Anna #2", "Anna #1")
    assert english(ambiguous.review_line()).startswith("• several people are called Anna (Anna #1, Anna #2).")
    assert translated(ambiguous.review_line(), "uk").startswith("• кілька людей мають ім’я Anna (Anna #1, Anna #2).")


def test_sessions_named_in_a_refusal_are_counted_and_dated_in_the_readers_way() -> None:
    start = datetime(2026, 12, 1, 17, tzinfo=ZoneInfo("UTC"))
    shown = tuple(said("{title} {start:%a %d %b %H:%M}", title="Yoga", start=start) for _ in range(3))
    named = ngettext("{sessions} and {n} more", "{sessions} and {n} more", 5, sessions=shown)
    assert english(named) == "Yoga Tue 01 Dec 17:00, Yoga Tue 01 Dec 17:00, Yoga Tue 01 Dec 17:00 and 5 more"
    assert translated(named, "de") == "Yoga 01.12. 17:00, Yoga 01.12. 17:00, Yoga 01.12. 17:00 und 5 weitere"


# -- the catalogs ---------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _domain_messages() -> list[tuple[str | tuple[str, str], str | None]]:
    """(message id, context) of every N_/ngettext/pgettext of domain/, as pybabel finds them."""
    root = Path(domain.__file__).parent
    found = extract_from_dir(str(root), method_map=[("**.py", "python")])
    return [(message, context) for _, _, message, _, context in found]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_domain_message_is_translated_with_the_same_placeholders(language: str) -> None:
    catalog = shipped_catalog(language)
    messages = _domain_messages()
    assert len(messages) > 150
    for message, context in messages:
        entry = catalog.get(message[0] if isinstance(message, tuple) else message, context=context)
        assert entry is not None, f"{message!r} is not in the {language} catalog"
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(forms), f"{message!r} has no {language} translation"
        wanted = set().union(*(_fields(i) for i in ids))
        for form in forms:
            assert _fields(form) == wanted or (len(ids) == 2 and _fields(form) | {"n"} == wanted | {"n"}), (
                f"{language}: {form!r} does not keep the placeholders of {ids[0]!r}"
            )


# -- through the Application -------------------------------------------------------------


async def admin_says(app: TraineryApplication, fake: FakeBotApi, text: str, language: str) -> str:
    update = fake.user_message(ADMIN, text, first_name="Ada", language_code=language)
    await app.process_update(Update.de_json(update, app.bot))
    return str(fake.sent_messages(ADMIN)[-1]["text"])


async def test_an_admins_refusals_read_in_their_language(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    uk = await admin_says(app, fake, "/space_add studio a", "uk")
    assert uk.splitlines()[0] == "Зал із назвою «studio a» уже існує."
    de = await admin_says(app, fake, "/space_capacity studio; 5", "de")
    assert de.splitlines()[0] == "„studio“ passt zu mehreren Räumen: Studio A, Studio B. Tippen Sie mehr vom Namen."
    en = await admin_says(app, fake, "/space_capacity studio; 5", "en")
    assert en.splitlines()[0] == "“studio” fits several spaces: Studio A, Studio B. Type more of the name."
    review = await admin_says(app, fake, "/invite_member Anna Berg, Member 0", "uk")
    assert "• Member 0 уже учасник і має прив’язаний Telegram: посилання не потрібне. " in review
