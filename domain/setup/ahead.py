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
from domain.wording import N_, Wording, ngettext, said

AHEAD = timedelta(days=366)
NAMED = 3  # sessions named in a refusal; the rest are counted


async def sessions_ahead(uow: UnitOfWork, studio: Studio, which: Callable[[Occurrence], bool]) -> list[Occurrence]:
    """The sessions of the coming year, not cancelled, that `which` picks, soonest first."""
    now = studio.now()
    found = await occurrences_between(uow, studio.zone, now, now + AHEAD)
    return [o for o in found if not o.cancelled and o.schedule.active and which(o)]


def name_sessions(sessions: list[Occurrence], zone: ZoneInfo) -> Wording | tuple[Wording, ...]:
    """`Yoga Tue 01 Dec 18:00, Yoga Thu 03 Dec 18:00 and 40 more` (a translation
    may write the moment its own way, e.g. `{start:%d.%m. %H:%M}`)."""
    shown = tuple(
        said(N_("{title} {start:%a %d %b %H:%M}"), title=o.title, start=o.start.astimezone(zone))
        for o in sessions[:NAMED]
    )
    more = len(sessions) - len(shown)
    return ngettext("{sessions} and {n} more", "{sessions} and {n} more", more, sessions=shown) if more else shown
