"""Whose language (SPEC §3): each update is answered in the language of the person
who sent it — their own choice in /settings, else Telegram's `language_code` when it
is one of ours, else the studio's default (TRAINERY_LANGUAGE).

Cheap on every update: what decides a person's language is kept in this process
(`LanguageMemo` in BotData) — everyone linked read in one query when the application
starts, anyone else the first time they write — and kept up to date by /settings.
The language Telegram sends for a linked person is stored in `person_settings` only
when it differs from the one stored, so a notification sent later, with no update in
hand, is written in it too; those writes are gathered and made together, in the
background, so a burst of people writing for the first time costs one transaction,
not one each."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from telegram import Update

from bot import i18n
from domain.reminders.settings import languages_of, linked_languages, note_telegram_languages
from domain.roles import Person
from domain.studio import Studio

if TYPE_CHECKING:
    from bot.context import TraineryApplication, TraineryContext

log = logging.getLogger(__name__)

LIMIT = 50_000  # Telegram users kept; the oldest seen is dropped first
UNLINKED_FOR = 60.0  # seconds "nobody of the studio" is believed before it is read again
GATHER = 1.0  # seconds Telegram languages to store are gathered before one write


@dataclass(frozen=True)
class Known:
    """What decides one Telegram user's language; person_id None: not of the studio."""

    person_id: int | None = None
    chosen: str | None = None
    telegram: str | None = None  # as stored in person_settings (or about to be)
    until: float = float("inf")  # monotonic; only "not of the studio" expires


class LanguageMemo:
    """Telegram user id -> Known, in this process. The bot is the one process that
    changes a person's language (/settings), so what it keeps stays true; someone
    unknown is read again after a minute (they may have opened an invite since)."""

    def __init__(self, limit: int = LIMIT, unlinked_for: float = UNLINKED_FOR) -> None:
        self.limit, self.unlinked_for = limit, unlinked_for
        self._known: OrderedDict[int, Known] = OrderedDict()
        self._to_store: dict[int, tuple[int, str]] = {}  # person id -> (user id, Telegram language)
        self._storing: asyncio.Task[None] | None = None

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

    def store_later(self, studio: Studio, user_id: int, known: Known, telegram: str) -> None:
        """Telegram sends another language of ours for them: kept here at once, written
        with the others gathered within GATHER seconds."""
        assert known.person_id is not None
        self.put(user_id, replace(known, telegram=telegram))
        self._to_store[known.person_id] = (user_id, telegram)
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store(studio), name="trainery-store-telegram-languages")

    async def stored(self) -> None:
        """Until what was gathered is written (tests; the end of the application)."""
        while self._storing is not None and not self._storing.done():
            await asyncio.shield(self._storing)

    async def close(self, studio: Studio) -> None:
        """At shutdown: what was gathered is written now (best effort; a language not
        stored is stored again at the person's next update)."""
        task, self._storing = self._storing, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        batch, self._to_store = self._to_store, {}
        if batch:
            try:
                await note_telegram_languages(studio, {person: language for person, (_, language) in batch.items()})
            except Exception:
                log.warning("Could not store the Telegram languages of %d people", len(batch), exc_info=True)

    async def _store(self, studio: Studio) -> None:
        await asyncio.sleep(GATHER)
        batch, self._to_store = self._to_store, {}
        try:
            await note_telegram_languages(studio, {person: language for person, (_, language) in batch.items()})
        except Exception:  # read again at their next update, which stores it again
            log.warning("Could not store the Telegram languages of %d people", len(batch), exc_info=True)
            for _, (user_id, _) in batch.items():
                self.forget(user_id)
        if self._to_store:  # gathered while this write ran
            self._storing = asyncio.create_task(self._store(studio), name="trainery-store-telegram-languages")


def resolve(known: Known | None, telegram: str | None) -> str:
    """Their choice, else the Telegram language (one of ours, or None), else the default."""
    chosen = known.chosen if known is not None else None
    return i18n.supported(chosen) or i18n.supported(telegram) or i18n.default()


async def preload(application: TraineryApplication) -> None:
    """At start, before the first update: everyone linked, in one query."""
    memo = application.bot_data.languages
    try:
        everyone = await linked_languages(application.bot_data.studio)
    except Exception:  # each is read when they first write instead
        log.warning("Could not read the people's languages at start", exc_info=True)
        return
    for user_id, found in everyone.items():
        if memo.get(user_id) is None:
            memo.put(user_id, Known(found.person_id, found.chosen, found.telegram))


async def for_update(update: Update, context: TraineryContext) -> None:
    """First of every update (group -2): sets the language of its task (bot/i18n.py)."""
    user = update.effective_user
    if user is None:
        i18n.use(None)
        return
    telegram = i18n.supported(user.language_code)
    known = await _known(context, user.id)
    if known is not None and known.person_id is not None and telegram and telegram != known.telegram:
        context.bot_data.languages.store_later(context.studio, user.id, known, telegram)
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
