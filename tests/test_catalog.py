"""The translation catalogs are complete and safe to format (issue 17): every message
id in the code is in the template and translated in every shipped language, and no
translation drops or adds a placeholder or an HTML tag."""

from __future__ import annotations

from io import BytesIO

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import i18n
from tests.catalog import LOCALE, SHIPPED, placeholders, shipped_catalog, source_messages, tags


def test_the_code_has_messages_and_the_shipped_languages_are_ours() -> None:
    assert len(source_messages()) > 300
    assert {"uk", "de"} <= set(SHIPPED)
    assert set(SHIPPED) | {"en"} == set(i18n.LANGUAGES)
    assert [i18n.own_name(code) for code in i18n.LANGUAGES[:3]] == ["English", "Українська", "Deutsch"]


def test_the_template_holds_every_message_of_the_code() -> None:
    """`make translations` (pybabel extract) was run after the last text changed."""
    with (LOCALE / "messages.pot").open("rb") as file:
        template = read_po(file)
    in_template = {(message.context, message.id if isinstance(message.id, str) else message.id[0]) for message in template if message.id}
    in_code = {(message.context, message.id) for message in source_messages()}
    assert sorted(in_code - in_template, key=str) == []
    assert sorted(in_template - in_code, key=str) == []


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated_with_the_same_placeholders_and_tags(language: str) -> None:
    catalog = shipped_catalog(language)
    problems = []
    for message in source_messages():
        entry = catalog.get(message.id, context=message.context)
        if entry is None or entry.fuzzy:
            problems.append(f"{message.where}: {message.id!r} has no translation" + (" (fuzzy)" if entry else ""))
            continue
        if message.plural is None:
            forms: tuple[str, ...] = (entry.string,) if isinstance(entry.string, str) else tuple(entry.string)
            wanted = placeholders(message.id)
        else:
            forms = tuple(entry.string) if isinstance(entry.string, (tuple, list)) else (entry.string,)
            wanted = placeholders(message.plural)
            if len(forms) != catalog.num_plurals:
                problems.append(f"{message.where}: {message.id!r} has {len(forms)} of {catalog.num_plurals} plural forms")
        for form in forms:
            if not form.strip():
                problems.append(f"{message.where}: {message.id!r} has an empty translation")
            elif placeholders(form) != wanted:
                problems.append(f"{message.where}: {message.id!r} → {form!r}: placeholders {placeholders(form)} ≠ {wanted}")
            elif tags(form) != tags(message.plural or message.id):
                problems.append(f"{message.where}: {message.id!r} → {form!r}: HTML tags differ")
    assert problems == []


@pytest.mark.parametrize("language", SHIPPED)
def test_each_catalog_compiles_and_is_read_by_the_bot(language: str) -> None:
    assert not shipped_catalog(language).fuzzy  # `pybabel compile` skips a catalog marked fuzzy
    write_mo(BytesIO(), shipped_catalog(language))
    some = next(message for message in source_messages() if message.plural is None and message.context is None)
    with i18n.using(language):
        assert i18n._(some.id) == shipped_catalog(language).get(some.id).string


@pytest.mark.parametrize(
    ("language", "forms"),
    [("uk", 3), ("de", 2)],
)
def test_plural_rules_are_the_languages_own(language: str, forms: int) -> None:
    assert shipped_catalog(language).num_plurals == forms
