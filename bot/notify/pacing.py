"""Telegram's limits, kept by the dispatcher itself (SPEC §5): about 30 messages a
second overall, one a second per chat, and a pause for every `retry_after`.

Telegram (and the fake Bot API in the benchmark) counts the messages that *arrive*
in a sliding second. The dispatcher cannot see arrival times, but it knows that a
message arrives after its request started and before its answer came back. Two ways
of counting follow from that (`count_at`):

- "answer" (the strict bound): each send counts from the moment its answer came
  back, and a new one starts only when, counted so, fewer than 30 went in the last
  second (plus a few milliseconds of margin). That holds whatever pauses the process
  or the network take. Its price: with a round trip of R seconds a message can
  start only R + 1.01 s after the answer of the one thirty before, so the rate is at
  most 30 × 1.01 / (1.01 + R) — 0.87 of the limit at 150 ms, 0.77 at 300 ms.
- "midpoint" (what the dispatcher uses): the way there and the way back each take at
  least half the fastest recent round trip F. So a send counts at its answer less
  F / 2 — the middle of its round trip when round trips are steady, later when one
  was slow (a slow one is usually slow on the way there: a busy process, a queue) —
  and a new one is assumed to arrive no earlier than F / 2 after it starts. That
  keeps the full rate at any round trip, and is the strict bound when Telegram is
  near (F ≈ 0). When the estimate is wrong (the way there was faster than half of
  F), Telegram answers 429: every send then pauses for `retry_after` (so the limit
  is exceeded for at most one `retry_after`), and the margin widens by 20 ms per
  429, up to the whole round trip — back to the strict bound — narrowing again
  slowly while answers come back fine.

Sends in flight (started, not answered) always count: whatever their arrival, it is
in the window. Within the window sends are spaced evenly (a cadence of window / 30),
not let out in bursts; a send that went late keeps the cadence, so small delays do
not add up to a lower rate, and the window bounds any catching up.

Interactive replies go first: while the bot has sent a reply to a person in the last
`headroom_for` seconds (`replied()`), the pacer's limit drops by `headroom` (30 → 27),
so replies never have to wait for the notification fan-out and the two together stay
within Telegram's 30.
"""

from __future__ import annotations

import bisect
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Literal

Monotonic = Callable[[], float]
CountAt = Literal["answer", "midpoint"]
WIDEN = 0.02  # seconds added to the margin per 429 (midpoint counting)
NARROW = 0.0002  # seconds taken off it per answer that came back
HEADROOM_SHARE = 10  # a tenth of the limit (3 of 30) is left to the bot's replies while people are answered
HEADROOM_FOR = 5.0  # seconds after the last reply


class Pacer:
    """At most `limit` sends per `period` (+ `margin`) overall, evenly spaced, counted
    as `count_at` says (module docstring); none while paused after a 429."""

    def __init__(
        self,
        limit: int = 30,
        period: float = 1.0,
        margin: float = 0.01,
        clock: Monotonic = time.monotonic,
        *,
        count_at: CountAt = "answer",
        headroom: int | None = None,
        headroom_for: float = HEADROOM_FOR,
    ) -> None:
        headroom = limit // HEADROOM_SHARE if headroom is None else headroom
        if limit < 1 or period <= 0 or not 0 <= headroom < limit:
            raise ValueError("the limit and its period must be positive, the headroom below the limit")
        self.limit = limit
        self.window = period + margin
        self.count_at = count_at
        self.headroom = headroom
        self.headroom_for = headroom_for
        self._clock = clock
        self._arrivals: list[float] = []  # the counted arrivals of the last `limit` answered sends, sorted
        self._in_flight: dict[int, float] = {}  # send -> when it started
        self._round_trips: deque[float] = deque(maxlen=limit)
        self._tokens = 0
        self._next = float("-inf")
        self._paused_until = float("-inf")
        self._replies_until = float("-inf")
        self.extra = 0.0  # margin added after 429s (midpoint counting)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def interval(self) -> float:
        """The cadence: seconds between two starts at the current limit."""
        return self.window / self.current_limit()

    def current_limit(self) -> int:
        replying = self._clock() < self._replies_until
        return self.limit - self.headroom if replying else self.limit

    def ready_in(self) -> float:
        """Seconds until the next send may start (0: now; inf: when an answer comes back)."""
        now = self._clock()
        limit = self.current_limit()
        room = limit - len(self._in_flight) - 1  # answered sends that may still be in the window
        if room < 0:
            return math.inf
        ready = max(self._next, self._paused_until)
        if len(self._arrivals) > room:
            oldest_counted = self._arrivals[-(room + 1)]
            ready = max(ready, oldest_counted + self.window + self.extra - self._lead())
        return max(0.0, ready - now)

    def take(self) -> int:
        """A send starts now: the cadence moves on one interval. Returns the send's
        token for `done`."""
        now = self._clock()
        interval = self.interval
        slot = self._next if now - self._next < interval else now
        self._next = slot + interval
        self._tokens += 1
        self._in_flight[self._tokens] = now
        return self._tokens

    def done(self, token: int | None = None) -> None:
        """Its answer came back (whatever it was): count it. Without a token: the
        send that started first."""
        if token is None and self._in_flight:
            token = next(iter(self._in_flight))
        started = self._in_flight.pop(token, None) if token is not None else None
        now = self._clock()
        if started is None:
            return
        self._round_trips.append(now - started)
        self._count(now - self._lead())  # the way back took at least the lead
        self.extra = max(0.0, self.extra - NARROW)

    def pause(self, seconds: float) -> None:
        """Nothing is sent before `seconds` have passed (e.g. while the network fails)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def flooded(self, retry_after: float) -> None:
        """Telegram answered 429: nothing is sent before `retry_after` has passed, and,
        since the midpoint estimate was wrong, its margin widens."""
        self.pause(retry_after)
        if self.count_at == "midpoint":
            longest = max(self._round_trips, default=0.0)
            self.extra = min(self.extra + WIDEN, longest)

    def replied(self) -> None:
        """The bot is sending a reply to a person: it counts like a send (arriving a
        lead from now), and room is left for more for a while."""
        now = self._clock()
        self._replies_until = now + self.headroom_for
        self._count(now + self._lead())

    def _count(self, arrival: float) -> None:
        bisect.insort(self._arrivals, arrival)
        del self._arrivals[: -self.limit]

    def round_trip(self) -> float:
        """The slowest recent round trip (0 before the first answer)."""
        return max(self._round_trips, default=0.0)

    def _lead(self) -> float:
        """The least either way takes: half the fastest recent round trip (0 when
        counting from the answers)."""
        if self.count_at == "answer" or not self._round_trips:
            return 0.0
        return min(self._round_trips) / 2


def needed_in_flight(limit: int, window: float, busy: float, cap: int) -> int:
    """Sends to keep in flight so that `limit` per `window` go out while each one keeps
    its slot `busy` seconds (round trip and database write): the rate times that, one
    more for the jitter, at least one and at most `cap`."""
    return max(1, min(cap, math.ceil(limit * busy / window) + 1))


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
