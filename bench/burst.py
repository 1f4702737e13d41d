"""Many people at once (issue 15, point 5): 300 members send `/book` and 30 trainers
`/sessions week` within one second, to the real bot in a process of its own
(bench/burst_bot.py) polling the fake Bot API with a round-trip latency on every
call. The same burst is sent to the bot handling one update at a time
(TRAINERY_CONCURRENT_UPDATES=1, PTB's default) and to the bot as configured (32 at
once, each chat in order); both in the same run, on the same database.

Time to reply: from the moment an update is handed to the fake Telegram (the member
tapped send) until the fake receives the bot's sendMessage for it (Telegram has the
reply). Throughput: updates ÷ (last reply − first update). Memory: the bot process's
VmRSS after the burst and its peak (VmHWM). CPU: the bot process's user + system
seconds from the first update handed over to the last reply, per update: with many at
once the bot is bound by it, so it says how fast the burst can go on this host. The
host's own speed is `host_seconds()`, measured in the same run: absolute times of
different hosts compare only beside it (the same code ran 2-3x slower on one evening's
host than on the afternoon's; bench/README.md).
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time as clock
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.generate import MEMBER_TELEGRAM_ID, TRAINER_TELEGRAM_ID, Studio as GeneratedStudio
from bench.measure import ROOT, TOKEN, Samples, _status, stop
from tests.fake_bot_api import FakeBotApi

LATENCY = (0.05, 0.15)  # seconds per Bot API call, drawn uniformly: a bot near Telegram's servers
CONCURRENCY = 32
# What each reply starts its text with, by the command it answers.
MARKS = {"/book": "Sessions you can book", "/sessions week": "Sessions ", "/my": "Your bookings"}
TROUBLE = re.compile(r"database is locked|Error while handling|Traceback", re.IGNORECASE)


@dataclass(frozen=True)
class Sent:
    at: float  # offset in the burst, seconds
    user: int
    text: str


@dataclass
class BurstRun:
    concurrency: int
    updates: int
    seconds: float  # first update handed over -> last reply received
    to_reply: Samples  # per update: handed over -> its reply received
    rss_mb: float
    peak_mb: float
    unanswered: int  # updates without a reply
    extra: int  # replies beyond one per update
    out_of_order: int  # chats whose replies came in another order than their updates
    trouble: list[str] = field(default_factory=list)  # error lines in the bot's log (e.g. "database is locked")
    cpu_seconds: float = 0.0  # the bot process's CPU over the burst (all its threads)

    @property
    def throughput(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_update(self) -> float:
        return self.cpu_seconds / self.updates * 1000 if self.updates else 0.0


@dataclass
class BurstFigures:
    serial: BurstRun  # one update at a time
    concurrent: BurstRun
    latency: tuple[float, float]
    members: int
    trainers: int
    pairs: int
    host_seconds: float = 0.0  # host_seconds() in this run


def plan(members: int, trainers: int, pairs: int = 0, spread: float = 1.0, seed: int = 15) -> list[Sent]:
    """`members` send /book, `trainers` /sessions week, at random instants within
    `spread` seconds; the first `pairs` members send /my right after their /book (a
    chat with two updates in flight: its replies must keep their order)."""
    rng = random.Random(seed)
    sent = [Sent(rng.uniform(0, spread), MEMBER_TELEGRAM_ID + i, "/book") for i in range(members)]
    sent += [Sent(rng.uniform(0, spread), TRAINER_TELEGRAM_ID + i, "/sessions week") for i in range(trainers)]
    firsts = {s.user: s.at for s in sent}
    sent += [Sent(firsts[MEMBER_TELEGRAM_ID + i] + 0.001, MEMBER_TELEGRAM_ID + i, "/my") for i in range(pairs)]
    return sorted(sent, key=lambda s: s.at)


def burst_figures(
    url: str, studio: GeneratedStudio, *, members: int = 300, trainers: int = 30, pairs: int = 0,
    latency: tuple[float, float] = LATENCY, concurrency: int = CONCURRENCY,
) -> BurstFigures:
    members, trainers = min(members, studio.scale.members), min(trainers, studio.scale.trainers)
    burst = plan(members, trainers, pairs)
    host = host_seconds()
    serial = run_burst(url, burst, 1, latency)
    concurrent = run_burst(url, burst, concurrency, latency)
    return BurstFigures(serial, concurrent, latency, members, trainers, pairs, host)


def host_seconds(additions: int = 10_000_000) -> float:
    """CPU seconds of a fixed piece of pure Python (10 million additions), the best of
    three: the host's speed for code like the bot's, apart from the bot."""
    best = float("inf")
    for _ in range(3):
        started, total = clock.process_time(), 0
        for number in range(additions):
            total += number
        best = min(best, clock.process_time() - started)
    return best


def run_burst(url: str, burst: list[Sent], concurrency: int, latency: tuple[float, float]) -> BurstRun:
    with FakeBotApi(TOKEN, latency=latency) as fake, tempfile.TemporaryFile("w+") as log:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINERY_")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.burst_bot", url, fake.base_url, str(concurrency)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True,
        )
        try:
            fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=60, what="polling")
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the bot exited: {log.read()[-2000:]}")
            clock.sleep(0.5)  # let start-up settle
            cpu_before = _cpu_seconds(process.pid)
            handed = _send(fake, burst)
            fake.wait_until(lambda: len(fake.calls("sendMessage")) >= len(burst), timeout=600, what="every reply")
            cpu = _cpu_seconds(process.pid) - cpu_before
            clock.sleep(0.5)  # a second reply to one update would show up now
            status = _status(process.pid)
            run = _measure(fake, burst, handed, concurrency)
            run.rss_mb, run.peak_mb, run.cpu_seconds = status["VmRSS"], status["VmHWM"], cpu
        finally:
            stop(process)
        log.seek(0)
        run.trouble = [line.strip() for line in log if TROUBLE.search(line)][:5]
        return run


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat, all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _send(fake: FakeBotApi, burst: list[Sent]) -> list[float]:
    """Hand each update to the fake Telegram at its instant; the wall-clock times."""
    handed = []
    started = clock.time()
    for sent in burst:
        wait = started + sent.at - clock.time()
        if wait > 0:
            clock.sleep(wait)
        fake.push_message(sent.user, sent.text)
        handed.append(clock.time())
    return handed


def _measure(fake: FakeBotApi, burst: list[Sent], handed: list[float], concurrency: int) -> BurstRun:
    replies: dict[int, list[tuple[float, str]]] = {}
    for call in fake.calls("sendMessage"):
        if call.status == 200:
            replies.setdefault(int(call.params["chat_id"]), []).append((call.at, str(call.params["text"])))
    asked: dict[int, list[tuple[float, str]]] = {}
    for sent, at in zip(burst, handed):
        asked.setdefault(sent.user, []).append((at, sent.text))
    to_reply: list[float] = []
    unanswered = extra = out_of_order = 0
    last = 0.0
    for user, updates in asked.items():
        answers = replies.get(user, [])
        unanswered += max(0, len(updates) - len(answers))
        extra += max(0, len(answers) - len(updates))
        if [a[1].removeprefix("<b>").startswith(MARKS[u[1]]) for u, a in zip(updates, answers)].count(False):
            out_of_order += 1
        for (sent_at, _), (reply_at, _) in zip(updates, answers):
            to_reply.append(reply_at - sent_at)
            last = max(last, reply_at)
    seconds = last - min(handed)
    return BurstRun(concurrency, len(burst), seconds, Samples(to_reply or [0.0]), 0.0, 0.0, unanswered, extra,
                    out_of_order)


def summary(figures: BurstFigures) -> dict[str, Any]:
    """The figures as numbers, for the table."""
    one, many = figures.serial, figures.concurrent
    return {
        "throughput": (one.throughput, many.throughput),
        "ratio": many.throughput / one.throughput if one.throughput else 0.0,
        "p50": (one.to_reply.p50, many.to_reply.p50),
        "p95": (one.to_reply.p95, many.to_reply.p95),
        "peak_mb": max(one.peak_mb, many.peak_mb),
        "median": statistics.median(many.to_reply.seconds),
        "cpu_ms": (one.cpu_ms_per_update, many.cpu_ms_per_update),
        "host_seconds": figures.host_seconds,
    }


if __name__ == "__main__":  # a quick look on an existing database: python -m bench.burst URL
    from bench.generate import STUDIO_SCALE, Studio

    shape = Studio(0, STUDIO_SCALE, {}, 0, 0, 0, None, [])  # type: ignore[arg-type]
    result = burst_figures(sys.argv[1], shape)
    for run in (result.serial, result.concurrent):
        print(f"concurrency {run.concurrency}: {run.throughput:.1f} updates/s, p50 {run.to_reply.p50:.3f} s, "
              f"p95 {run.to_reply.p95:.3f} s, peak {run.peak_mb:.0f} MB, unanswered {run.unanswered}, "
              f"extra {run.extra}, out of order {run.out_of_order}, trouble {run.trouble}, "
              f"CPU {run.cpu_ms_per_update:.1f} ms per update")
    print(f"host: 10 million additions in {result.host_seconds:.2f} s of CPU")
