"""The notification benchmark in its short form (bench/notifications.py): a session
with 60 booked members cancelled against a fake Bot API enforcing 30 messages a
second. It checks the counts — every member told exactly once — not the speed,
which only the full benchmark measures."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.notifications import run


async def test_a_cancelled_session_reaches_every_booked_member_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    report = await run(sessions, members=60)
    assert report.delivered == 60
    assert report.duplicates == 0
    assert report.statuses == {"sent": 60}
