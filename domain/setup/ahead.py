"""Sessions ahead that an edit of the setup would leave wrong — a closed space's, a
lowered maximum's, a removed trainer's — named in the refusal, so the admin knows
what to move first. A year ahead is looked at (like a new schedule's review)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from domain.aggregate import occurrences_between
from domain.occurrence import Occurrence
from domain.ports import UnitOfWork
from domain.studio import Studio

AHEAD = timedelta(days=366)
NAMED = 3  # sessions named in a refusal; the rest are counted


async def sessions_ahead(uow: UnitOfWork, studio: Studio, which: Callable[[Occurrence], bool]) -> list[Occurrence]:
    """The sessions of the coming year, not cancelled, that `which` picks, soonest first."""
    now = studio.now()
    found = await occurrences_between(uow, studio.zone, now, now + AHEAD)
    return [o for o in found if not o.cancelled and o.schedule.active and which(o)]


def name_sessions(sessions: list[Occurrence], zone: ZoneInfo) -> str:
    """`Yoga Tue 01 Dec 18:00, Yoga Thu 03 Dec 18:00 and 40 more`."""
    shown = [f"{o.title} {o.start.astimezone(zone):%a %d %b %H:%M}" for o in sessions[:NAMED]]
    more = len(sessions) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def count_sessions(sessions: list[Occurrence]) -> str:
    return "1 session" if len(sessions) == 1 else f"{len(sessions)} sessions"
