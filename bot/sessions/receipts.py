"""Delivery receipts on the outcome screen (SPEC §3.1): after a change or cancellation
is saved, its outcome message fills in as the notifications go out — "12 of 14
delivered, 1 blocked the bot (Anna Berg), 1 has no linked chat (Ben Cole)" — edited
in place, keeping its buttons.

One task per outcome reads the change's outbox rows every `poll` seconds and edits
the message when the counts changed, at most once every `interval` seconds (well
within Telegram's limits on edits in one chat); it makes a final edit when nothing is
pending, or when it gives up after `longest`. A message the person moved on from
(another screen shown in it) or deleted is left alone.

The tasks live in this process only: after a restart the outcome keeps the counts it
last showed (the notifications themselves are delivered as always; `/undelivered`
lists what failed). Stop cancels them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot import i18n
from bot.context import TraineryApplication
from bot.notify.dispatcher import retry_after_seconds
from bot.sessions.texts import with_receipt
from domain.delivery import Receipt

log = logging.getLogger(__name__)

INTERVAL = 3.0  # seconds between two edits of one outcome
POLL = 1.0  # seconds between looks at the outbox
LONGEST = timedelta(minutes=10)  # then the receipt says what is still on its way, and stops

ReadReceipt = Callable[[str], Awaitable[Receipt]]


@dataclass
class Followed:
    """One outcome message being filled in."""

    chat_id: int
    message_id: int
    text: str  # the outcome without its receipt line
    markup: InlineKeyboardMarkup | None
    change_id: str
    shown: Receipt
    on_edit: Callable[[str], None]  # told the text now shown (the outcome a second tap shows again)
    # The reader's: the language of the update that showed the outcome (bot/i18n.py).
    language: str = field(default_factory=i18n.current)


class Receipts:
    def __init__(
        self,
        bot: Bot,
        read: ReadReceipt,
        *,
        interval: float = INTERVAL,
        poll: float = POLL,
        longest: timedelta = LONGEST,
    ) -> None:
        self.bot, self.read = bot, read
        self.interval, self.poll, self.longest = interval, poll, longest
        self._tasks: dict[tuple[int, int], asyncio.Task[None]] = {}
        self._running = False

    async def start(self) -> None:
        self._running = True

    async def stop(self) -> None:
        self._running = False
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    @property
    def following(self) -> int:
        return len(self._tasks)

    def follow(self, followed: Followed) -> None:
        """Fill in this outcome as its notifications go out (only while running)."""
        if not self._running or followed.shown.settled:
            return
        where = (followed.chat_id, followed.message_id)
        self.leave(*where)
        # Called from the update of who saved: the task copies its context, so every
        # later edit of the receipt speaks their language (bot/i18n.py).
        task = asyncio.create_task(self._follow(followed), name=f"trainery-receipt-{followed.change_id}")
        self._tasks[where] = task
        task.add_done_callback(lambda done: self._tasks.pop(where, None) if self._tasks.get(where) is done else None)

    def leave(self, chat_id: int, message_id: int) -> None:
        """The message shows something else now: stop filling it in."""
        task = self._tasks.pop((chat_id, message_id), None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _follow(self, followed: Followed) -> None:
        try:
            await self._fill_in(followed)
        except asyncio.CancelledError:
            raise
        except Exception:  # a receipt is a courtesy: never let it break anything else
            log.exception("Receipt for change %s stopped", followed.change_id)

    async def _fill_in(self, followed: Followed) -> None:
        deadline = time.monotonic() + self.longest.total_seconds()
        next_edit = time.monotonic() + self.interval  # the outcome itself was just shown
        while True:
            await asyncio.sleep(max(self.poll, next_edit - time.monotonic()))
            over = time.monotonic() >= deadline
            try:
                receipt = await self.read(followed.change_id)
            except Exception:  # the database hiccupped: look again, until the deadline
                log.warning("Receipt for change %s: could not read the outbox", followed.change_id, exc_info=True)
                if over:
                    return
                continue
            if receipt == followed.shown and not over:
                continue
            pause = await self._edit(followed, receipt, gave_up=over and not receipt.settled)
            if pause is None:
                return  # the message is gone, or can no longer be edited
            if pause == 0:
                followed.shown = receipt
                if receipt.settled or over:
                    return  # the final edit
            next_edit = time.monotonic() + max(self.interval, pause)

    async def _edit(self, followed: Followed, receipt: Receipt, *, gave_up: bool) -> float | None:
        """Show `receipt`; returns how long to wait before the next edit (0: shown),
        or None when the message cannot be edited any more."""
        with i18n.using(followed.language):
            text = with_receipt(followed.text, receipt, gave_up=gave_up)
        try:
            await self.bot.edit_message_text(
                text, chat_id=followed.chat_id, message_id=followed.message_id, reply_markup=followed.markup
            )
        except RetryAfter as error:  # Telegram asks for a pause: the next edit after it
            return retry_after_seconds(error)
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                log.info("Receipt for change %s stopped: %s", followed.change_id, error.message)
                return None  # deleted, too old, or otherwise not editable
        except Forbidden:
            return None
        except TelegramError as error:  # the network: try again at the next look
            log.info("Receipt for change %s not shown yet: %s", followed.change_id, error.message)
            return self.interval
        followed.on_edit(text)
        return 0.0


async def start(application: TraineryApplication) -> None:
    data = application.bot_data
    if data.receipts is None:
        data.receipts = Receipts(application.bot, data.services.receipt)
    await data.receipts.start()


async def stop(application: TraineryApplication) -> None:
    if application.bot_data.receipts is not None:
        await application.bot_data.receipts.stop()
