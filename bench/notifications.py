"""Benchmark: cancel a session with many booked members and deliver the fan-out against
a fake Bot API that enforces Telegram's 30 messages a second (429 with retry_after
beyond it) and answers after a round trip of 0, 50, 150 and 300 ms, all in one run.
Reports per round trip delivered / members, duplicates, 429 answers, and the achieved
send rate as a ratio of the 30/s limit; then, at 150 ms, a trainer's `/sessions`
reply while the fan-out runs against the same reply when nothing is being sent.

    .venv/bin/python -m bench.notifications                  # 1,000 members, SQLite, the table
    .venv/bin/python -m bench.notifications --check --min-ratio 0.95 --max-reply-ratio 2   # = make bench
    .venv/bin/python -m bench.notifications --processes 2 --latencies 50 --no-interactive --check
        # two `trainery dispatch` processes and the bot on PostgreSQL (a database of its own
        # on TRAINERY_BENCH_POSTGRES_URL's server, dropped at the end)
    .venv/bin/python -m bench.notifications --members 60 --latencies 0 --check   # what CI runs, in tests/

The bot side is the production wiring: `bot.app.build_application` (the rate limiter
included) and the dispatcher started as `trainery run` starts it. The cancel is the
domain command (`Studio.cancel`), so the notifications are queued in its transaction.
The members, passes and bookings are written straight through the repositories in
one transaction, to keep the set-up of 1,000 bookings short. The trainer's listing is
a real `Update` through `Application.process_update`, timed until the reply is stored
by the fake (one round trip to it included), one every 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, time as wall_time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from bench.generate import drop_postgres_database, recreate_postgres_database
from bot import notify
from bot.app import build_application
from bot.context import TraineryApplication
from bot.settings import Settings
from domain.clock import SystemClock
from domain.occurrence import OccurrenceKey
from domain.passes import grant_entry, use_entry
from domain.recurrence import to_utc
from domain.roles import Role
from domain.schedule import Schedule
from domain.studio import Studio
from storage.database import open_database
from storage.models import Base, NotificationRow, PersonRow
from storage.unit_of_work import SqlUnitOfWork
from tests.fake_bot_api import FakeBotApi
from domain.sessions.cancel import cancel_session

TOKEN = "4242:BENCH"
TELEGRAM_LIMIT = 30  # messages a second, overall
CHAT_BASE = 900_000
TRAINER_USER = 4_242  # the trainer's Telegram user id, for the listings
ZONE = ZoneInfo("UTC")
LATENCIES_MS = (0, 50, 150, 300)
INTERACTIVE_AT_MS = 150
LISTING_SPACING = 0.5  # seconds between two of the trainer's listings: a trainer tapping fast
IDLE_LISTINGS = 40
POSTGRES_SERVER = os.environ.get("TRAINERY_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parent.parent


def p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


@dataclass(frozen=True)
class Replies:
    """The trainer's `/sessions` round trips, before the cancel and during the fan-out."""

    idle: list[float]
    busy: list[float]

    @property
    def ratio(self) -> float:
        return p95(self.busy) / p95(self.idle) if self.idle and p95(self.idle) > 0 else 0.0

    def line(self) -> str:
        return (
            f"/sessions reply     p95 {p95(self.busy) * 1000:.0f} ms during the fan-out ({len(self.busy)} replies) vs "
            f"{p95(self.idle) * 1000:.0f} ms idle ({len(self.idle)}) = {self.ratio:.2f}× "
            f"(p50 {statistics.median(self.busy) * 1000:.0f} vs {statistics.median(self.idle) * 1000:.0f} ms)"
        )


@dataclass(frozen=True)
class Report:
    members: int
    delivered: int  # members with at least one message
    duplicates: int  # messages beyond one per member
    flood_answers: int  # 429s the fake gave
    statuses: dict[str, int]
    send_seconds: float  # first message to last
    total_seconds: float  # the cancel's commit to the last message
    first_after: float  # the cancel's commit to the first message
    cancel_seconds: float  # the cancel command itself (1,000 refunds and notifications)
    latency: float = 0.0  # the fake's round trip, seconds
    processes: int = 0  # `trainery dispatch` processes next to the bot's own dispatcher
    replies: Replies | None = None
    sent_by: list[int] = field(default_factory=list)  # messages each dispatch process sent

    @property
    def rate(self) -> float:
        """Messages a second from the first to the last (n - 1 intervals)."""
        sent = self.delivered + self.duplicates
        return (sent - 1) / self.send_seconds if sent > 1 and self.send_seconds > 0 else 0.0

    @property
    def ratio(self) -> float:
        return self.rate / TELEGRAM_LIMIT

    @property
    def exact(self) -> bool:
        return self.delivered == self.members and self.duplicates == 0

    def lines(self) -> list[str]:
        lines = [
            f"round trip         {self.latency * 1000:.0f} ms"
            + (f", {self.processes} dispatch processes + the bot (sent {self.sent_by})" if self.processes else ""),
            f"members            {self.members}",
            f"delivered          {self.delivered} / {self.members}",
            f"duplicates         {self.duplicates}",
            f"429 answers        {self.flood_answers}",
            f"outbox             {dict(sorted(self.statuses.items()))}",
            f"send rate          {self.rate:.2f} msg/s = {self.ratio:.3f} of the {TELEGRAM_LIMIT}/s limit "
            f"(first to last message, {self.send_seconds:.2f} s)",
            f"end to end         {self.total_seconds:.2f} s from the cancel's commit to the last message; "
            f"first after {self.first_after * 1000:.0f} ms",
            f"cancel command     {self.cancel_seconds:.2f} s (bookings cancelled, passes refunded, notifications queued)",
        ]
        return lines + ([self.replies.line()] if self.replies else [])

    def row(self) -> str:
        what = f"{self.latency * 1000:.0f} ms" + (" + a trainer's `/sessions`" if self.replies else "")
        if self.processes:
            what += f", bot + {self.processes} × `trainery dispatch`"
        return (
            f"| {what} | {self.delivered:,} / {self.members:,} | {self.duplicates} | {self.flood_answers} "
            f"| {self.rate:.2f} msg/s | {self.ratio:.3f} |"
        )


async def seed(sessions: async_sessionmaker[AsyncSession], fake: FakeBotApi, members: int) -> tuple[int, OccurrenceKey]:
    """An admin, a session tomorrow at 18:00 with `members` booked members, each with a
    10-session pass and a chat the fake knows. Returns who cancels it — its trainer, so
    that nobody but the members is told (a trainer is not told of their own change) —
    and the session."""
    now = SystemClock().now()
    tomorrow = (now + timedelta(days=1)).date()
    async with SqlUnitOfWork(sessions) as uow:
        admin = await uow.people.add("Bench Admin", [Role.ADMIN], now)
        trainer = await uow.people.add("Bench Trainer", [Role.TRAINER], now)
        space = await uow.spaces.add("Bench Hall")
        schedule = await uow.schedules.add(
            Schedule(0, "Bench Yoga", "FREQ=DAILY;COUNT=1", tomorrow, wall_time(18), timedelta(hours=1),
                     members, space.id, trainer.id)
        )
        template = await uow.passes.add_template("Bench 10", 10, 60, [schedule.id])
        key = OccurrenceKey(schedule.id, to_utc(datetime.combine(tomorrow, wall_time(18)), ZONE))
        [record] = await uow.occurrences.lock([key])
        assert record.id is not None
        for number in range(members):
            member = await uow.people.add(f"Member {number}", [Role.MEMBER], now)
            pass_ = await uow.passes.add(member.id, template, now)
            await uow.passes.record([grant_entry(pass_.id, template.sessions, now)])
            pass_ = await uow.passes.get(pass_.id)
            assert pass_ is not None
            booking = await uow.bookings.add(record.id, member.id, pass_.id, now)
            await uow.passes.record([use_entry(pass_, booking.id, now)])
        await uow.session.execute(
            update(PersonRow).where(PersonRow.id != admin.id, PersonRow.id != trainer.id)
            .values(chat_id=CHAT_BASE + PersonRow.id)
        )
        chats = list(await uow.session.scalars(select(PersonRow.chat_id).where(PersonRow.chat_id.is_not(None))))
        await uow.session.execute(  # the trainer who lists sessions during the fan-out
            update(PersonRow).where(PersonRow.id == trainer.id).values(telegram_user_id=TRAINER_USER, chat_id=TRAINER_USER)
        )
        await uow.commit()
    for chat in chats:
        fake.add_chat(chat)
    return trainer.id, key


async def run(
    sessions: async_sessionmaker[AsyncSession], members: int = 1000, rate_limit: int = TELEGRAM_LIMIT,
    timeout: float | None = None, latency: float = 0.0, *, interactive: bool = False, processes: int = 0,
    database_url: str = "", idle_listings: int = IDLE_LISTINGS, quiet: float = 6.0,
) -> Report:
    """Seed, start the bot's dispatcher (and `processes` dispatch processes on
    `database_url`), cancel the session, wait for the fan-out; with `interactive`, the
    trainer lists sessions `idle_listings` times before it (then waits `quiet` seconds
    for the replies' headroom to pass) and all through it."""
    with FakeBotApi(TOKEN, rate_limit=rate_limit, latency=latency) as fake:
        trainer, key = await seed(sessions, fake, members)
        settings = Settings(bot_token=TOKEN, bot_api_url=fake.base_url, timezone=ZONE.key)
        application = build_application(settings, sessions)
        studio = Studio(lambda: SqlUnitOfWork(sessions), SystemClock(), ZONE)
        async with application, dispatch_processes(processes, fake.base_url, database_url) as sent_by:
            await notify.start(application)
            try:
                idle = [await _listing(application, fake) for _ in range(idle_listings)] if interactive else []
                await asyncio.sleep(quiet if interactive else 0)  # the replies' headroom (5 s) is over
                started = time.time()
                await cancel_session(studio, trainer, key, "Benchmark")
                committed = time.time()
                settled = asyncio.create_task(_settle(sessions, members, timeout or 60 + members / 10))
                busy = await _listings_until(settled, application, fake) if interactive else []
                await settled
            finally:
                await notify.stop(application)
        calls = fake.calls("sendMessage")
        statuses = await _statuses(sessions)
    sent = [call for call in calls if call.status == 200 and call.params["chat_id"] != TRAINER_USER]
    per_chat = Counter(call.params["chat_id"] for call in sent)
    first, last = (sent[0].at, sent[-1].at) if sent else (committed, committed)
    return Report(
        members=members,
        delivered=len(per_chat),
        duplicates=sum(per_chat.values()) - len(per_chat),
        flood_answers=sum(1 for call in calls if call.status == 429),
        statuses=statuses,
        send_seconds=last - first,
        total_seconds=last - committed,
        first_after=first - committed,
        cancel_seconds=committed - started,
        latency=latency,
        processes=processes,
        replies=Replies(idle, busy) if interactive else None,
        sent_by=sent_by,
    )


async def _listing(application: TraineryApplication, fake: FakeBotApi) -> float:
    """One `/sessions` of the trainer, from the update to the stored reply; then a pause."""
    raw = fake.user_message(TRAINER_USER, "/sessions")
    started = time.perf_counter()
    await application.process_update(Update.de_json(raw, application.bot))
    took = time.perf_counter() - started
    if fake.message(TRAINER_USER, raw["message"]["message_id"] + 1) is None:
        raise RuntimeError("the trainer's /sessions got no reply")
    await asyncio.sleep(max(0.0, LISTING_SPACING - took))
    return took


async def _listings_until(done: asyncio.Task[None], application: TraineryApplication, fake: FakeBotApi) -> list[float]:
    seconds = []
    while not done.done():
        seconds.append(await _listing(application, fake))
    return seconds


@asynccontextmanager
async def dispatch_processes(count: int, bot_api_url: str, database_url: str) -> AsyncIterator[list[int]]:
    """`count` `trainery dispatch` processes on `database_url`, started and ready, stopped
    with SIGTERM at the end; yields a list that then holds how many each one sent."""
    sent_by: list[int] = []
    if not count:
        yield sent_by
        return
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINERY_")}
        env.update(
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            TRAINERY_BOT_TOKEN=TOKEN, TRAINERY_BOT_API_URL=bot_api_url, TRAINERY_DATABASE_URL=database_url,
            TRAINERY_TIMEZONE=ZONE.key,
        )
        logs = [Path(folder) / f"dispatch-{number}.log" for number in range(count)]
        started = []
        for log in logs:
            with log.open("w") as stderr:
                started.append(subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", "dispatch"], cwd=folder, env=env,
                    stdout=subprocess.DEVNULL, stderr=stderr,
                ))
        try:
            deadline = time.monotonic() + 60
            while not all("Notification dispatcher started" in log.read_text() for log in logs):
                if time.monotonic() > deadline or any(process.poll() is not None for process in started):
                    raise RuntimeError("a dispatch process did not start:\n" + "\n".join(l.read_text() for l in logs))
                await asyncio.sleep(0.1)
            yield sent_by
        finally:
            for process in started:
                process.send_signal(signal.SIGTERM)
            for process in started:
                try:
                    await asyncio.to_thread(process.wait, 30)
                except subprocess.TimeoutExpired:
                    process.kill()
            sent_by.extend(log.read_text().count(": sent") for log in logs)


async def _statuses(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(select(NotificationRow.status, func.count()).group_by(NotificationRow.status))
        return {status: count for status, count in rows}


async def _settle(sessions: async_sessionmaker[AsyncSession], members: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = await _statuses(sessions)
        if sum(statuses.values()) >= members and not statuses.get("pending"):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the fan-out did not finish within {timeout:.0f} s: {await _statuses(sessions)}")


async def main_async(args: argparse.Namespace) -> list[Report]:
    """One fan-out per round trip (and the interactive one at 150 ms), each on a new
    database: a new SQLite file, or the PostgreSQL database emptied in between."""
    latencies = [int(part) for part in args.latencies.split(",") if part.strip()]
    plan = [(ms, False) for ms in latencies]
    if args.interactive:
        plan.append((INTERACTIVE_AT_MS, True))
    reports = []
    async with _database(args) as (url, reset):
        for ms, interactive in plan:
            _progress(f"fan-out to {args.members} members at a {ms} ms round trip" + (", the trainer listing" if interactive else ""))
            engine, sessions = await open_database(url())
            try:
                reports.append(await run(
                    sessions, args.members, args.rate_limit, latency=ms / 1000, interactive=interactive,
                    processes=args.processes, database_url=url(),
                ))
            finally:
                await engine.dispose()
            await reset()
    return reports


@asynccontextmanager
async def _database(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """(the URL to use for the next run, what empties it afterwards)."""
    if args.database_url or args.processes:
        url = args.database_url
        name = f"trainery_bench_dispatch_{os.getpid()}"
        if not url:  # several processes need PostgreSQL: a database of the bench's own
            url = await recreate_postgres_database(POSTGRES_SERVER, name)
        engine, sessions = await open_database(url)
        try:
            await _require_empty(sessions)

            async def empty() -> None:
                tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
                async with sessions() as session:
                    await session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                    await session.commit()

            yield (lambda: url), empty
        finally:
            await engine.dispose()
            if not args.database_url:
                await drop_postgres_database(POSTGRES_SERVER, name)
        return
    with tempfile.TemporaryDirectory() as folder:
        runs = iter(range(1000))
        current = [Path(folder) / "bench-0.sqlite3"]

        async def next_file() -> None:
            current[0] = Path(folder) / f"bench-{next(runs) + 1}.sqlite3"

        yield (lambda: f"sqlite+aiosqlite:///{current[0]}"), next_file


async def _require_empty(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        if await session.scalar(select(func.count()).select_from(PersonRow)):
            raise SystemExit("bench: the database given is not empty; give it an empty, migrated or new one")


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def table(reports: list[Report]) -> list[str]:
    lines = [
        "| round trip | delivered | duplicates | 429 answers | send rate | of the 30/s limit |",
        "| --- | --- | --- | --- | --- | --- |",
        *[report.row() for report in reports],
    ]
    lines += [f"\n{report.replies.line()}" for report in reports if report.replies]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000, help="members booked on the session (1000)")
    parser.add_argument("--rate-limit", type=int, default=TELEGRAM_LIMIT, help="the fake's messages a second (30)")
    parser.add_argument("--latencies", default=",".join(map(str, LATENCIES_MS)), help="round trips in ms (0,50,150,300)")
    parser.add_argument("--no-interactive", dest="interactive", action="store_false",
                        help=f"skip the trainer's listings during a fan-out at {INTERACTIVE_AT_MS} ms")
    parser.add_argument("--processes", type=int, default=0, help="`trainery dispatch` processes next to the bot (PostgreSQL)")
    parser.add_argument("--database-url", help="an empty database (default: new SQLite files; PostgreSQL with --processes)")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every run delivered all exactly once")
    parser.add_argument("--min-ratio", type=float, default=None, help=f"with --check: the least rate ratio at {INTERACTIVE_AT_MS} ms")
    parser.add_argument("--max-reply-ratio", type=float, default=None, help="with --check: the most p95 busy ÷ idle")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    reports = asyncio.run(main_async(args))
    for report in reports:
        print("\n".join(report.lines()) + "\n")
    print("\n".join(table(reports)))
    if not args.check:
        return 0
    ok = all(report.exact for report in reports)
    timed = [r for r in reports if r.latency * 1000 == INTERACTIVE_AT_MS and r.replies is None]
    if args.min_ratio is not None:
        ok = ok and all(report.ratio >= args.min_ratio for report in timed)
    if args.max_reply_ratio is not None:
        ok = ok and all(r.replies.ratio <= args.max_reply_ratio for r in reports if r.replies)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
