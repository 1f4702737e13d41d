"""Many people at once, each conversation in order (issue 15): updates of different
chats are handled concurrently, the updates of one chat strictly one after another
in the order they arrived.

PTB's default handles one update at a time, so when a class opens and hundreds of
members tap at once, the last waits for everyone before them. Its
`concurrent_updates=True` would run a double tap on Save twice at once and feed a
conversation's steps out of order. This processor keys every update by its chat (the
user where there is no chat, e.g. inline queries; updates with neither run freely)
and chains the updates of one key: each waits for the one before it, then for one of
`concurrency` running slots. A waiting update holds no slot, so one busy chat never
starves the others. A key's chain is forgotten when its last update is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.reply_pacing import REPLYING_TO

# Updates accepted at once (running or waiting their turn): PTB's own semaphore, so
# that beyond it the application queues them in arrival order.
PENDING = 4096


def key_of(update: object) -> Hashable | None:
    """The chat an update belongs to; its user where it has no chat; None: neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, concurrency: int) -> None:
        super().__init__(max_concurrent_updates=max(PENDING, concurrency))
        if concurrency < 1:
            raise ValueError("concurrency must be a positive integer")
        self.concurrency = concurrency
        self._running = asyncio.Semaphore(concurrency)
        # key -> the future the key's newest update sets when done (the chain's tail)
        self._tails: dict[Hashable, asyncio.Future[None]] = {}

    @property
    def waiting_keys(self) -> int:
        """Keys with an update in hand: 0 when idle, so no key outlives its updates."""
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = key_of(update)
        # PTB runs each update in a task of its own: this marks its replies (not the
        # dispatcher's sends) for the rate guard, bot/reply_pacing.py.
        chat = update.effective_chat if isinstance(update, Update) else None
        REPLYING_TO.set(chat.id if chat is not None else None)
        if key is None:
            async with self._running:
                await coroutine
            return
        # Taking the tail happens before the first await: PTB starts the tasks of
        # updates in arrival order, so the chain is in arrival order too.
        before = self._tails.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        try:
            if before is not None:
                await asyncio.shield(before)
            async with self._running:
                await coroutine
        finally:
            close = getattr(coroutine, "close", None)
            if close is not None:
                close()  # a no-op when it ran; when cancelled while waiting: no "never awaited"
            done.set_result(None)
            if self._tails.get(key) is done:
                del self._tails[key]

    async def initialize(self) -> None:
        """Nothing to set up: the chains live only while their updates do."""

    async def shutdown(self) -> None:
        """Nothing to free: the application has awaited every update before this."""
