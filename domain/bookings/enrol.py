"""Enrolment by a closed schedule's pass (SPEC §1): the member gets a booking on each
of the schedule's sessions within the pass's validity, each using one session of the
pass (so the ledger stays true), while sessions and spots last."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.aggregate import LOCK, book_with, lock_sessions, occurrences_between
from domain.passes import Pass
from domain.ports import UnitOfWork


async def enrol(uow: UnitOfWork, zone: ZoneInfo, granted: Pass, now: datetime) -> int:
    """Book the pass's member on the closed sessions it pays for; how many were booked.
    Locks the sessions' roots first (in key order), then the pass: the one order."""
    closed = {s.id for s in await uow.schedules.all() if s.closed and s.pass_template_id == granted.template_id}
    if not closed:
        return 0
    coming = [
        o
        for o in await occurrences_between(uow, zone, now, granted.expires_at)
        if o.schedule.id in closed and not o.cancelled and o.start > now
    ]
    sessions = sorted(await lock_sessions(uow, zone, [o.key for o in coming]), key=lambda s: s.occurrence.start)
    [current] = await LOCK.passes(uow, [granted.id])
    enrolled = 0
    for session in sessions:
        occurrence = session.occurrence
        if not current.usable_for(occurrence.schedule, occurrence.start, now):
            break  # no sessions left
        if len(session.bookings) >= occurrence.capacity or session.booking_of(granted.member_id):
            continue
        record = await uow.occurrences.save(occurrence.record)
        assert record.id is not None
        await book_with(uow, record.id, granted.member_id, current, now)
        left = current.sessions_left
        current = replace(current, sessions_left=None if left is None else left - 1)
        enrolled += 1
    return enrolled
