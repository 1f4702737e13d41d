"""Benchmark: cancel a session with many booked members and deliver the fan-out against
a fake Bot API that enforces Telegram's 30 messages a second (429 with retry_after
beyond it). Reports delivered / members, duplicates, 429 answers, and the achieved
send rate as a ratio of the 30/s limit.

    .venv/bin/python -m bench.notifications                  # 1,000 members, SQLite
    .venv/bin/python -m bench.notifications --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench
    .venv/bin/python -m bench.notifications --members 60 --check   # what CI runs, in tests/

The bot side is the production wiring: `bot.app.build_application` (AIORateLimiter
included) and the dispatcher started as `trainery run` starts it. The cancel is the
domain command (`Studio.cancel`), so the notifications are queued in its transaction.
The members, passes and bookings are written straight through the repositories in
one transaction, to keep the set-up of 1,000 bookings short.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time as wall_time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import notify
from bot.app import build_application
from bot.settings import Settings
from domain.clock import SystemClock
from domain.occurrence import OccurrenceKey
from domain.passes import grant_entry, use_entry
from domain.recurrence import to_utc
from domain.roles import Role
from domain.schedule import Schedule
from domain.studio import Studio
from storage.database import open_database
from storage.models import NotificationRow, PersonRow
from storage.unit_of_work import SqlUnitOfWork
from tests.fake_bot_api import FakeBotApi
from domain.sessions.cancel import cancel_session

TOKEN = "4242:BENCH"
TELEGRAM_LIMIT = 30  # messages a second, overall
CHAT_BASE = 900_000
ZONE = ZoneInfo("UTC")


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

    @property
    def rate(self) -> float:
        """Messages a second from the first to the last (n - 1 intervals)."""
        sent = self.delivered + self.duplicates
        return (sent - 1) / self.send_seconds if sent > 1 and self.send_seconds > 0 else 0.0

    @property
    def ratio(self) -> float:
        return self.rate / TELEGRAM_LIMIT

    def lines(self) -> list[str]:
        return [
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
        await uow.commit()
    for chat in chats:
        fake.add_chat(chat)
    return trainer.id, key


async def run(
    sessions: async_sessionmaker[AsyncSession], members: int = 1000, rate_limit: int = TELEGRAM_LIMIT,
    timeout: float | None = None,
) -> Report:
    """Seed, start the bot's dispatcher, cancel the session, wait for the fan-out."""
    with FakeBotApi(TOKEN, rate_limit=rate_limit) as fake:
        trainer, key = await seed(sessions, fake, members)
        settings = Settings(bot_token=TOKEN, bot_api_url=fake.base_url, timezone=ZONE.key)
        application = build_application(settings, sessions)
        studio = Studio(lambda: SqlUnitOfWork(sessions), SystemClock(), ZONE)
        async with application:
            await notify.start(application)
            try:
                started = time.time()
                await cancel_session(studio, trainer, key, "Benchmark")
                committed = time.time()
                await _settle(sessions, members, timeout or 60 + members / 20)
            finally:
                await notify.stop(application)
        calls = fake.calls("sendMessage")
        statuses = await _statuses(sessions)
    sent = [call for call in calls if call.status == 200]
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
    )


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


async def main_async(args: argparse.Namespace) -> Report:
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine, sessions = await open_database(url)
        try:
            if args.database_url:
                await _require_empty(sessions)
            return await run(sessions, args.members, args.rate_limit)
        finally:
            await engine.dispose()


async def _require_empty(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        if await session.scalar(select(func.count()).select_from(PersonRow)):
            raise SystemExit("bench: the database given is not empty; give it an empty, migrated or new one")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000, help="members booked on the session (1000)")
    parser.add_argument("--rate-limit", type=int, default=TELEGRAM_LIMIT, help="the fake's messages a second (30)")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--check", action="store_true", help="exit 1 unless all delivered once")
    parser.add_argument("--min-ratio", type=float, default=None, help="with --check: also the least rate ratio")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    report = asyncio.run(main_async(args))
    print("\n".join(report.lines()))
    if args.check:
        ok = report.delivered == report.members and report.duplicates == 0
        if args.min_ratio is not None:
            ok = ok and report.ratio >= args.min_ratio
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
