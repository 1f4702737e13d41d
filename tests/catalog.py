"""The message catalogs as tests read them: every message id in the code (extracted
the way `pybabel extract` does), the shipped translations, and a check that a text
meant for a Ukrainian or German reader has no English sentence of ours left in it."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "locale"
# Every shipped catalog (English is the source): a language added is checked as these are.
SHIPPED = tuple(sorted(path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/messages.po")))
WORDS = 2  # a fixed English run this long tells English from a translation
# Telegram's HTML, not the <name> of a usage line (escaped text, translated like words)
_TAG_OR_ANY = re.compile(r"<[^>]+>")
_TAG = re.compile(r"</?(?:b|i|u|s|a|code|pre|blockquote|tg-spoiler)\b[^>]*>")


@dataclass(frozen=True)
class SourceMessage:
    id: str
    plural: str | None
    context: str | None
    where: str  # file:line of its first use


@cache
def source_messages() -> tuple[SourceMessage, ...]:
    """Every message id of bot/ and domain/, once each (first use kept)."""
    found: dict[tuple[str | None, str], SourceMessage] = {}
    for folder in ("bot", "domain"):
        for filename, line, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")]
        ):
            singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
            if not singular:
                continue
            key = (context, singular)
            found.setdefault(key, SourceMessage(singular, plural, context, f"{folder}/{filename}:{line}"))
    return tuple(found.values())


@cache
def shipped_catalog(language: str) -> Catalog:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=language)


def placeholders(text: str) -> set[str]:
    return {field for _literal, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


def tags(text: str) -> list[str]:
    return sorted(_TAG.findall(text))


def english_sentences() -> Iterator[tuple[str, SourceMessage]]:
    """The fixed English parts of every message id long enough to tell English from a
    translation (WORDS words or more between placeholders, tags and line breaks)."""
    for message in source_messages():
        for text in (message.id, message.plural or ""):
            for piece in re.split(r"\{[^}]*\}|<[^>]*>|\n", text):
                piece = " ".join(piece.split()).strip(" .,:;·—–-()“”\"'…")
                if len(piece.split()) >= WORDS and not piece.startswith("/"):  # a command is English anywhere
                    yield piece, message


def english_left(text: str, language: str) -> list[str]:
    """The English sentences of the catalog found in `text` (a reply, button or toast
    meant for `language`; tags and line breaks do not count), except those that the
    translation of their own message keeps as they are (a name, a command)."""
    plain = " ".join(_TAG_OR_ANY.sub(" ", text).split())
    catalog = shipped_catalog(language)
    left = set()
    for piece, message in english_sentences():
        if piece not in plain:
            continue
        entry = catalog.get(message.id, context=message.context)
        kept = () if entry is None else ((entry.string,) if isinstance(entry.string, str) else tuple(entry.string))
        if not any(piece in " ".join(translated.split()) for translated in kept):
            left.add(piece)
    return sorted(left)
