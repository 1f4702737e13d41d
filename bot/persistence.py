"""Conversations that survive a restart (SPEC §6.3): python-telegram-bot's persistence
interface, kept in the database through the `StateStore` the composition root built.

What is kept: each person's `UserState` (override and cancel drafts, the list they
came from, their last outcome) and the step each conversation is at, with the time it
was last written — the draft's time-out still applies after a restart
(bot/sessions/change.py `resume`). Chat data, bot data and callback data are not kept:
the bot does not use them.

Durability: PTB writes its persistence every `update_interval` (60 s) and on a clean
stop, so a kill -9 would lose up to a minute of steps. Instead, `persist` runs at the
end of every update (a handler in the last group but one, before the update's log
line) and writes the step and the draft in ONE transaction: what is stored is always
a pair the person saw together. The reply itself is sent just before (the handler
returns its next step only after replying), so a kill in those few milliseconds
leaves the previous step stored: the person's next input then meets the step before,
is answered "use the buttons" or shown the session afresh, and nothing unreviewed is
ever saved — a Save still needs the review it names (its version) and the review step.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, BasePersistence, PersistenceInput, TypeHandler
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.context import BotData, TraineryApplication, TraineryContext
from bot.state_store import StateStore, Stored
from bot.user_state import StateUnreadable, UserState, decode, encode

log = logging.getLogger(__name__)

USERS = "user"
CONVERSATION_VERSION = 1
PERSIST_GROUP = 99  # after every feature's handlers, before the update's log line (group 100)

Row = tuple[str, str]  # (kind, key)
AnyApplication = Application[Any, Any, Any, Any, Any, Any]  # as a job's or a handler's context holds it


class DatabasePersistence(BasePersistence[UserState, dict[Any, Any], BotData]):
    def __init__(self, store: StateStore) -> None:
        super().__init__(PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False))
        self.store = store
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.unreadable: set[int] = set()  # people whose stored state was dropped at start
        self._touched: dict[tuple[str, ConversationKey], datetime] = {}
        self._written: dict[Row, str] = {}  # what the database holds, to skip unchanged writes
        self._pending: dict[Row, Stored | None] = {}
        self._lock = asyncio.Lock()

    # -- reading, once at start ------------------------------------------------------

    async def get_user_data(self) -> dict[int, UserState]:
        found: dict[int, UserState] = {}
        for key, (text, _) in (await self.store.load(USERS)).items():
            self._written[(USERS, key)] = text
            try:
                user_id = int(key)
                found[user_id] = decode(json.loads(text))
            except (ValueError, StateUnreadable) as error:  # JSONDecodeError is a ValueError
                self._drop((USERS, key), f"the state of user {key}", error)
                if key.lstrip("-").isdigit():
                    self.unreadable.add(int(key))
        return found

    async def get_conversations(self, name: str) -> ConversationDict:
        kind = conversation_kind(name)
        found: dict[ConversationKey, object] = {}
        for key, (text, at) in (await self.store.load(kind)).items():
            self._written[(kind, key)] = text
            try:
                conversation = conversation_key(key)
                found[conversation] = conversation_state(text)
            except (ValueError, StateUnreadable) as error:
                self._drop((kind, key), f"conversation {name} {key}", error)
                continue
            self._touched[(name, conversation)] = at
        return found

    def _drop(self, row: Row, what: str, error: Exception) -> None:
        log.warning("Dropped %s, which this version cannot read (%s); the person starts afresh", what, error)
        self._pending[row] = None

    def touched(self, name: str, key: ConversationKey) -> datetime | None:
        """When the conversation last took a step, as stored (None: never stored)."""
        return self._touched.get((name, key))

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> BotData:
        return BotData()  # not kept (store_data.bot_data is False); PTB does not ask

    async def get_callback_data(self) -> CDCData | None:
        return None

    # -- writing: collected here, stored by `flush` ---------------------------------

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        row = (conversation_kind(name), json.dumps(list(key)))
        if new_state is None:
            self._touched.pop((name, key), None)
            self._pending[row] = None
            return
        # Written at every step, changed or not: its time is what the time-out counts from.
        at = self.now()
        self._touched[(name, key)] = at
        self._pending[row] = (json.dumps({"v": CONVERSATION_VERSION, "state": new_state}), at)

    async def update_user_data(self, user_id: int, data: UserState) -> None:
        encoded = encode(data)
        self._pending[(USERS, str(user_id))] = None if encoded is None else (json.dumps(encoded), self.now())

    async def drop_user_data(self, user_id: int) -> None:
        self._pending[(USERS, str(user_id))] = None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        pass  # chat data is not kept

    async def update_bot_data(self, data: BotData) -> None:
        pass  # bot data is not kept

    async def update_callback_data(self, data: CDCData) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_user_data(self, user_id: int, user_data: UserState) -> None:
        pass  # one process owns the state; nothing changes it behind our back

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        pass

    async def refresh_bot_data(self, bot_data: BotData) -> None:
        pass

    async def flush(self) -> None:
        """Store what changed since the last flush, in one transaction. Rows whose text
        the database already holds are skipped, so an update that changed no state (most
        of them: a member's /book, a list page) costs no write at all."""
        async with self._lock:  # one batch at a time, so an older batch never lands last
            batch, self._pending = self._pending, {}
            changes = {row: stored for row, stored in batch.items() if not self._holds(row, stored)}
            try:
                await self.store.write(changes)
            except BaseException:
                self._pending = batch | self._pending  # newer changes win; the next flush retries
                raise
            for row, stored in changes.items():
                if stored is None:
                    self._written.pop(row, None)
                else:
                    self._written[row] = stored[0]

    def _holds(self, row: Row, stored: Stored | None) -> bool:
        if row[0] != USERS:
            return False  # a conversation's step is written with its time, every time
        return self._written.get(row) == (None if stored is None else stored[0])


def conversation_kind(name: str) -> str:
    return f"conversation:{name}"


def conversation_key(text: str) -> ConversationKey:
    key = json.loads(text)
    if not isinstance(key, list) or not all(isinstance(part, int | str) for part in key):
        raise ValueError(f"not a conversation key: {text!r}")
    return tuple(key)


def conversation_state(text: str) -> int:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("v") != CONVERSATION_VERSION:
        raise StateUnreadable(f"stored as version {data.get('v') if isinstance(data, dict) else None!r}")
    state = data.get("state")
    if not isinstance(state, int) or isinstance(state, bool):
        raise StateUnreadable(f"not a step: {state!r}")
    return state


# -- storing each step before the next update ---------------------------------------


def register(application: TraineryApplication) -> None:
    application.add_handler(TypeHandler(Update, _persist_update), group=PERSIST_GROUP)


async def _persist_update(update: Update, context: TraineryContext) -> None:
    """PTB marks an update's user for writing only after all groups ran; mark it now."""
    user, chat = update.effective_user, update.effective_chat
    context.application.mark_data_for_update_persistence(
        user_ids=user.id if user else None, chat_ids=chat.id if chat else None
    )
    await persist(context.application)


async def persist(application: AnyApplication) -> None:
    """Hand PTB's pending changes to the persistence and store them now."""
    if application.persistence is None:
        return
    await application.update_persistence()
    await application.persistence.flush()


def persistence_of(application: AnyApplication) -> DatabasePersistence | None:
    persistence = application.persistence
    return persistence if isinstance(persistence, DatabasePersistence) else None
