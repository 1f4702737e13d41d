"""Telegram's limits as the dispatcher keeps them (bot/notify/pacing.py), and the
retry delays (domain/delivery.py), on a hand-moved clock."""

from __future__ import annotations

import bisect
import math
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.notify.dispatcher import SENDING_NOTIFICATION
from bot.notify.limiter import RepliesFirst
from bot.notify.pacing import ChatSpacing, Pacer, needed_in_flight
from domain.delivery import FIRST_RETRY, LONGEST_RETRY, retry_delay


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def send_when_ready(pacer: Pacer, clock: Clock, took: float = 0.0) -> float:
    """Wait as the dispatcher does, send, and return when the send started."""
    clock.now += pacer.ready_in()
    pacer.take()
    started = clock.now
    clock.now += took
    pacer.done()
    return started


def test_sends_are_evenly_spaced_and_never_thirty_one_in_a_second() -> None:
    clock = Clock()
    pacer = Pacer(30, 1.0, 0.01, clock)
    starts = [send_when_ready(pacer, clock, took=0.002) for _ in range(300)]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= pacer.interval - 1e-9
    assert all(starts[i + 30] - starts[i] >= 1.0 for i in range(len(starts) - 30))
    assert (len(starts) - 1) / (starts[-1] - starts[0]) > 29.0


@given(st.lists(st.floats(min_value=0, max_value=0.2), min_size=40, max_size=120))
def test_late_wake_ups_and_slow_answers_never_break_the_limit(delays: list[float]) -> None:
    """Whatever the process's own delays, a send starts at least a second (plus the
    margin) after the answer of the send thirty before it came back."""
    clock = Clock()
    pacer = Pacer(30, 1.0, 0.01, clock)
    starts, answers = [], []
    for delay in delays:
        clock.now += pacer.ready_in() + delay / 4  # the loop woke late
        pacer.take()
        starts.append(clock.now)
        clock.now += delay  # the answer took this long
        answers.append(clock.now)
        pacer.done()
    assert all(starts[i + 30] - answers[i] >= 1.0 for i in range(len(starts) - 30))


def test_a_pause_holds_every_send_until_retry_after_has_passed() -> None:
    clock = Clock()
    pacer = Pacer(30, 1.0, 0.01, clock)
    send_when_ready(pacer, clock)
    pacer.pause(3)
    assert 2.99 < pacer.ready_in() <= 3.0
    clock.now += 3
    assert pacer.ready_in() == 0


def test_one_message_per_chat_per_interval() -> None:
    clock = Clock()
    chats = ChatSpacing(1.01, clock)
    assert chats.ready_in(7) == 0
    chats.done(7)
    assert abs(chats.ready_in(7) - 1.01) < 1e-9 and chats.ready_in(8) == 0
    clock.now += 1.01
    assert chats.ready_in(7) == 0


def test_retry_delays_double_from_two_seconds_to_five_minutes() -> None:
    delays = [retry_delay(n) for n in range(1, 12)]
    assert delays[0] == FIRST_RETRY == timedelta(seconds=2)
    assert delays[1:4] == [timedelta(seconds=4), timedelta(seconds=8), timedelta(seconds=16)]
    assert max(delays) == delays[-1] == LONGEST_RETRY == timedelta(minutes=5)
    assert retry_delay(10**6) == LONGEST_RETRY


def fan_out(pacer: Pacer, clock: Clock, n: int, round_trip: float, slots: int) -> tuple[list[float], int]:
    """Send `n` messages as the dispatcher does: start whenever the pacer lets one and
    fewer than `slots` are in flight; each takes `round_trip`, half of it to reach
    Telegram. Returns when each reached Telegram, and the most in flight at once."""
    in_flight: list[tuple[float, int]] = []  # (answer at, token)
    arrivals: list[float] = []
    most = 0
    while len(arrivals) < n:
        wait = pacer.ready_in() if len(in_flight) < slots else math.inf
        if wait == 0:
            in_flight.append((clock.now + round_trip, pacer.take()))
            arrivals.append(clock.now + round_trip / 2)
            most = max(most, len(in_flight))
            continue
        clock.now = min(clock.now + wait, min(in_flight)[0] if in_flight else math.inf)
        for answer in [entry for entry in in_flight if entry[0] <= clock.now]:
            in_flight.remove(answer)
            pacer.done(answer[1])
    return arrivals, most


def most_in_any_second(arrivals: list[float]) -> int:
    return max(bisect.bisect_left(arrivals, at + 1.0) - index for index, at in enumerate(arrivals))


@pytest.mark.parametrize("round_trip", [0.0, 0.05, 0.15, 0.3])
def test_several_in_flight_keep_the_full_rate_and_never_thirty_one_in_a_second(round_trip: float) -> None:
    """Counted at the middle of the round trip, the rate stays at the limit at any
    round trip; counted from the answers it would fall to 30 × 1.01 / (1.01 + R)."""
    clock = Clock()
    pacer = Pacer(30, 1.0, 0.01, clock, count_at="midpoint")
    slots = needed_in_flight(30, pacer.window, round_trip, cap=10)
    arrivals, most = fan_out(pacer, clock, 300, round_trip, slots)
    assert most_in_any_second(arrivals) <= 30
    assert (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) > 0.97 * 30
    assert most <= slots and (most > 1 or round_trip == 0)


def test_counted_from_the_answers_a_far_telegram_gets_fewer() -> None:
    clock = Clock()
    pacer = Pacer(30, 1.0, 0.01, clock, count_at="answer")
    arrivals, _ = fan_out(pacer, clock, 300, 0.15, slots=10)
    assert most_in_any_second(arrivals) <= 30
    assert (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) < 30 * 1.01 / 1.16 + 0.1


def test_sends_in_flight_always_count() -> None:
    clock = Clock()
    pacer = Pacer(3, 1.0, 0.01, clock, count_at="midpoint")
    tokens = []
    for _ in range(3):
        clock.now += pacer.ready_in()
        tokens.append(pacer.take())
    assert pacer.in_flight == 3 and pacer.ready_in() == math.inf  # until an answer comes back
    clock.now += 0.2
    pacer.done(tokens[0])
    assert 0 < pacer.ready_in() < math.inf


def test_a_429_pauses_everything_and_widens_the_margin_until_answers_narrow_it() -> None:
    clock = Clock()
    pacer = Pacer(30, 1.0, 0.01, clock, count_at="midpoint")
    send_when_ready(pacer, clock, took=0.15)
    pacer.flooded(2)
    assert 1.99 < pacer.ready_in() <= 2.0 and pacer.extra == pytest.approx(0.02)
    for _ in range(5):
        pacer.flooded(1)
    assert pacer.extra == pytest.approx(0.12)
    for _ in range(3):
        pacer.flooded(1)
    assert pacer.extra == pytest.approx(0.15)  # never beyond the round trip: the strict bound
    clock.now += 2
    send_when_ready(pacer, clock, took=0.15)
    assert pacer.extra < 0.15


def test_replies_to_people_get_headroom_for_a_few_seconds() -> None:
    clock = Clock()
    pacer = Pacer(30, 1.0, 0.01, clock, count_at="midpoint", headroom=3, headroom_for=5.0)
    assert pacer.current_limit() == 30
    pacer.replied()
    assert pacer.current_limit() == 27 and pacer.interval == pytest.approx(1.01 / 27)
    arrivals, _ = fan_out(pacer, clock, 20, 0.15, slots=10)
    assert most_in_any_second(arrivals) <= 27
    clock.now += 5
    assert pacer.current_limit() == 30


def test_in_flight_sized_from_the_limit_and_the_round_trip_and_capped() -> None:
    assert needed_in_flight(30, 1.01, 0.0, cap=10) == 1
    assert needed_in_flight(30, 1.01, 0.15, cap=10) == 6
    assert needed_in_flight(30, 1.01, 0.3, cap=10) == 10
    assert needed_in_flight(30, 1.01, 5.0, cap=10) == 10


async def test_the_bots_replies_reach_the_dispatcher_but_its_own_sends_do_not() -> None:
    limiter = RepliesFirst(overall_max_rate=30, overall_time_period=1, max_retries=0)
    heard: list[str] = []
    limiter.on_reply = lambda: heard.append("reply")

    async def answer(*args: object, **kwargs: object) -> bool:
        return True

    await limiter.process_request(answer, (), {}, "sendMessage", {"chat_id": 5}, None)
    await limiter.process_request(answer, (), {}, "editMessageText", {"chat_id": 5}, None)
    await limiter.process_request(answer, (), {}, "getUpdates", {}, None)
    notification = SENDING_NOTIFICATION.set(True)
    try:
        await limiter.process_request(answer, (), {}, "sendMessage", {"chat_id": 6}, None)
    finally:
        SENDING_NOTIFICATION.reset(notification)
    assert heard == ["reply", "reply"]
