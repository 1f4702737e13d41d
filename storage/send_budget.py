"""Telegram's overall limit shared by every dispatcher on one PostgreSQL database
(domain.delivery.SendBudget): the bot's own dispatcher and any `trainery dispatch`
processes reserve each start in the single `send_budget` row, under its row lock, on
the database's clock. So together they keep one cadence (window / 29.5 between any two
starts, window / 26.5 while the bot is replying to people: see INTERVAL), and a 429
one of them got pauses them all for its `retry_after`.

SQLite has none: there one process sends (`trainery dispatch` refuses SQLite).
"""

from __future__ import annotations

import time

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.delivery import SendBudget

NOW = "extract(epoch FROM clock_timestamp())::float8"
# The cadence: window / (limit - 1/2), e.g. 1.01 s / 29.5. A start may come up to half
# an interval after its slot (a late wake-up, the database's round trip: see START and
# the dispatcher), and that half is what 31 consecutive starts can lose; so they still
# span at least the window: 30 intervals - 1/2 = 29.5 × 1.01 / 29.5.
# Plus `extra`: every 429 one of them gets widens the interval by WIDEN (up to MOST),
# every reservation narrows it by NARROW — the time a loaded machine adds between a
# reserved start and the request reaching Telegram differs between processes, and only
# Telegram's answers show by how much.
INTERVAL = (
    f"(CAST(:window AS float8) / (CASE WHEN replies_until > {NOW} "
    "THEN CAST(:limit AS integer) - CAST(:headroom AS integer) ELSE CAST(:limit AS integer) END - 0.5) + extra)"
)
WIDEN = 0.0005  # seconds per interval: 15 ms over 30 sends
MOST = 0.005  # seconds per interval: at most 0.87 of the limit
NARROW = 0.000002  # seconds per reservation: a 429's widening is gone after ~250 sends
# Every expression reads the row itself, so a reservation that waited for another's
# row lock is computed again on the row that one left (READ COMMITTED re-check).
# A reservation that comes late keeps the cadence if less than half an interval late,
# so the database's round trips do not add up to a lower rate.
START = f"greatest(paused_until, CASE WHEN next_start > {NOW} - {INTERVAL} / 2 THEN next_start ELSE {NOW} END)"
RESERVE = text(
    f"UPDATE send_budget SET next_start = {START} + {INTERVAL}, extra = greatest(extra - {NARROW}, 0) "
    f"WHERE id = 1 RETURNING next_start - {INTERVAL} - {NOW}"
)
PAUSE = text(
    f"UPDATE send_budget SET paused_until = greatest(paused_until, {NOW} + CAST(:seconds AS float8)), "
    f"extra = least(extra + {WIDEN}, {MOST}) WHERE id = 1"
)
REPLIED = text(
    f"UPDATE send_budget SET replies_until = greatest(replies_until, {NOW} + CAST(:seconds AS float8)) WHERE id = 1"
)
CREATE = text(
    "INSERT INTO send_budget (id, next_start, paused_until, replies_until, extra) VALUES (1, 0, 0, 0, 0) "
    "ON CONFLICT (id) DO NOTHING"
)
REPLIES_FOR = 5.0  # seconds of headroom after a reply (bot.notify.pacing.HEADROOM_FOR)
REPLIED_EVERY = 1.0  # seconds: a process notes its replies at most this often


class PostgresSendBudget:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._replied_at = float("-inf")

    async def reserve(self, limit: int, headroom: int, window: float) -> float:
        wait = await self._update(RESERVE, returning=True, limit=limit, headroom=headroom, window=window)
        return max(0.0, wait or 0.0)

    async def pause(self, seconds: float) -> None:
        await self._update(PAUSE, seconds=seconds)

    async def replied(self) -> None:
        now = time.monotonic()
        if now - self._replied_at < REPLIED_EVERY:
            return
        self._replied_at = now
        await self._update(REPLIED, seconds=REPLIES_FOR)

    async def _update(self, statement: TextClause, *, returning: bool = False, **values: object) -> float | None:
        """Run `statement` on the row and return what it returns, creating the row
        first if it is missing (a database emptied by hand, or the tests' TRUNCATE)."""
        async with self._sessions() as session, session.begin():
            for _attempt in range(2):
                result = await session.execute(statement, values)
                if returning:
                    row = result.first()
                    if row is not None:
                        return float(row[0])
                elif result.rowcount:  # type: ignore[attr-defined]
                    return None
                await session.execute(CREATE)
        return None


def send_budget(sessions: async_sessionmaker[AsyncSession]) -> SendBudget | None:
    """The shared budget on PostgreSQL; None on SQLite, where one process sends."""
    engine = sessions.kw.get("bind")
    dialect = getattr(engine, "dialect", None)
    return PostgresSendBudget(sessions) if dialect is not None and dialect.name == "postgresql" else None
