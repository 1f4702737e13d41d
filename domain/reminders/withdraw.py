"""Taking back timed notices a change made stale (issue 13). A reminder is queued by the
scan and sent later — after retries, a flood wait, an outage, a backlog — so a change
between the two must reach the outbox: in the change's own transaction, after the
aggregate's locks, its unsent messages are withdrawn (`TimedNotices.withdraw`).

- A cancelled booking (by the member, staff, an override, the session's cancelling)
  gets no reminder: its unsent ones are withdrawn.
- A session whose time, space or trainer changed: its unsent reminders are withdrawn
  and forgotten, so the next scan queues them again with what is current; when its
  time moved, every reminder whose moment at the new time is still ahead is forgotten
  too, so it is reminded at the new time, once per lead.
- A trainer's day not yet sent that lists a session cancelled, moved, re-roomed or
  handed to another trainer is withdrawn; the next scan sends the day as it is now.
- A pass whose last session is booked, or that is topped up, extended or closed: its
  warnings not sent yet ("one session left", "expires soon" with its date and the
  sessions left) are withdrawn and forgotten; the next scan warns of the pass as it
  is then — or not: a pass used up or closed gets no expiry warning, one extended
  gets it a week before its new expiry, one topped up gets "one session left" again
  only when it is down to one again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.occurrence import Occurrence
from domain.ports import UnitOfWork
from domain.recurrence import to_wall
from domain.reminders.rules import MarkKind, released_by_move


async def bookings_cancelled(uow: UnitOfWork, booking_ids: Iterable[int]) -> None:
    await uow.timed.withdraw(MarkKind.REMINDER, booking_ids)


async def session_changed(
    uow: UnitOfWork, zone: ZoneInfo, before: Occurrence, after: Occurrence, now: datetime
) -> None:
    """`after`: the session as saved, with its bookings as they are after the change."""
    moved = after.start != before.start
    if not (moved or after.space_id != before.space_id or after.trainer_id != before.trainer_id):
        return
    assert after.record.id is not None
    booked = [booking.id for booking in await uow.bookings.active_on(after.record.id)]
    await uow.timed.withdraw(MarkKind.REMINDER, booked)
    if moved:
        recorded = await uow.timed.recorded(MarkKind.REMINDER, booked)
        await uow.timed.release(MarkKind.REMINDER, released_by_move(recorded, after.start, now))
    await trainer_days_changed(uow, zone, [before, after])


async def trainer_days_changed(uow: UnitOfWork, zone: ZoneInfo, sessions: Iterable[Occurrence]) -> None:
    """Withdraw the unsent trainer's days that list these sessions (as they were or are)."""
    days: dict[int, set[int]] = {}
    for session in sessions:
        day = to_wall(session.start, zone).date().toordinal()
        days.setdefault(day, set()).add(session.trainer_id)
    for day, trainers in sorted(days.items()):
        await uow.timed.withdraw(MarkKind.TRAINER_DAY, trainers, day)


async def pass_changed(uow: UnitOfWork, pass_id: int) -> None:
    """After the pass's lock, as every change of a pass takes it."""
    for kind in (MarkKind.PASS_LAST_SESSION, MarkKind.PASS_EXPIRING):
        await uow.timed.withdraw(kind, [pass_id])
