"""Whose language (SPEC §3): each update is answered in the language of the person
who sent it — their own choice in /settings, else Telegram's `language_code` when it
is one of ours, else the studio's default (TRAINERY_LANGUAGE).

Cheap on every update: what decides a person's language is kept in this process
(`LanguageMemo` in BotData), read from the database the first time a Telegram user
is seen, kept up to date by /settings here. The language Telegram sends for a linked
person is written to `person_settings` only when it differs from the one stored, so a
notification sent later, with no update in hand, is written in it too."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from telegram import Update

from bot import i18n
from domain.reminders.settings import languages_of, note_telegram_language
from domain.roles import Person

if TYPE_CHECKING:
    from bot.context import TraineryContext

log = logging.getLogger(__name__)

LIMIT = 50_000  # Telegram users kept; the oldest seen is dropped first
UNLINKED_FOR = 60.0  # seconds "nobody of the studio" is believed before it is read again


@dataclass(frozen=True)
class Known:
    """What decides one Telegram user's language; person_id None: not of the studio."""

    person_id: int | None = None
    chosen: str | None = None
    telegram: str | None = None  # as stored in person_settings
    until: float = float("inf")  # monotonic; only "not of the studio" expires


class LanguageMemo:
    """Telegram user id -> Known, in this process. The bot is the one process that
    changes a person's language (/settings), so what it keeps stays true; someone
    unknown is read again after a minute (they may have opened an invite since)."""

    def __init__(self, limit: int = LIMIT, unlinked_for: float = UNLINKED_FOR) -> None:
        self.limit, self.unlinked_for = limit, unlinked_for
        self._known: OrderedDict[int, Known] = OrderedDict()

    def get(self, user_id: int) -> Known | None:
        known = self._known.get(user_id)
        if known is not None and known.until < time.monotonic():
            del self._known[user_id]
            return None
        return known

    def put(self, user_id: int, known: Known) -> Known:
        if known.person_id is None:
            known = replace(known, until=time.monotonic() + self.unlinked_for)
        self._known[user_id] = known
        self._known.move_to_end(user_id)
        while len(self._known) > self.limit:
            self._known.popitem(last=False)
        return known

    def chose(self, user_id: int, person_id: int, language: str) -> None:
        """/settings saved their choice."""
        known = self._known.get(user_id) or Known(person_id)
        self.put(user_id, replace(known, person_id=person_id, chosen=language))

    def forget(self, user_id: int) -> None:
        """They were linked to a person just now (an invite): read them again."""
        self._known.pop(user_id, None)


def resolve(known: Known | None, telegram: str | None) -> str:
    """Their choice, else the Telegram language (one of ours, or None), else the default."""
    chosen = known.chosen if known is not None else None
    return i18n.supported(chosen) or i18n.supported(telegram) or i18n.default()


async def for_update(update: Update, context: TraineryContext) -> None:
    """First of every update (group -2): sets the language of its task (bot/i18n.py)."""
    user = update.effective_user
    if user is None:
        i18n.use(None)
        return
    telegram = i18n.supported(user.language_code)
    known = await _known(context, user.id)
    if known is not None and known.person_id is not None and telegram and telegram != known.telegram:
        await _note(context, user.id, known, telegram)
    i18n.use(resolve(known, telegram))


async def linked(update: Update, context: TraineryContext) -> None:
    """The sender was linked to a person just now (an invite): their language is read
    again, and the one Telegram sends for them is stored for their notifications."""
    if update.effective_user is not None:
        context.bot_data.languages.forget(update.effective_user.id)
    await for_update(update, context)


async def of_person(context: TraineryContext, person: Person) -> str:
    """The language of a person not writing now (an admin changed their roles)."""
    if person.telegram_user_id is None:
        return i18n.default()
    return await of_user(context, person.telegram_user_id)


async def of_user(context: TraineryContext, user_id: int) -> str:
    """The language of someone not writing now (their menu set by an admin's change):
    their choice, else the Telegram language last stored for them, else the default."""
    known = await _known(context, user_id)
    return resolve(known, known.telegram if known is not None else None)


async def _known(context: TraineryContext, user_id: int) -> Known | None:
    memo = context.bot_data.languages
    known = memo.get(user_id)
    if known is not None:
        return known
    try:
        found = await languages_of(context.studio, user_id)
    except Exception:  # a language is never worth failing an update: Telegram's, or the default
        log.warning("Could not read the language of Telegram user %s", user_id, exc_info=True)
        return None
    if found is None:
        return memo.put(user_id, Known())
    return memo.put(user_id, Known(found.person_id, found.chosen, found.telegram))


async def _note(context: TraineryContext, user_id: int, known: Known, telegram: str) -> None:
    assert known.person_id is not None
    try:
        await note_telegram_language(context.studio, known.person_id, telegram)
    except Exception:
        log.warning("Could not store the Telegram language of person %s", known.person_id, exc_info=True)
        return
    context.bot_data.languages.put(user_id, replace(known, telegram=telegram))
