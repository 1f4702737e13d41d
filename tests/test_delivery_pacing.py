"""Telegram's limits as the dispatcher keeps them (bot/notify/pacing.py), and the
retry delays (domain/delivery.py), on a hand-moved clock."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.notify.pacing import ChatSpacing, Pacer
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
