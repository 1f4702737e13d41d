"""The notification dispatcher (SPEC §3, §5): sends what the outbox holds, promptly, at
Telegram's limits, and never loses a notification.

It runs inside the bot process as one asyncio task, started and stopped with the
Application (`bot.notify.start` / `stop`), and alone in `trainery dispatch`
processes (bot/notify/process.py) that share the outbox on PostgreSQL.

- Prompt: a commit that queued notifications wakes it at once (`when_enqueued`); it
  also polls the outbox every `poll_interval` (0.5 s), which catches changes
  committed by any other process or path, so the first message of a change goes
  out well within a second either way.
- Several in flight: far from Telegram one send takes a round trip (150 ms from
  many places), so one at a time would reach only a few messages a second. The
  dispatcher keeps as many sends in flight as the limit and the round trip need
  (`needed_in_flight`: 30/s × the time a send holds its slot, + 1), at most
  `max_in_flight` (10); still one at a time per chat.
- Limits: sends are paced by the dispatcher (`Pacer`: 30 in any 1.01 s, evenly
  spaced, each counted at its answer less half the fastest recent round trip —
  the middle of a steady one —, in-flight ones always; `ChatSpacing`: one per
  1.01 s per chat, from the answer; see bot/notify/pacing.py). On 429 every send pauses for `retry_after` and the message
  is tried again. With a `SendBudget` (PostgreSQL) every start is also reserved in
  the database, so all dispatchers together keep one cadence and one pause. The
  application's AIORateLimiter stays as the bot-wide guard with `max_retries=0`, so
  a 429 always reaches this code's accounting instead of being slept away inside
  the request. Replies to people go first: while the bot answers someone, the
  dispatcher leaves them 3 of the 30 a second (`Pacer.replied`).
- Failures: network errors, timeouts and Telegram's server errors are retried with
  a doubling delay (2 s … 5 min), for as long as it takes. A member who blocked the
  bot, whose chat Telegram does not know, or who has no linked chat is recorded as
  failed with the reason (`/undelivered`), not retried.
- Crashes: rows are claimed under a lease (storage/outbox.py) that a heartbeat
  renews, and marked sent only after Telegram confirmed. A send holds its slot
  until its outcome is written, so a crash can repeat at most `max_in_flight`
  messages after the restart (they may have reached Telegram without being marked)
  and loses none. That is the price of several in flight: every extra one is one
  more message a crash could repeat.
- Stop (SIGTERM): the messages in flight are finished and recorded; rows claimed
  but not sent are released, so the next start sends them at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot import i18n
from bot.notify.pacing import ChatSpacing, CountAt, Pacer, needed_in_flight
from bot.notify.texts import render
from domain.clock import Clock, SystemClock
from domain.delivery import (
    ACCOUNT_DELETED,
    BLOCKED,
    CHAT_NOT_FOUND,
    NO_LINKED_CHAT,
    Delivery,
    DeliveryQueue,
    SendBudget,
    retry_delay,
)

log = logging.getLogger(__name__)

LIMIT = 30  # messages a second overall (Telegram's limit)
MARGIN = 0.01  # seconds added to Telegram's second, for clock granularity
CHAT_INTERVAL = 1.01  # seconds between two messages to one chat
POLL_INTERVAL = 0.5  # seconds between looks at the outbox when nothing woke us
BATCH = 30  # rows claimed at once: about a second of sending
MAX_HELD = 120  # rows held while all of them wait for their chat's turn
MAX_IN_FLIGHT = 10  # sends at once: enough for 30/s at a 300 ms round trip; the crash-repeat bound
# A function that calls its argument whenever a commit queued notifications, and
# returns the function that stops it (bot/composition.py gives the storage one).
Subscribe = Callable[[Callable[[], None]], Callable[[], None]]
LONGEST_NETWORK_PAUSE = 30.0  # seconds: the pause of all sends while the network fails
STOP_TIMEOUT = 20.0  # seconds to finish the messages in flight on stop
WRITE_RETRIES = (0.1, 0.5, 1.0)  # pauses between attempts to record an outcome
# Set inside the dispatcher's sends, so the bot's rate limiter tells them from replies.
SENDING_NOTIFICATION: contextvars.ContextVar[bool] = contextvars.ContextVar("sending_notification", default=False)


@dataclass
class Stats:
    sent: int = 0
    failed: int = 0
    retried: int = 0  # attempts that failed for a passing reason and will be retried
    flood_waits: int = 0  # 429 answers honoured
    repeated: int = 0  # sent again although already recorded as sent (after a crash)
    most_in_flight: int = 0  # the most sends in flight at once


class Dispatcher:
    def __init__(
        self,
        bot: Bot,
        queue: DeliveryQueue,
        zone: ZoneInfo,
        *,
        on_enqueued: Subscribe | None = None,
        clock: Clock | None = None,
        limit: int = LIMIT,
        chat_interval: float = CHAT_INTERVAL,
        poll_interval: float = POLL_INTERVAL,
        batch: int = BATCH,
        retry_delay: Callable[[int], timedelta] = retry_delay,
        max_in_flight: int = MAX_IN_FLIGHT,
        budget: SendBudget | None = None,
        count_at: CountAt = "midpoint",
    ) -> None:
        self.bot = bot
        self.zone = zone
        self.clock = clock or SystemClock()
        self.store = queue
        self.budget = budget
        self.poll_interval = poll_interval
        self.batch = batch
        self.retry_delay = retry_delay
        self.max_in_flight = max_in_flight
        self.stats = Stats()
        self._on_enqueued = on_enqueued
        self._pacer = Pacer(limit, 1.0, MARGIN, count_at=count_at)
        self._chats = ChatSpacing(chat_interval)
        self._queue: deque[Delivery] = deque()
        self._held: set[int] = set()
        self._sending: set[asyncio.Task[None]] = set()
        self._busy_chats: set[int] = set()  # a send to them is in flight
        self._busy_for: deque[float] = deque(maxlen=20)  # seconds each recent send held its slot
        self._network_failures = 0
        self._last_claim = 0.0
        self._slot: float | None = None  # when the start reserved in the shared budget is due (monotonic)
        self._wakeup = asyncio.Event()
        self._nudge = asyncio.Event()  # a send finished (or stop): slots, chats or the pacer freed
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] = _nothing
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def owner(self) -> str:
        return self.store.owner

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def in_flight(self) -> int:
        return len(self._sending)

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        if self.running:
            return
        self._loop = asyncio.get_running_loop()
        self._stopping.clear()
        if self._on_enqueued is not None:  # a commit that queued notifications wakes us at once
            self._unsubscribe = self._on_enqueued(self.wake)
        self._task = asyncio.create_task(self._run(), name="trainery-dispatcher")
        self._heartbeat = asyncio.create_task(self._renew_leases(), name="trainery-dispatcher-heartbeat")
        log.info("Notification dispatcher started (%s)", self.owner)

    async def stop(self) -> None:
        """Finish the messages in flight, give back the rest, and stop."""
        self._unsubscribe()
        self._stopping.set()
        self._wakeup.set()
        self._nudge.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT)
            except TimeoutError:
                log.warning("The notifications in flight did not finish in time; they are sent again after restart")
                self._task.cancel()
                for task in list(self._sending):
                    task.cancel()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
        try:
            released = await self.store.release()
        except Exception:
            log.exception("Could not release claimed notifications; they are sent after their lease runs out")
        else:
            if released:
                log.info("Left %d claimed notifications for the next start", released)
        self._queue.clear()
        self._held.clear()
        self._task = self._heartbeat = None

    def wake(self) -> None:
        """Something was queued: look at the outbox now. Safe from any thread."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wakeup.set)

    def replied(self) -> None:
        """The bot sent a reply to a person: leave replies room for a while (pacing.py)."""
        self._pacer.replied()
        if self.budget is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.create_task(self._tell_budget_replied())

    async def _tell_budget_replied(self) -> None:
        assert self.budget is not None
        try:
            await self.budget.replied()
        except Exception:
            log.exception("Could not note a reply in the shared send budget")

    # -- the loop ----------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._step()
            except Exception:
                log.exception("Notification dispatcher: unexpected error; trying again in a second")
                await self._sleep(1.0)
        if self._sending:  # stop: finish what is in flight and record it
            await asyncio.gather(*self._sending, return_exceptions=True)

    async def _step(self) -> None:
        self._nudge.clear()  # a send finishing after this point ends the next wait early
        if not self._queue and not await self._claim():
            await self._idle()
            return
        if len(self._sending) >= self._slots():
            await self._wait(self.poll_interval)
            return
        item, wait = self._next_ready()
        if item is None:
            # Every held row waits for its chat's turn: meanwhile fetch others.
            if len(self._queue) < MAX_HELD and self._may_claim() and await self._claim():
                return
            await self._wait(min(wait, self.poll_interval))
            return
        pause = self._pacer.ready_in() if item.chat_id is not None else 0.0
        if item.chat_id is not None and self.budget is not None:
            pause = max(pause, await self._shared_slot())
        if pause > 0:
            await self._wait(min(pause, self.poll_interval))
            return
        self._slot = None
        self._queue.remove(item)
        self._start(item)

    def _slots(self) -> int:
        busy = sum(self._busy_for) / len(self._busy_for) if self._busy_for else 0.0
        return needed_in_flight(self._pacer.current_limit(), self._pacer.window, busy, self.max_in_flight)

    async def _shared_slot(self) -> float:
        """Seconds until the start reserved in the shared budget. Reserved as soon as
        the previous send started, so the database's round trip overlaps the wait; a
        slot left unused for longer than half an interval is given up for a new one
        (storage/send_budget.py counts on no start coming later)."""
        now = time.monotonic()
        if self._slot is None or self._slot < now - self._pacer.interval / 2:
            assert self.budget is not None
            try:
                wait = await self.budget.reserve(self._pacer.limit, self._pacer.headroom, self._pacer.window)
            except Exception:
                log.exception("Could not reserve a send in the shared budget; waiting a second")
                wait = 1.0
            self._slot = now + wait
        return self._slot - time.monotonic()

    def _start(self, item: Delivery) -> None:
        """The send starts now, for the pacer and the chat, before its task first runs:
        the loop's next look must already see it."""
        token = None
        if item.chat_id is not None:
            self._busy_chats.add(item.chat_id)
            token = self._pacer.take()
        task = asyncio.create_task(self._deliver_and_free(item, token), name=f"trainery-notification-{item.id}")
        self._sending.add(task)
        self.stats.most_in_flight = max(self.stats.most_in_flight, len(self._sending))

    async def _deliver_and_free(self, item: Delivery, token: int | None) -> None:
        started = time.monotonic()
        try:
            await self._deliver(item, token)
        except Exception:
            log.exception("%s: unexpected error; it is sent after its lease runs out", _who(item))
        finally:
            if token is not None:
                self._pacer.done(token)  # a no-op after the send counted it
            self._busy_for.append(time.monotonic() - started)
            if item.chat_id is not None:
                self._busy_chats.discard(item.chat_id)
            if item not in self._queue:
                self._held.discard(item.id)
            current = asyncio.current_task()
            if current is not None:
                self._sending.discard(current)
            self._nudge.set()

    async def _claim(self) -> bool:
        self._wakeup.clear()  # a commit after this point wakes the next idle wait
        self._last_claim = time.monotonic()
        claimed = await self.store.claim(self.clock.now(), self.batch)
        fresh = [item for item in claimed if item.id not in self._held]
        self._queue.extend(fresh)
        self._held.update(item.id for item in fresh)
        return bool(fresh)

    def _may_claim(self) -> bool:
        return self._wakeup.is_set() or time.monotonic() - self._last_claim >= self.poll_interval

    def _next_ready(self) -> tuple[Delivery | None, float]:
        """The oldest held row whose chat may get a message now, else how long until one may."""
        soonest = float("inf")
        for item in self._queue:
            if item.chat_id is None:
                return item, 0.0
            if item.chat_id in self._busy_chats:
                continue  # its answer ends the wait (the nudge)
            wait = self._chats.ready_in(item.chat_id)
            if wait == 0:
                return item, 0.0
            soonest = min(soonest, wait)
        return None, soonest

    async def _idle(self) -> None:
        try:
            await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)
        except TimeoutError:
            pass

    async def _wait(self, seconds: float) -> None:
        """Wait, unless a send finishes or we are asked to stop."""
        try:
            await asyncio.wait_for(self._nudge.wait(), max(seconds, 0.0))
        except TimeoutError:
            pass

    async def _sleep(self, seconds: float) -> None:
        """Wait, unless asked to stop."""
        try:
            await asyncio.wait_for(self._stopping.wait(), max(seconds, 0.0))
        except TimeoutError:
            pass

    async def _renew_leases(self) -> None:
        period = self.store.lease.total_seconds() / 3
        while not self._stopping.is_set():
            await self._sleep(period)
            if self._held:
                try:
                    await self.store.renew(self.clock.now(), set(self._held))
                except Exception:
                    log.exception("Could not renew the lease on claimed notifications")

    # -- one notification ----------------------------------------------------------

    async def _deliver(self, item: Delivery, token: int | None = None) -> None:
        if item.chat_id is None:
            await self._fail(item, NO_LINKED_CHAT, attempted=False)
            return
        # Written now, in the member's language as it is now (bot/i18n.py): their choice,
        # else the one Telegram last sent for them, else the studio's.
        with i18n.using(item.language):
            try:
                notice = render(item.kind, item.payload, self.zone, self.clock.now())
                markup = notice.markup  # its buttons' labels too
            except Exception as error:
                log.exception("Cannot write notification %d", item.id)
                await self._fail(item, f"could not be written ({type(error).__name__}: {error})", attempted=False)
                return
        try:
            await self._send(item.chat_id, notice.text, markup, token)
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            self.stats.flood_waits += 1
            log.warning("%s: retrying (RetryAfter) in %.0f s, Telegram's flood wait", _who(item), seconds)
            self._pacer.flooded(seconds)
            self._queue.appendleft(item)  # still claimed: first in line after the pause
            if self.budget is not None:
                await self._pause_everyone(seconds)
        except Forbidden as error:
            await self._fail(item, forbidden_reason(error))
        except ChatMigrated as error:
            await self._fail(item, f"the chat moved to {error.new_chat_id}")
        except BadRequest as error:
            await self._fail(item, bad_request_reason(error))
        except NetworkError as error:  # also TimedOut and Telegram's 5xx answers
            await self._retry(item, error, f"network error: {error.message}", network=True)
        except TelegramError as error:  # e.g. a revoked token: not the member's fault
            await self._retry(item, error, f"Telegram error: {error.message}", network=True)
        else:
            self._network_failures = 0
            self.stats.sent += 1
            if await self._write(item, self.store.mark_sent, item.id, self.clock.now()):
                log.info("%s: sent", _who(item))
            else:
                self.stats.repeated += 1
                log.warning("%s: sent again (it was already recorded as sent)", _who(item))

    async def _send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, token: int | None) -> None:
        SENDING_NOTIFICATION.set(True)  # this task's own context: the rate limiter sees a notification
        try:
            await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
        finally:  # it may have reached Telegram, whatever the answer: count it
            self._pacer.done(token)
            self._chats.done(chat_id)

    async def _pause_everyone(self, seconds: float) -> None:
        assert self.budget is not None
        try:
            await self.budget.pause(seconds)
        except Exception:
            log.exception("Could not share Telegram's flood wait with the other dispatchers")

    async def _fail(self, item: Delivery, reason: str, *, attempted: bool = True) -> None:
        self.stats.failed += 1
        log.warning("%s: failed (%s)", _who(item), reason)
        await self._write(item, self.store.mark_failed, item.id, self.clock.now(), reason, attempted=attempted)

    async def _retry(self, item: Delivery, error: TelegramError, reason: str, *, network: bool) -> None:
        self.stats.retried += 1
        now = self.clock.now()
        delay = self.retry_delay(item.attempts + 1)
        if network:  # the network is down for every chat: pause all sends a while
            self._network_failures += 1
            pause = min(self.retry_delay(self._network_failures).total_seconds() / 2, LONGEST_NETWORK_PAUSE)
            self._pacer.pause(pause)
        log.warning("%s: retrying (%s) in %s", _who(item), type(error).__name__, delay)
        await self._write(item, self.store.retry_later, item.id, now, now + delay, reason)

    async def _write(self, item: Delivery, record: Callable[..., Awaitable[bool]], *args: Any, **kwargs: Any) -> bool:
        """Record an outcome, trying again for a few seconds if the database fails. If
        it still fails, the row's lease runs out and it is sent again: a repeat, not a loss."""
        for pause in WRITE_RETRIES:
            try:
                return await record(*args, **kwargs)
            except Exception:
                log.exception("Could not record the outcome of notification %d; trying again", item.id)
                await asyncio.sleep(pause)
        return await record(*args, **kwargs)


def _who(item: Delivery) -> str:
    """The ids of one delivery, as every outcome line starts: never the text or a name."""
    chat = "-" if item.chat_id is None else str(item.chat_id)
    return f"notification {item.id} member {item.member_id} chat {chat}"


def retry_after_seconds(error: RetryAfter) -> float:
    """`retry_after` in seconds, whether PTB gives an int or (with PTB_TIMEDELTA) a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return max(seconds, 0.0)


def forbidden_reason(error: Forbidden) -> str:
    text = error.message.lower()
    if "blocked" in text:
        return BLOCKED
    if "deactivated" in text:
        return ACCOUNT_DELETED
    return f"refused by Telegram: {error.message}"


def bad_request_reason(error: BadRequest) -> str:
    if "chat not found" in error.message.lower():
        return CHAT_NOT_FOUND
    return f"refused by Telegram: {error.message}"


def _nothing() -> None:
    """Unsubscribing before anything was subscribed."""
