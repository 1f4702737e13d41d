"""Every text in the person's language (SPEC §3): gettext catalogs made with Babel
(`bot/locale/<language>/LC_MESSAGES/messages.po`, English is the source), and the
language of the person being served, kept in a context variable.

The variable is set once per update (bot/language.py), and around each notification
the dispatcher renders (the member's language when it is sent, not when it was
queued). Every update and every send runs in its own asyncio task, so one person's
language never leaks into another's reply.

    _("Training cancelled")                       # a sentence
    _("{title} moved to {time}").format(...)       # placeholders the translator may reorder
    ngettext("{n} booking", "{n} bookings", n).format(n=n)
    N_("Only admins can do that.")                 # marked here, translated where shown
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from domain.cancellation import STUDIO_REASONS
from domain.errors import DomainError
from domain.wording import N_, Wording
from domain.wording import render as render_in

__all__ = ["LANGUAGES", "N_", "_", "current", "error_text", "ngettext", "pgettext", "reason", "render", "using"]

log = logging.getLogger(__name__)

SOURCE = "en"  # the language of every message id
LOCALE = Path(__file__).parent / "locale"
DOMAIN = "messages"
FIRST = ("en", "uk", "de")  # the order of the language buttons; a language added later comes after
# Each language with a catalog, and English: adding a catalog adds the language.
LANGUAGES = tuple(
    sorted(
        {SOURCE, *(path.parent.parent.name for path in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))},
        key=lambda code: (FIRST.index(code) if code in FIRST else len(FIRST), code),
    )
)

_language: ContextVar[str | None] = ContextVar("language", default=None)
_default = SOURCE


def set_default(language: str) -> None:
    """The studio's default (TRAINERY_LANGUAGE): what anyone reads whose own language
    is none of ours; also what a task reads that no update set a language for."""
    global _default
    _default = supported(language) or SOURCE


def default() -> str:
    return _default


def supported(code: str | None) -> str | None:
    """Ours, from a language code as Telegram sends it (`uk`, `de-AT`, `en-GB`), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def own_name(language: str) -> str:
    """The language by its own name (`Українська`), so that who cannot read the
    current language finds theirs."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def current() -> str:
    return _language.get() or _default


def use(language: str | None) -> None:
    """The language of the rest of this task (an update's handlers); None: the default."""
    _language.set(supported(language) or _default)


@contextmanager
def using(language: str | None) -> Iterator[None]:
    """The language of a block (a notification rendered for its member); None: the default."""
    token = _language.set(supported(language) or _default)
    try:
        yield
    finally:
        _language.reset(token)


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language`; English reads the message ids themselves.
    A `.mo` older than its `.po` (or none: a checkout before `make`) is compiled here."""
    if language == SOURCE:
        return gettext.NullTranslations()
    folder = LOCALE / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as file:
            return Translations(file, domain=DOMAIN)
    log.debug("Compiling %s: no .mo as new as it (make catalogs)", po)
    with po.open("rb") as file:
        source = read_po(file, locale=language)
    buffer = BytesIO()
    write_mo(buffer, source)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _(message: str) -> str:
    return catalog(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` in the current language (Ukrainian has three); format after."""
    return catalog(current()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A short text whose translation depends on where it stands (a button, a heading)."""
    return catalog(current()).pgettext(context, message)


def reason(stored: str) -> str:
    """A cancel reason as a person reads it: one the studio's rules wrote (a skipped
    date's) is a message id, read in the current language; one a person typed stays
    as typed."""
    return _(stored) if stored in STUDIO_REASONS else stored


def error_text(error: DomainError) -> str:
    """A domain error's sentence, in the current language, placeholders filled. Plain
    text: escape it before putting it into HTML."""
    return "\n".join(render(part) for part in error.parts)


def render(wording: Wording | str) -> str:
    """A sentence of the domain (domain/wording.py), in the current language, its
    values filled in (plain text, like error_text); a bare string is an N_-marked id."""
    return _(wording) if isinstance(wording, str) else render_in(wording, catalog(current()))
