"""Telegram's limits, kept by the dispatcher itself (SPEC §5): about 30 messages a
second overall, one a second per chat, and a pause for every `retry_after`.

Sends are spaced evenly rather than let out in bursts: Telegram (and the fake Bot
API in tests) counts messages in a sliding second, so 30 sent at once and 30 more
a second later can trip the limit where evenly spaced ones never do.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Monotonic = Callable[[], float]


class Pacer:
    """Overall pace: at most `rate` sends a second, evenly spaced; none while paused."""

    def __init__(self, rate: float, clock: Monotonic = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._clock = clock
        self._next = 0.0
        self._paused_until = 0.0

    def ready_in(self) -> float:
        """Seconds until the next send may go (0: now)."""
        return max(0.0, max(self._next, self._paused_until) - self._clock())

    def take(self) -> None:
        """A send goes now: the next one waits one interval."""
        self._next = max(self._clock(), self._next) + self.interval

    def pause(self, seconds: float) -> None:
        """Telegram said `retry_after`: nothing is sent before it has passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)


class ChatSpacing:
    """At most one message a second (`interval`) to any one chat."""

    PRUNE_AT = 10_000

    def __init__(self, interval: float = 1.0, clock: Monotonic = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._next: dict[int, float] = {}

    def ready_in(self, chat_id: int) -> float:
        return max(0.0, self._next.get(chat_id, 0.0) - self._clock())

    def take(self, chat_id: int) -> None:
        now = self._clock()
        if len(self._next) >= self.PRUNE_AT:
            self._next = {chat: at for chat, at in self._next.items() if at > now}
        self._next[chat_id] = now + self.interval
