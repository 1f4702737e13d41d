"""Enrolment by a closed schedule's pass (SPEC §1): the member gets a booking on each
of the schedule's sessions within the pass's validity, each using one session of the
pass (so the ledger stays true), while sessions and spots last — and the grant learns
what was done: enrolled where, which sessions were full, what the pass keeps."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.aggregate import LOCK, book_with, lock_sessions, occurrences_between
from domain.occurrence import Occurrence
from domain.passes import Pass
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class Enrolment:
    """What granting a closed schedule's pass did."""

    titles: tuple[str, ...]  # the closed schedule(s) the pass belongs to
    ahead: int  # their sessions ahead within the pass's validity, not cancelled
    booked: tuple[Occurrence, ...]  # enrolled now, earliest first
    full: tuple[Occurrence, ...]  # no spot left: not enrolled
    held: int  # sessions the member was booked on already
    sessions_left: int | None  # on the pass afterwards (None: unlimited)

    @property
    def title(self) -> str:
        return ", ".join(self.titles)


async def enrol(uow: UnitOfWork, zone: ZoneInfo, granted: Pass, now: datetime) -> Enrolment | None:
    """Book the pass's member on the closed sessions it pays for; None when the pass
    belongs to no closed schedule. Locks the sessions' roots first (in key order),
    then the pass: the one order."""
    closed = {
        s.id: s.title for s in await uow.schedules.all() if s.closed and s.pass_template_id == granted.template_id
    }
    if not closed:
        return None
    coming = [
        o
        for o in await occurrences_between(uow, zone, now, granted.expires_at)
        if o.schedule.id in closed and not o.cancelled and o.start > now
    ]
    sessions = sorted(await lock_sessions(uow, zone, [o.key for o in coming]), key=lambda s: s.occurrence.start)
    [current] = await LOCK.passes(uow, [granted.id])
    booked: list[Occurrence] = []
    full: list[Occurrence] = []
    held = 0
    for session in sessions:
        occurrence = session.occurrence
        if session.booking_of(granted.member_id):
            held += 1
        elif not current.usable_for(occurrence.schedule, occurrence.start, now):
            break  # no sessions left
        elif len(session.bookings) >= occurrence.capacity:
            full.append(occurrence)
        else:
            record = await uow.occurrences.save(occurrence.record)
            assert record.id is not None
            await book_with(uow, record.id, granted.member_id, current, now)
            left = current.sessions_left
            current = replace(current, sessions_left=None if left is None else left - 1)
            booked.append(occurrence)
    titles = tuple(sorted(set(closed.values())))
    return Enrolment(titles, len(sessions), tuple(booked), tuple(full), held, current.sessions_left)
