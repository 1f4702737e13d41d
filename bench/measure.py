"""The measurements, each with the baseline it is compared against, taken in the
same run on the same database (see bench/README.md for what each one covers)."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time as clock
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable

from sqlalchemy import bindparam, delete, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update

from bench.generate import NOW, WEEK_START, ZONE, Studio as GeneratedStudio
from bot.app import build_application
from bot.context import TraineryApplication
from bot.settings import Settings
from domain.clock import FixedClock
from domain.listing import DateRange
from domain.override import OverrideRequest
from domain.studio import Studio
from storage import read_cache
from storage.database import create_engine, create_sessionmaker
from storage.models import BookingRow, LedgerEntryRow, NotificationRow, UtcDateTime
from storage.unit_of_work import SqlUnitOfWork
from tests.fake_bot_api import FakeBotApi
from domain.sessions.listing import sessions_screen
from domain.sessions.override import save_override
from domain.sessions.cancel import cancel_session

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123:BENCH"
WEEK = DateRange(WEEK_START.astimezone(ZONE).date(), WEEK_START.astimezone(ZONE).date() + timedelta(days=6))
# The bot's rate limiter (AIORateLimiter, 30 messages/s) would add its own waits to
# back-to-back listings; a trainer never lists 30 times a second, so runs are spaced.
MIN_SPACING = 1 / 25


@dataclass(frozen=True)
class Samples:
    seconds: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def worst(self) -> float:
        return max(self.seconds)


async def sample(action: Callable[[], Awaitable[object]], runs: int, warmup: int, spacing: float = 0.0) -> Samples:
    for _ in range(warmup):
        await action()
    seconds = []
    for _ in range(runs):
        started = clock.perf_counter()
        await action()
        took = clock.perf_counter() - started
        seconds.append(took)
        if spacing > took:
            await asyncio.sleep(spacing - took)
    return Samples(seconds)


def fixed_studio(sessions: async_sessionmaker[AsyncSession]) -> Studio:
    return Studio(lambda: SqlUnitOfWork(sessions), FixedClock(NOW), ZONE)


# -- the trainer's round trip and its baselines --------------------------------------

RAW_WEEK_QUERY = """
SELECT s.id, s.title, s.rrule, s.starts_on, s.start_time, s.duration_minutes, s.default_capacity,
       s.default_space_id, s.default_trainer_id, s.closed, s.pass_template_id,
       s.booking_deadline_minutes, s.active,
       o.id, o.original_start, o.start, o.capacity, o.space_id, o.trainer_id, o.cancelled_at,
       o.cancel_reason, o.version,
       (SELECT count(*) FROM bookings b WHERE b.occurrence_id = o.id AND b.status = 'active') AS booked
FROM schedules s
LEFT JOIN (
    SELECT * FROM occurrences WHERE original_start >= :start AND original_start < :end
    UNION
    SELECT * FROM occurrences WHERE start >= :start AND start < :end
) o ON o.schedule_id = s.id
"""


@dataclass
class ListingFigures:
    round_trip: Samples  # /sessions week: Update in, reply stored by the fake Bot API
    domain: Samples  # sessions_screen, the one query the handler makes
    occurrences: int  # occurrences in the week, as listed
    raw: Samples | None = None  # one SQL query fetching the same rows
    transport: Samples | None = None  # sendMessage of the same reply, straight through the bot
    rows: int = 0  # rows the raw query returns
    cold: Samples | None = None  # the round trip right after a change (the memo of reads emptied)

    @property
    def floor(self) -> Samples | None:
        """Run by run: the raw query plus the bare sendMessage — what a listing cannot go below."""
        if self.raw is None or self.transport is None:
            return None
        return Samples([r + t for r, t in zip(self.raw.seconds, self.transport.seconds)])


async def listing_figures(
    url: str, studio: GeneratedStudio, runs: int, warmup: int = 10, *, baselines: bool = True
) -> ListingFigures:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    try:
        with FakeBotApi(TOKEN) as fake:
            app = build_application(bench_settings(fake.base_url), sessions)
            app.bot_data.use_studio(fixed_studio(sessions))
            await app.initialize()
            try:
                return await _listing_figures(app, fake, engine, studio, runs, warmup, baselines)
            finally:
                await app.shutdown()
    finally:
        await engine.dispose()


def bench_settings(bot_api_url: str) -> Settings:
    return Settings(_env_file=None, bot_token=TOKEN, bot_api_url=bot_api_url, timezone=ZONE.key)  # type: ignore[call-arg]


async def _listing_figures(
    app: TraineryApplication, fake: FakeBotApi, engine: AsyncEngine, generated: GeneratedStudio, runs: int,
    warmup: int, baselines: bool,
) -> ListingFigures:
    user = generated.trainer_telegram_id
    replies: list[dict] = []

    async def round_trip() -> None:
        raw_update = fake.user_message(user, "/sessions week")  # the user's side: not the bot's time
        started = clock.perf_counter()
        await app.process_update(Update.de_json(raw_update, app.bot))
        took = clock.perf_counter() - started
        reply = fake.message(user, raw_update["message"]["message_id"] + 1)
        assert reply is not None and reply["text"].startswith("Sessions"), reply
        replies.append(reply)
        timings.append(took)

    timings: list[float] = []
    await sample(round_trip, runs, warmup, MIN_SPACING)
    round_trips = Samples(timings[warmup:])

    studio = app.bot_data.studio
    trainer = generated.trainer_id
    listed: list[int] = []

    async def domain() -> None:
        screen = await sessions_screen(studio, trainer, WEEK)
        listed.append(len(screen.occurrences))

    domain_samples = await sample(domain, runs, warmup)
    figures = ListingFigures(round_trips, domain_samples, listed[-1])
    if not baselines:
        return figures

    query = text(RAW_WEEK_QUERY).bindparams(
        bindparam("start", type_=UtcDateTime()), bindparam("end", type_=UtcDateTime())
    )
    start, end = WEEK.instants(ZONE)
    fetched: list[int] = []

    async def raw() -> None:
        async with engine.connect() as connection:
            rows = (await connection.execute(query, {"start": start, "end": end})).all()
        fetched.append(len(rows))

    figures.raw = await sample(raw, runs, warmup)
    figures.rows = fetched[-1]

    reply = replies[-1]

    async def transport() -> None:
        await app.bot.send_message(user, reply["text"], parse_mode=None)

    figures.transport = await sample(transport, runs, warmup, MIN_SPACING)

    memo = read_cache.memo_for(engine.url)
    timings.clear()

    async def after_a_change() -> None:
        memo.changed()  # as a committed change does
        await round_trip()

    await sample(after_a_change, runs, warmup, MIN_SPACING)
    figures.cold = Samples(timings[warmup:])
    return figures


# -- overriding and cancelling a session with 1,000 bookings -------------------------

@dataclass
class ChangeFigures:
    override: list[float]  # save_override(start moved, cancel_bookings=True), one per session
    cancel: list[float]  # cancel_session, one per session
    inserts: list[float]  # baseline: as many rows inserted in one transaction
    bookings: int  # bookings on each session
    rows_inserted: int


async def change_figures(url: str, studio: GeneratedStudio) -> ChangeFigures:
    """Half of the generated 1,000-booking sessions are overridden, half cancelled;
    between them the insert baseline runs (and its rows are removed, untimed)."""
    engine = create_engine(url)
    domain = fixed_studio(create_sessionmaker(engine))
    keys = studio.big_keys
    figures = ChangeFigures([], [], [], studio.scale.big_bookings, 0)
    try:
        for index, key in enumerate(keys):
            if index % 2 == 0:
                request = OverrideRequest(start=key.original_start + timedelta(hours=2), cancel_bookings=True)
                started = clock.perf_counter()
                review = await save_override(domain, studio.trainer_id, key, request, confirmed=True)
                figures.override.append(clock.perf_counter() - started)
                assert len(review.cancelled_bookings) == studio.scale.big_bookings
            else:
                started = clock.perf_counter()
                cancelled = await cancel_session(domain, studio.trainer_id, key, "Storm warning")
                figures.cancel.append(clock.perf_counter() - started)
                assert len(cancelled.cancelled_bookings) == studio.scale.big_bookings
            seconds, rows = await insert_baseline(engine, studio)
            figures.inserts.append(seconds)
            figures.rows_inserted = rows
        return figures
    finally:
        await engine.dispose()


BASELINE_MARK = "bench-baseline"


async def insert_baseline(engine: AsyncEngine, studio: GeneratedStudio) -> tuple[float, int]:
    """What a change of a 1,000-booking session writes, as plain inserts in one
    transaction: a (cancelled) booking, a ledger entry and a queued notification per
    booking, through SQLAlchemy Core executemany. Timed with the commit; removed after."""
    members = [member for member, _ in studio.bootcamp_passes]
    passes = [pass_id for _, pass_id in studio.bootcamp_passes]
    occurrence = studio.bootcamp_occurrence
    at = NOW + timedelta(days=3650)  # marks the ledger rows for removal
    bookings = [
        {"occurrence_id": occurrence, "member_id": m, "pass_id": p, "status": "cancelled", "created_at": NOW,
         "cancelled_at": NOW, "cancelled_by": BASELINE_MARK}
        for m, p in zip(members, passes)
    ]
    ledger = [{"pass_id": p, "booking_id": None, "kind": "grant", "delta": 0, "at": at} for p in passes]
    payload = {"schedule_id": studio.bootcamp.id, "original_start": NOW.isoformat(), "title": "x", "start": NOW.isoformat(),
               "changes": [], "refund": {"pass_id": 0, "sessions_left": 5}, "rebook": True}
    notices = [
        {"change_id": BASELINE_MARK, "member_id": m, "kind": "training_cancelled", "payload": payload,
         "status": "pending", "attempts": 0, "created_at": NOW, "next_attempt_at": NOW}
        for m in members
    ]
    started = clock.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(insert(BookingRow), bookings)
        await connection.execute(insert(LedgerEntryRow), ledger)
        await connection.execute(insert(NotificationRow), notices)
    seconds = clock.perf_counter() - started
    async with engine.begin() as connection:
        await connection.execute(delete(NotificationRow).where(NotificationRow.change_id == BASELINE_MARK))
        await connection.execute(delete(LedgerEntryRow).where(LedgerEntryRow.at == at))
        await connection.execute(delete(BookingRow).where(BookingRow.cancelled_by == BASELINE_MARK))
    return seconds, len(bookings) + len(ledger) + len(notices)


# -- resident memory of the real bot process -----------------------------------------


def stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, and kill what has not stopped within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

@dataclass
class MemoryFigures:
    after_start_mb: float
    after_listings_mb: float
    peak_mb: float
    listings: int
    seconds: float


def memory_figures(url: str, studio: GeneratedStudio, listings: int, batch: int = 25) -> MemoryFigures:
    """Start `python -m bot.cli run` on the database, wait until it polls, read VmRSS;
    send `listings` listings of the generated week through the fake Bot API (in
    batches, waiting for every reply), read VmRSS and VmHWM again."""
    user = studio.trainer_telegram_id
    first = WEEK.first.isoformat()
    command = f"/sessions {first} {WEEK.last.isoformat()}"  # the process runs on the real clock
    with FakeBotApi(TOKEN) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINERY_")}
        env.update(
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=fake.base_url, TRAINERY_DATABASE_URL=url,
            TRAINERY_TIMEZONE=ZONE.key,
        )
        # The log goes to a file: the bot writes a line per update, and a pipe nobody
        # reads fills up after a few hundred and stops the bot.
        log = tempfile.TemporaryFile("w+")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=log, text=True,
        )
        try:
            fake.wait_until(lambda: fake.waiting_polls() or process.poll() is not None, timeout=60, what="polling")
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the bot exited: {log.read()[-2000:]}")
            clock.sleep(1.0)  # let start-up settle (dispatcher's first idle check)
            after_start = _status(process.pid)["VmRSS"]

            def listed() -> list[dict]:
                return [m for m in fake.sent_messages(user) if m["text"].startswith("Sessions")]

            started = clock.perf_counter()
            sent = 0
            while sent < listings:
                now = min(batch, listings - sent)
                for _ in range(now):
                    fake.push_message(user, command)
                sent += now
                fake.wait_until(lambda: len(listed()) >= sent, timeout=120, what="replies")
            seconds = clock.perf_counter() - started
            status = _status(process.pid)
            assert len(listed()) == listings
            return MemoryFigures(after_start, status["VmRSS"], status["VmHWM"], listings, seconds)
        finally:
            stop(process)
            log.close()


def _status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0]) / 1024
    return figures
