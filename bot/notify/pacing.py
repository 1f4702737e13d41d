"""Telegram's limits, kept by the dispatcher itself (SPEC §5): about 30 messages a
second overall, one a second per chat, and a pause for every `retry_after`.

Telegram (and the fake Bot API in the benchmark) counts the messages that *arrive*
in a sliding second. The dispatcher cannot see arrival times, but it knows that a
message arrives after its request started and before its answer came back. So it
counts each send from the moment its answer came back, and lets a new one start
only when, counted so, fewer than 30 went in the last second (plus a few
milliseconds of margin). That holds whatever pauses the process or the network
take — a garbage collection between starting a request and sending it cannot make
two messages look closer together to Telegram than the dispatcher assumed.

Within that window sends are spaced evenly (a cadence of window / 30), not let out
in bursts; a send that went late keeps the cadence, so small delays do not add up
to a lower rate, and the window bounds any catching up.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

Monotonic = Callable[[], float]


class Pacer:
    """At most `limit` sends per `period` (+ `margin`) overall, evenly spaced; none
    while paused after a 429."""

    def __init__(
        self, limit: int = 30, period: float = 1.0, margin: float = 0.01, clock: Monotonic = time.monotonic
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("the limit and its period must be positive")
        self.limit = limit
        self.window = period + margin
        self.interval = self.window / limit
        self._clock = clock
        self._done: deque[float] = deque(maxlen=limit)  # when the last `limit` answers came back
        self._next = float("-inf")
        self._paused_until = float("-inf")

    def ready_in(self) -> float:
        """Seconds until the next send may start (0: now)."""
        now = self._clock()
        ready = max(self._next, self._paused_until)
        if len(self._done) == self.limit:
            ready = max(ready, self._done[0] + self.window)
        return max(0.0, ready - now)

    def take(self) -> None:
        """A send starts now: the cadence moves on one interval."""
        now = self._clock()
        slot = self._next if now - self._next < self.interval else now
        self._next = slot + self.interval

    def done(self) -> None:
        """Its answer came back (whatever it was): it counts from now."""
        self._done.append(self._clock())

    def pause(self, seconds: float) -> None:
        """Telegram said `retry_after`: nothing is sent before it has passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)


class ChatSpacing:
    """At most one message per `interval` to any one chat, counted like the Pacer from
    the answer of the previous message to the start of the next."""

    PRUNE_AT = 10_000

    def __init__(self, interval: float = 1.01, clock: Monotonic = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._next: dict[int, float] = {}

    def ready_in(self, chat_id: int) -> float:
        return max(0.0, self._next.get(chat_id, float("-inf")) - self._clock())

    def done(self, chat_id: int) -> None:
        now = self._clock()
        if len(self._next) >= self.PRUNE_AT:
            self._next = {chat: at for chat, at in self._next.items() if at > now}
        self._next[chat_id] = now + self.interval
