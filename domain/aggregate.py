"""The Occurrence aggregate: one occurrence with its active bookings and its waitlist,
with one version (on the occurrence's record). It is the consistency and locking
boundary: every command that changes any part of it goes through `LOCK`, which
locks the root first, then the passes it uses in one statement, in id order —
the same order in every command, so two commands never wait on each other in a
circle. Queries and reviews go through `READ`: the same loading, no locks, so a
review and its save compute from the same shape of data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.booking import Booking, CancelledBy, WaitlistEntry
from domain.errors import OccurrenceNotFound
from domain.listing import merge_occurrences
from domain.occurrence import Occurrence, OccurrenceKey, OccurrenceRecord
from domain.passes import Pass, refund_entries, use_entry
from domain.ports import UnitOfWork
from domain.recurrence import is_original_start
from domain.reminders.withdraw import bookings_cancelled, pass_changed
from domain.schedule import Schedule
from domain.waitlist import Promotion


@dataclass(frozen=True)
class SessionAggregate:
    occurrence: Occurrence
    bookings: tuple[Booking, ...]  # active ones, in booking order
    line: tuple[WaitlistEntry, ...]  # first in line first

    @property
    def key(self) -> OccurrenceKey:
        return self.occurrence.key

    @property
    def record_id(self) -> int | None:
        return self.occurrence.record.id

    def booking_of(self, member_id: int) -> Booking | None:
        return next((b for b in self.bookings if b.member_id == member_id), None)

    def place_of(self, member_id: int) -> int | None:
        """1 for the first in line; None when the member is not in it."""
        return next((n for n, e in enumerate(self.line, 1) if e.member_id == member_id), None)

    def with_balances(self, passes: Iterable[Pass]) -> SessionAggregate:
        """The bookings with the balances of their passes as locked (for refund notices)."""
        left = {p.id: p.sessions_left for p in passes}
        bookings = tuple(
            replace(b, pass_sessions_left=left[b.pass_id]) if b.pass_id in left else b for b in self.bookings
        )
        return replace(self, bookings=bookings)


class Access(Protocol):
    """How a use case reaches an aggregate: read it, or lock it for a change."""

    async def session(self, uow: UnitOfWork, zone: ZoneInfo, key: OccurrenceKey) -> SessionAggregate: ...
    async def passes(
        self, uow: UnitOfWork, pass_ids: Iterable[int] = (), members: Iterable[int] = ()
    ) -> list[Pass]: ...


class _Read:
    async def session(self, uow: UnitOfWork, zone: ZoneInfo, key: OccurrenceKey) -> SessionAggregate:
        record = await uow.occurrences.get(key)
        schedule = await _schedule_of(uow, zone, key, record)
        if record is None or record.id is None:
            return SessionAggregate(Occurrence.of(schedule, OccurrenceRecord.blank(key)), (), ())
        return await _assemble(uow, schedule, record)

    async def passes(self, uow: UnitOfWork, pass_ids: Iterable[int] = (), members: Iterable[int] = ()) -> list[Pass]:
        return await uow.passes.find(pass_ids, members)


class _Lock:
    async def session(self, uow: UnitOfWork, zone: ZoneInfo, key: OccurrenceKey) -> SessionAggregate:
        [session] = await lock_sessions(uow, zone, [key])
        return session

    async def passes(self, uow: UnitOfWork, pass_ids: Iterable[int] = (), members: Iterable[int] = ()) -> list[Pass]:
        return await uow.passes.lock(pass_ids, members)


READ: Access = _Read()
LOCK: Access = _Lock()


async def lock_sessions(uow: UnitOfWork, zone: ZoneInfo, keys: Iterable[OccurrenceKey]) -> list[SessionAggregate]:
    """Lock several aggregates' roots at once, in key order (enrolment books many).
    A key that is no occurrence of its schedule is refused before anything is stored,
    so a forged button cannot conjure one up. Their schedules are shared first: an
    edit of a schedule (domain/setup/schedule_edit.py) moves or ends its occurrences,
    so a command reads the schedule only once no edit of it is in progress."""
    wanted = sorted(set(keys))
    shared = await uow.schedules.share({key.schedule_id for key in wanted})
    schedules = {key.schedule_id: _valid(shared, zone, key, await uow.occurrences.get(key)) for key in wanted}
    records = await uow.occurrences.lock(wanted)
    return [await _assemble(uow, schedules[record.schedule_id], record) for record in records]


async def lock_session_of(uow: UnitOfWork, zone: ZoneInfo, record_id: int | None) -> SessionAggregate:
    """Lock the aggregate that a booking or a waitlist entry belongs to (found by its
    record id); callers read the booking or entry again from what comes back."""
    record = await uow.occurrences.get_by_id(record_id) if record_id is not None else None
    if record is None:
        raise OccurrenceNotFound()
    return await LOCK.session(uow, zone, record.key)


async def _schedule_of(
    uow: UnitOfWork, zone: ZoneInfo, key: OccurrenceKey, stored: OccurrenceRecord | None
) -> Schedule:
    schedule = await uow.schedules.get(key.schedule_id)
    return _valid({} if schedule is None else {schedule.id: schedule}, zone, key, stored)


def _valid(
    schedules: dict[int, Schedule], zone: ZoneInfo, key: OccurrenceKey, stored: OccurrenceRecord | None
) -> Schedule:
    schedule = schedules.get(key.schedule_id)
    if schedule is None:
        raise OccurrenceNotFound()
    if stored is None and not is_original_start(schedule, zone, key.original_start):
        raise OccurrenceNotFound()
    return schedule


async def _assemble(uow: UnitOfWork, schedule: Schedule, record: OccurrenceRecord) -> SessionAggregate:
    assert record.id is not None
    bookings = tuple(await uow.bookings.active_on(record.id))
    line = tuple(await uow.waitlist.on(record.id))
    return SessionAggregate(Occurrence.of(schedule, record, len(bookings)), bookings, line)


# -- carrying out a plan on a locked aggregate ---------------------------------------


async def cancel_and_refund(uow: UnitOfWork, bookings: Iterable[Booking], at: datetime, by: CancelledBy) -> None:
    """Cancel the bookings and give each pass its session back (an unlimited pass gets
    an entry of 0), with a few statements whatever their number; their unsent
    reminders are withdrawn. The caller locked the passes first (`LOCK.passes`)."""
    cancelled = list(bookings)
    if not cancelled:
        return
    await uow.bookings.cancel_many([b.id for b in cancelled], at, by)
    await uow.passes.record(refund_entries(cancelled, at))
    await bookings_cancelled(uow, [b.id for b in cancelled])  # no reminder for them, even if queued


async def book_with(uow: UnitOfWork, record_id: int, member_id: int, pass_: Pass, at: datetime) -> Booking:
    """A booking paid with one session of `pass_` (a ledger `use` entry)."""
    booking = await uow.bookings.add(record_id, member_id, pass_.id, at)
    await uow.passes.record([use_entry(pass_, booking.id, at)])
    if pass_.sessions_left == 1:  # its last session: a warning not sent yet says too much
        await pass_changed(uow, pass_.id)
    return booking


async def promote(uow: UnitOfWork, record_id: int, promotions: Iterable[Promotion], at: datetime) -> None:
    """Book each promoted member (one session used) and take them out of the line."""
    promoted = list(promotions)
    for promotion in promoted:
        await book_with(uow, record_id, promotion.member_id, promotion.pass_, at)
    await uow.waitlist.remove([p.entry.id for p in promoted])


# -- occurrences of a range, for lists and searches -----------------------------------


async def occurrences_between(uow: UnitOfWork, zone: ZoneInfo, start: datetime, end: datetime) -> list[Occurrence]:
    """Kept in the memo of reads (ports.Memo) until anything changes: a week's listing
    is the same for every trainer who asks in between."""

    async def build() -> tuple[Occurrence, ...]:
        records = await uow.occurrences.touching(start, end)
        booked = await uow.occurrences.booked_counts([r.id for r in records if r.id is not None])
        return tuple(merge_occurrences(await uow.schedules.all(), zone, start, end, records, booked))

    kept = await uow.memo.kept(("occurrences", zone.key, start, end), build)
    assert isinstance(kept, tuple)
    return list(kept)


async def overlapping(uow: UnitOfWork, zone: ZoneInfo, start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences that overlap [start, end): what may keep a space or trainer busy."""
    schedules = await uow.schedules.all()
    longest = max((s.longest for s in schedules), default=timedelta(0))
    return [o for o in await occurrences_between(uow, zone, start - longest, end) if o.overlaps(start, end)]
