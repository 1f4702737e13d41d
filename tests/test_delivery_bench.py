"""The notification benchmark in its short form (bench/notifications.py): a session
with 60 booked members cancelled against a fake Bot API enforcing 30 messages a
second; and a small one 50 ms away with a trainer listing sessions during it. It
checks the counts — every member told exactly once, every listing answered — not the
speed, which only the full benchmark measures."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.notifications import run


async def test_a_cancelled_session_reaches_every_booked_member_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    report = await run(sessions, members=60)
    assert report.delivered == 60
    assert report.duplicates == 0
    assert report.statuses == {"sent": 60}


async def test_far_away_with_a_trainer_listing_every_member_is_told_once_and_every_listing_answered(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    report = await run(sessions, members=20, latency=0.05, interactive=True, idle_listings=2, quiet=0)
    assert report.exact and report.statuses == {"sent": 20}
    assert report.replies is not None and len(report.replies.idle) == 2 and report.replies.busy
