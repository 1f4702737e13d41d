"""An in-memory unit of work that keeps the promises of domain/ports.py, so the use
cases can be unit-tested without a database (cosmicpython: services run on fakes of
the unit of work; integration tests run the real one on the real databases).

It mirrors storage/repositories.py and storage/unit_of_work.py where the domain can
tell the difference:

- ids are given per table, 1, 2, 3, …; objects are the domain's frozen dataclasses;
  every instant written is normalised to aware UTC, as `UtcDateTime` does;
- a unit of work works on a deep copy of the store's tables taken on enter and writes
  it back only on `commit()`; leaving without commit (an error, a query) rolls back;
- `occurrences.lock` stores a blank root (version 0) for a key that has none and
  returns the roots in key order; `save` raises `StaleReview` on a version mismatch
  and returns the record with version + 1;
- `passes.record` moves balances by the deltas except for unlimited passes (None);
  `bookings.add` returns the pass's balance at that moment; `cancel_many` raises
  `BookingNotActive` unless every booking named was active; a line is ordered by
  (joined_at, id);
- what the database's constraints refuse (a second `use` of one booking, a balance
  below zero, a member twice in one line, two notices to one member in one change…)
  raises `FakeIntegrityError`, as the real one raises `IntegrityError`.

Concurrency: the real repositories lock; here two units of work that overlap see
their own snapshots, and the second to commit raises `Contention`, so `Studio`
retries it on fresh data — the outcome of running them one after the other, never a
lost update. The store also counts units of work and commits, logs the locks taken,
and can make chosen commits raise `Contention` (`FakeStore.contend`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType
from typing import Literal, Self
from zoneinfo import ZoneInfo

from domain.booking import Booking, BookingStatus, CancelledBy, WaitlistEntry
from domain.bookings.book import book_session
from domain.clock import FixedClock
from domain.errors import BookingNotActive, Contention, StaleReview
from domain.invites import Invite
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import OccurrenceKey, OccurrenceRecord
from domain.passes import LedgerEntry, LedgerKind, Pass, PassTemplate
from domain.ports import (
    Bookings,
    Invites,
    Memo,
    NoMemo,
    Occurrences,
    Outbox,
    Passes,
    People,
    Schedules,
    Spaces,
    Waitlist,
)
from domain.recurrence import to_utc
from domain.reminders.rules import MarkKind, notice_change_id
from domain.roles import Person, Role
from domain.schedule import Schedule, Space
from domain.setup.passes import grant_pass
from domain.studio import Studio

BERLIN = ZoneInfo("Europe/Berlin")
# The clock of tests/conftest.py: a Monday morning in the studio, 2026-11-30 08:00 Berlin.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in the studio as an aware UTC instant."""
    return to_utc(datetime(year, month, day, hour, minute), BERLIN)


class FakeIntegrityError(Exception):
    """A write the real database's constraints would refuse."""


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return at.astimezone(UTC)


def _utc_or_none(at: datetime | None) -> datetime | None:
    return None if at is None else _utc(at)


# -- the tables ------------------------------------------------------------------------


@dataclass
class BookingRow:
    booking: Booking  # stored without a balance: it is joined from the pass on every read
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None


@dataclass(frozen=True)
class InviteRow:
    invite: Invite
    token_hash: str


@dataclass(frozen=True)
class OutboxRow:
    change_id: str
    draft: NotificationDraft
    at: datetime

    @property
    def member_id(self) -> int:
        return self.draft.member_id

    @property
    def kind(self) -> NotificationKind:
        return self.draft.kind


@dataclass
class Tables:
    people: dict[int, Person] = field(default_factory=dict)
    spaces: dict[int, Space] = field(default_factory=dict)
    schedules: dict[int, Schedule] = field(default_factory=dict)
    occurrences: dict[int, OccurrenceRecord] = field(default_factory=dict)
    bookings: dict[int, BookingRow] = field(default_factory=dict)
    waitlist: dict[int, WaitlistEntry] = field(default_factory=dict)
    templates: dict[int, PassTemplate] = field(default_factory=dict)
    passes: dict[int, Pass] = field(default_factory=dict)  # stored without covered ids: joined on read
    ledger: list[LedgerEntry] = field(default_factory=list)
    invites: dict[int, InviteRow] = field(default_factory=dict)
    outbox: list[OutboxRow] = field(default_factory=list)
    marks: dict[tuple[str, int, int], tuple[str, datetime]] = field(default_factory=dict)  # key -> (outcome, due)
    last_ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]

    def record_of(self, key: OccurrenceKey) -> OccurrenceRecord | None:
        return next((r for r in self.occurrences.values() if r.key == key), None)

    def pass_out(self, stored: Pass) -> Pass:
        template = self.templates[stored.template_id]
        return replace(stored, covered_schedule_ids=template.covered_schedule_ids)

    def booking_out(self, row: BookingRow) -> Booking:
        return replace(row.booking, pass_sessions_left=self.passes[row.booking.pass_id].sessions_left)


@dataclass(frozen=True)
class LockTaken:
    unit: int  # which unit of work (1: the first one opened on the store)
    what: Literal["occurrences", "passes"]
    ids: tuple[object, ...]  # occurrence keys, or pass ids, in the order locked


@dataclass
class FakeStore:
    """The committed state, and what the tests want to know about the units of work."""

    tables: Tables = field(default_factory=Tables)
    opened: int = 0  # units of work entered
    commit_attempts: int = 0
    commits: int = 0  # commits that wrote their changes back
    locks: list[LockTaken] = field(default_factory=list)
    generation: int = 0  # raised by every commit; a unit that saw an older one contends
    contended_commits: set[int] = field(default_factory=set)  # by commit attempt number
    contend_every_commit: bool = False

    def contend(self, *nth: int, always: bool = False) -> None:
        """Make the n-th commit attempt from now on (1: the next one) raise `Contention`,
        as a database that gave up on the transaction; `always`: every one from now on."""
        self.contended_commits.update(self.commit_attempts + n for n in nth)
        self.contend_every_commit = always

    # -- reading the committed state, for assertions --------------------------------

    def record(self, key: OccurrenceKey) -> OccurrenceRecord | None:
        return self.tables.record_of(key)

    def balance(self, pass_id: int) -> int | None:
        return self.tables.passes[pass_id].sessions_left

    def ledger(self, pass_id: int) -> list[LedgerEntry]:
        return [entry for entry in self.tables.ledger if entry.pass_id == pass_id]

    def ledger_sum(self, pass_id: int) -> int:
        return sum(entry.delta for entry in self.ledger(pass_id))

    def bookings(self, key: OccurrenceKey, *, active: bool = True) -> list[BookingRow]:
        record = self.record(key)
        if record is None:
            return []
        rows = [row for row in self.tables.bookings.values() if row.booking.occurrence_id == record.id]
        return [row for row in rows if row.booking.active or not active]

    def booked_members(self, key: OccurrenceKey) -> list[int]:
        return [row.booking.member_id for row in self.bookings(key)]

    def line(self, key: OccurrenceKey) -> list[int]:
        record = self.record(key)
        if record is None:
            return []
        entries = [e for e in self.tables.waitlist.values() if e.occurrence_id == record.id]
        return [e.member_id for e in sorted(entries, key=lambda e: (e.joined_at, e.id))]

    @property
    def outbox(self) -> list[OutboxRow]:
        return list(self.tables.outbox)

    def changes(self) -> dict[str, list[NotificationDraft]]:
        """The queued notices by change, in the order they were queued."""
        found: dict[str, list[NotificationDraft]] = {}
        for row in self.tables.outbox:
            found.setdefault(row.change_id, []).append(row.draft)
        return found


# -- the repositories ------------------------------------------------------------------


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def t(self) -> Tables:
        return self._uow.tables


class FakePeople(_Repository):
    async def get(self, person_id: int) -> Person | None:
        return self.t.people.get(person_id)

    async def many(self, person_ids: Iterable[int]) -> dict[int, Person]:
        return {i: self.t.people[i] for i in set(person_ids) if i in self.t.people}

    async def by_telegram_user(self, telegram_user_id: int) -> Person | None:
        return next((p for p in self.t.people.values() if p.telegram_user_id == telegram_user_id), None)

    async def add(self, name: str, roles: Iterable[Role], at: datetime, telegram_user_id: int | None = None) -> Person:
        _utc(at)
        if telegram_user_id is not None and await self.by_telegram_user(telegram_user_id) is not None:
            raise FakeIntegrityError("uq_people_telegram_user_id")
        person = Person(self.t.next_id("people"), name, frozenset(roles), telegram_user_id)
        self.t.people[person.id] = person
        return person

    async def holding(self, role: Role) -> list[Person]:
        return [p for _, p in sorted(self.t.people.items()) if role in p.roles]

    async def grant(self, person_id: int, role: Role) -> Person:
        person = self.t.people[person_id]
        if role in person.roles:
            raise FakeIntegrityError("uq_roles_person_id_role")
        person = replace(person, roles=person.roles | {role}, active=True)
        self.t.people[person_id] = person
        return person

    async def everyone(self) -> list[Person]:
        return sorted(self.t.people.values(), key=lambda p: (p.name, p.id))

    async def link(self, person_id: int, telegram_user_id: int, chat_id: int) -> Person:
        other = await self.by_telegram_user(telegram_user_id)
        if other is not None and other.id != person_id:
            raise FakeIntegrityError("uq_people_telegram_user_id")
        person = replace(self.t.people[person_id], telegram_user_id=telegram_user_id, chat_id=chat_id)
        self.t.people[person_id] = person
        return person

    async def rename(self, person_id: int, name: str) -> Person:
        self.t.people[person_id] = replace(self.t.people[person_id], name=name)
        return self.t.people[person_id]

    async def revoke(self, person_id: int, role: Role) -> Person:
        person = self.t.people[person_id]
        roles = person.roles - {role}
        self.t.people[person_id] = replace(person, roles=roles, active=person.active and bool(roles))
        return self.t.people[person_id]


class FakeSpaces(_Repository):
    async def all(self) -> list[Space]:
        return sorted(self.t.spaces.values(), key=lambda s: (s.name, s.id))

    async def add(self, name: str, max_capacity: int | None = None) -> Space:
        if any(s.name == name for s in self.t.spaces.values()):
            raise FakeIntegrityError("uq_spaces_name")
        if max_capacity is not None and max_capacity <= 0:
            raise FakeIntegrityError("ck_spaces_max_positive")
        space = Space(self.t.next_id("spaces"), name, max_capacity)
        self.t.spaces[space.id] = space
        return space

    async def save(self, space: Space) -> Space:
        if any(s.name == space.name and s.id != space.id for s in self.t.spaces.values()):
            raise FakeIntegrityError("uq_spaces_name")
        self.t.spaces[space.id] = space
        return space


class FakeSchedules(_Repository):
    async def get(self, schedule_id: int) -> Schedule | None:
        return self.t.schedules.get(schedule_id)

    async def share(self, schedule_ids: Iterable[int]) -> dict[int, Schedule]:
        return {i: self.t.schedules[i] for i in sorted(set(schedule_ids)) if i in self.t.schedules}

    async def all(self) -> list[Schedule]:
        return [s for _, s in sorted(self.t.schedules.items())]

    async def add(self, schedule: Schedule) -> Schedule:
        if schedule.duration <= timedelta(0) or schedule.default_capacity <= 0:
            raise FakeIntegrityError("ck_schedules_duration_positive / capacity_positive")
        if schedule.closed and schedule.pass_template_id is None:
            raise FakeIntegrityError("ck_schedules_closed_has_template")
        deadline = schedule.booking_deadline
        stored = replace(
            schedule,
            id=self.t.next_id("schedules"),
            duration=timedelta(minutes=int(schedule.duration.total_seconds() // 60)),  # stored in minutes
            booking_deadline=None if deadline is None else timedelta(minutes=int(deadline.total_seconds() // 60)),
        )
        self.t.schedules[stored.id] = stored
        return stored


class FakeOccurrences(_Repository):
    async def get(self, key: OccurrenceKey) -> OccurrenceRecord | None:
        return self.t.record_of(key)

    async def get_by_id(self, record_id: int) -> OccurrenceRecord | None:
        return self.t.occurrences.get(record_id)

    async def lock(self, keys: Iterable[OccurrenceKey]) -> list[OccurrenceRecord]:
        wanted = sorted(set(keys))
        if not wanted:
            return []
        self._uow.took("occurrences", tuple(wanted))
        records = []
        for key in wanted:
            record = self.t.record_of(key)
            if record is None:
                if key.schedule_id not in self.t.schedules:
                    raise FakeIntegrityError("fk_occurrences_schedule_id_schedules")
                original = _utc(key.original_start)
                record = replace(
                    OccurrenceRecord.blank(OccurrenceKey(key.schedule_id, original)), id=self.t.next_id("occurrences")
                )
                assert record.id is not None
                self.t.occurrences[record.id] = record
            records.append(record)
        return records

    async def touching(self, start: datetime, end: datetime) -> list[OccurrenceRecord]:
        return [
            r
            for _, r in sorted(self.t.occurrences.items())
            if start <= r.original_start < end or start <= r.start < end
        ]

    async def booked_counts(self, record_ids: Iterable[int]) -> dict[int, int]:
        ids = set(record_ids)
        counts: dict[int, int] = {}
        for row in self.t.bookings.values():
            if row.booking.occurrence_id in ids and row.booking.active:
                counts[row.booking.occurrence_id] = counts.get(row.booking.occurrence_id, 0) + 1
        return counts

    async def save(self, record: OccurrenceRecord) -> OccurrenceRecord:
        if record.id is None:
            raise ValueError("an occurrence is stored by occurrences.lock before it is saved")
        stored = self.t.occurrences.get(record.id)
        if stored is None or stored.version != record.version:
            raise StaleReview()
        if record.capacity is not None and record.capacity <= 0:
            raise FakeIntegrityError("ck_occurrences_capacity_positive")
        self.t.occurrences[record.id] = replace(
            stored,
            start=_utc(record.start),
            capacity=record.capacity,
            space_id=record.space_id,
            trainer_id=record.trainer_id,
            cancelled_at=_utc_or_none(record.cancelled_at),
            cancel_reason=record.cancel_reason,
            version=stored.version + 1,
        )
        return replace(record, version=record.version + 1)


class FakeBookings(_Repository):
    async def get(self, booking_id: int) -> Booking | None:
        row = self.t.bookings.get(booking_id)
        return None if row is None else self.t.booking_out(row)

    async def active_on(self, record_id: int) -> list[Booking]:
        return [
            self.t.booking_out(row)
            for _, row in sorted(self.t.bookings.items())
            if row.booking.occurrence_id == record_id and row.booking.active
        ]

    async def add(self, record_id: int, member_id: int, pass_id: int, at: datetime) -> Booking:
        if record_id not in self.t.occurrences or pass_id not in self.t.passes or member_id not in self.t.people:
            raise FakeIntegrityError("fk_bookings_*")
        if any(
            row.booking.occurrence_id == record_id and row.booking.member_id == member_id and row.booking.active
            for row in self.t.bookings.values()
        ):
            raise FakeIntegrityError("uq_bookings_active_member")
        booking = Booking(self.t.next_id("bookings"), record_id, member_id, pass_id, BookingStatus.ACTIVE, _utc(at))
        row = BookingRow(booking)
        self.t.bookings[booking.id] = row
        return self.t.booking_out(row)

    async def cancel_many(self, booking_ids: list[int], at: datetime, by: CancelledBy) -> None:
        wanted = set(booking_ids)
        active = [
            self.t.bookings[i] for i in sorted(wanted) if i in self.t.bookings and self.t.bookings[i].booking.active
        ]
        for row in active:  # updated even when some were not active: the unit of work rolls back
            row.booking = replace(row.booking, status=BookingStatus.CANCELLED)
            row.cancelled_at, row.cancelled_by = _utc(at), by
        if len(active) != len(wanted):
            raise BookingNotActive()

    async def active_of_member(self, member_id: int) -> list[Booking]:
        return [
            self.t.booking_out(row)
            for _, row in sorted(self.t.bookings.items())
            if row.booking.member_id == member_id and row.booking.active
        ]

    async def booked_record_ids(self, member_id: int, starting_from: datetime) -> set[int]:
        booked = {booking.occurrence_id for booking in await self.active_of_member(member_id)}
        return {record for record in booked if self.t.occurrences[record].start >= starting_from}


class FakeWaitlist(_Repository):
    def _ordered(self, entries: Iterable[WaitlistEntry]) -> list[WaitlistEntry]:
        return sorted(entries, key=lambda e: (e.joined_at, e.id))

    async def on(self, record_id: int) -> list[WaitlistEntry]:
        return self._ordered(e for e in self.t.waitlist.values() if e.occurrence_id == record_id)

    async def lines(self, record_ids: Iterable[int]) -> dict[int, list[WaitlistEntry]]:
        ids = set(record_ids)
        found: dict[int, list[WaitlistEntry]] = {}
        for entry in self._ordered(e for e in self.t.waitlist.values() if e.occurrence_id in ids):
            found.setdefault(entry.occurrence_id, []).append(entry)
        return found

    async def of_member(self, member_id: int) -> list[WaitlistEntry]:
        return [e for _, e in sorted(self.t.waitlist.items()) if e.member_id == member_id]

    async def get(self, entry_id: int) -> WaitlistEntry | None:
        return self.t.waitlist.get(entry_id)

    async def add(self, record_id: int, member_id: int, at: datetime) -> WaitlistEntry:
        if record_id not in self.t.occurrences or member_id not in self.t.people:
            raise FakeIntegrityError("fk_waitlist_*")
        if any(e.occurrence_id == record_id and e.member_id == member_id for e in self.t.waitlist.values()):
            raise FakeIntegrityError("uq_waitlist_occurrence_id_member_id")
        entry = WaitlistEntry(self.t.next_id("waitlist"), record_id, member_id, _utc(at))
        self.t.waitlist[entry.id] = entry
        return entry

    async def remove(self, entry_ids: Iterable[int]) -> None:
        for entry_id in set(entry_ids):
            self.t.waitlist.pop(entry_id, None)

    async def remove_member(self, record_id: int, member_id: int) -> None:
        for entry in list(self.t.waitlist.values()):
            if entry.occurrence_id == record_id and entry.member_id == member_id:
                del self.t.waitlist[entry.id]

    async def clear(self, record_id: int) -> None:
        for entry in list(self.t.waitlist.values()):
            if entry.occurrence_id == record_id:
                del self.t.waitlist[entry.id]


class FakePasses(_Repository):
    async def get(self, pass_id: int) -> Pass | None:
        stored = self.t.passes.get(pass_id)
        return None if stored is None else self.t.pass_out(stored)

    async def of_member(self, member_id: int) -> list[Pass]:
        return [self.t.pass_out(p) for _, p in sorted(self.t.passes.items()) if p.member_id == member_id]

    async def usable_of_member(self, member_id: int, now: datetime) -> list[Pass]:
        return [p for p in await self.of_member(member_id) if p.usable_now(now)]

    async def find(self, pass_ids: Iterable[int] = (), members: Iterable[int] = ()) -> list[Pass]:
        ids, owners = set(pass_ids), set(members)
        return [self.t.pass_out(p) for i, p in sorted(self.t.passes.items()) if i in ids or p.member_id in owners]

    async def lock(self, pass_ids: Iterable[int] = (), members: Iterable[int] = ()) -> list[Pass]:
        found = await self.find(pass_ids, members)
        if found:
            self._uow.took("passes", tuple(p.id for p in found))
        return found

    async def template(self, template_id: int) -> PassTemplate | None:
        return self.t.templates.get(template_id)

    async def template_named(self, name: str) -> PassTemplate | None:
        return next((t for t in self.t.templates.values() if t.name.lower() == name.lower()), None)

    async def templates(self) -> list[PassTemplate]:
        return sorted(self.t.templates.values(), key=lambda t: (t.name, t.id))

    async def add_template(
        self, name: str, sessions: int | None, validity_days: int, covered: Iterable[int]
    ) -> PassTemplate:
        if any(t.name == name for t in self.t.templates.values()):
            raise FakeIntegrityError("uq_pass_templates_name")
        if (sessions is not None and sessions <= 0) or validity_days <= 0:
            raise FakeIntegrityError("ck_pass_templates_sessions_positive / validity_positive")
        template = PassTemplate(
            self.t.next_id("templates"), name, sessions, timedelta(days=validity_days), frozenset(covered)
        )
        self.t.templates[template.id] = template
        return template

    async def save_template(self, template: PassTemplate) -> PassTemplate:
        if any(t.name == template.name and t.id != template.id for t in self.t.templates.values()):
            raise FakeIntegrityError("uq_pass_templates_name")
        self.t.templates[template.id] = template
        return template

    async def save(self, pass_: Pass) -> Pass:
        stored = self.t.passes[pass_.id]
        self.t.passes[pass_.id] = replace(stored, expires_at=_utc(pass_.expires_at), active=pass_.active)
        return self.t.pass_out(self.t.passes[pass_.id])

    async def add(self, member_id: int, template: PassTemplate, at: datetime) -> Pass:
        """A new pass with no sessions yet: its grant entry in the ledger gives them."""
        at = _utc(at)
        stored = Pass(
            id=self.t.next_id("passes"),
            member_id=member_id,
            template_id=template.id,
            sessions_left=None if template.sessions is None else 0,
            granted_at=at,
            expires_at=at + template.validity,
        )
        self.t.passes[stored.id] = stored
        return self.t.pass_out(stored)

    async def record(self, entries: Iterable[LedgerEntry]) -> None:
        """Append the entries, then move each pass by the sum of its deltas (as the
        real one does, in one update per pass); unlimited passes stay None."""
        moves: dict[int, int] = {}
        for entry in list(entries):
            if entry.pass_id not in self.t.passes:
                raise FakeIntegrityError("fk_pass_ledger_pass_id_passes")
            if entry.kind not in (LedgerKind.GRANT, LedgerKind.TOPUP) and entry.booking_id is None:
                raise FakeIntegrityError("ck_pass_ledger_use_refund_has_booking")
            if entry.booking_id is not None and any(
                e.booking_id == entry.booking_id and e.kind is entry.kind for e in self.t.ledger
            ):
                raise FakeIntegrityError("uq_pass_ledger_booking_id_kind")
            self.t.ledger.append(replace(entry, at=_utc(entry.at)))
            moves[entry.pass_id] = moves.get(entry.pass_id, 0) + entry.delta
        for pass_id, delta in sorted(moves.items()):
            stored = self.t.passes[pass_id]
            if stored.sessions_left is None or not delta:
                continue
            if stored.sessions_left + delta < 0:
                raise FakeIntegrityError("ck_passes_balance_not_negative")
            self.t.passes[pass_id] = replace(stored, sessions_left=stored.sessions_left + delta)

    async def ledger(self, pass_id: int) -> list[LedgerEntry]:
        return [entry for entry in self.t.ledger if entry.pass_id == pass_id]


class FakeInvites(_Repository):
    async def add(self, person_id: int, role: Role, token_hash: str, at: datetime, expires_at: datetime) -> None:
        if any(row.token_hash == token_hash for row in self.t.invites.values()):
            raise FakeIntegrityError("uq_invites_token_hash")
        invite = Invite(self.t.next_id("invites"), person_id, role, _utc(at), _utc(expires_at))
        self.t.invites[invite.id] = InviteRow(invite, token_hash)

    async def by_hash(self, token_hash: str) -> Invite | None:
        return next((row.invite for row in self.t.invites.values() if row.token_hash == token_hash), None)

    async def use(self, invite_id: int, at: datetime) -> bool:
        row = self.t.invites.get(invite_id)
        if row is None or row.invite.used_at is not None:
            return False
        self.t.invites[invite_id] = replace(row, invite=replace(row.invite, used_at=_utc(at)))
        return True

    async def revoke(self, person_id: int, at: datetime, role: Role | None = None) -> int:
        ended = [
            i
            for i, row in self.t.invites.items()
            if row.invite.person_id == person_id
            and row.invite.used_at is None
            and row.invite.expires_at > _utc(at)
            and role in (None, row.invite.role)
        ]
        for i in ended:
            row = self.t.invites[i]
            self.t.invites[i] = replace(row, invite=replace(row.invite, expires_at=_utc(at)))
        return len(ended)


class FakeOutbox(_Repository):
    async def add(
        self, change_id: str, drafts: Iterable[NotificationDraft], at: datetime, *, once: bool = False
    ) -> None:
        for draft in drafts:
            if any(row.change_id == change_id and row.member_id == draft.member_id for row in self.t.outbox):
                if once:
                    continue
                raise FakeIntegrityError("uq_notifications_change_id_member_id")  # one message per member per change
            self.t.outbox.append(OutboxRow(change_id, draft, _utc(at)))


class FakeTimedNotices(_Repository):
    """What the use cases ask of the timed notices' record (the scan runs on the real
    database only): the fake outbox sends nothing, so every queued message is unsent."""

    async def recorded(
        self, kind: MarkKind, subject_ids: Iterable[int], slot: int | None = None
    ) -> set[tuple[int, int]]:
        ids = set(subject_ids)
        return {
            (subject, one)
            for (k, subject, one) in self.t.marks
            if k == kind.value and subject in ids and (slot is None or one == slot)
        }

    async def withdraw(
        self, kind: MarkKind, subject_ids: Iterable[int], slot: int | None = None
    ) -> set[tuple[int, int]]:
        queued = {
            key: self.t.marks[(kind.value, *key)][1]
            for key in await self.recorded(kind, subject_ids, slot)
            if self.t.marks[(kind.value, *key)][0] == "queued"
        }
        change_ids = {notice_change_id(kind, subject, one, due) for (subject, one), due in queued.items()}
        self.t.outbox = [row for row in self.t.outbox if row.change_id not in change_ids]
        await self.release(kind, queued)
        return set(queued)

    async def release(self, kind: MarkKind, keys: Iterable[tuple[int, int]]) -> None:
        for subject, one in keys:
            self.t.marks.pop((kind.value, subject, one), None)


# -- the unit of work ------------------------------------------------------------------


class FakeUnitOfWork:
    read_only = False
    memo: Memo = NoMemo()  # the fake store keeps no cache: every read sees the tables
    people: People
    spaces: Spaces
    schedules: Schedules
    occurrences: Occurrences
    bookings: Bookings
    waitlist: Waitlist
    passes: Passes
    outbox: Outbox
    invites: Invites

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.committed = False
        self.number = 0
        self._tables: Tables | None = None
        self._generation = 0
        self.people = FakePeople(self)
        self.spaces = FakeSpaces(self)
        self.schedules = FakeSchedules(self)
        self.occurrences = FakeOccurrences(self)
        self.bookings = FakeBookings(self)
        self.waitlist = FakeWaitlist(self)
        self.passes = FakePasses(self)
        self.outbox = FakeOutbox(self)
        self.invites = FakeInvites(self)
        self.timed = FakeTimedNotices(self)

    @property
    def tables(self) -> Tables:
        """This transaction's working copy of the store."""
        if self._tables is None:
            raise RuntimeError("a unit of work is used inside `async with` only")
        return self._tables

    def took(self, what: Literal["occurrences", "passes"], ids: tuple[object, ...]) -> None:
        self.store.locks.append(LockTaken(self.number, what, ids))

    async def __aenter__(self) -> Self:
        self.store.opened += 1
        self.number = self.store.opened
        self.committed = False
        self._begin()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._tables = None  # what was not committed is gone

    async def commit(self) -> None:
        store = self.store
        store.commit_attempts += 1
        if store.contend_every_commit or store.commit_attempts in store.contended_commits:
            raise Contention(f"commit attempt {store.commit_attempts} gave up under contention (fake)")
        if store.generation != self._generation:
            raise Contention("another unit of work committed since this one began (fake)")
        store.tables = self.tables
        store.generation += 1
        store.commits += 1
        self.committed = True
        self._begin()  # like a session after commit: what follows is a new transaction

    def _begin(self) -> None:
        self._tables = copy.deepcopy(self.store.tables)
        self._generation = self.store.generation


def fake_studio(store: FakeStore, clock: FixedClock | None = None) -> Studio:
    """A studio whose every unit of work runs on `store`, at the tests' fixed clock."""
    return Studio(lambda: FakeUnitOfWork(store), clock or FixedClock(NOW), BERLIN)


# -- a small studio ----------------------------------------------------------------------


@dataclass
class FakeWorld:
    """tests/world.py's studio on the fake: two spaces, an admin, a trainer who leads
    both schedules, a substitute (trainer and member), a stranger, members each with
    an open pass (10 sessions, 60 days), an open weekly Yoga (Tuesday and Thursday
    18:00, Studio A) and a closed weekly Back course (Wednesday 10:00, Studio B)."""

    store: FakeStore
    studio: Studio
    clock: FixedClock
    admin: int = 0
    trainer: int = 0
    substitute: int = 0
    stranger: int = 0
    members: list[int] = field(default_factory=list)
    studio_a: int = 0
    studio_b: int = 0  # holds at most 8
    yoga: Schedule | None = None
    closed: Schedule | None = None
    open_template: int = 0
    closed_template: int = 0
    passes: dict[int, Pass] = field(default_factory=dict)  # member -> open pass

    @classmethod
    async def build(cls, members: int = 4, yoga_capacity: int = 10) -> FakeWorld:
        store = FakeStore()
        clock = FixedClock(NOW)
        world = cls(store, fake_studio(store, clock), clock)
        now = clock.now()
        async with FakeUnitOfWork(store) as uow:
            world.admin = (await uow.people.add("Ada Admin", [Role.ADMIN], now, telegram_user_id=1001)).id
            world.trainer = (await uow.people.add("Tom Trainer", [Role.TRAINER], now, telegram_user_id=1002)).id
            world.substitute = (await uow.people.add("Sue Substitute", [Role.TRAINER, Role.MEMBER], now)).id
            world.stranger = (await uow.people.add("Sam Stranger", [], now)).id
            for number in range(members):
                world.members.append((await uow.people.add(f"Member {number}", [Role.MEMBER], now)).id)
            world.studio_a = (await uow.spaces.add("Studio A")).id
            world.studio_b = (await uow.spaces.add("Studio B", max_capacity=8)).id
            world.closed_template = (await uow.passes.add_template("Course pass", 10, 90, [])).id
            world.yoga = await uow.schedules.add(
                Schedule(
                    0,
                    "Yoga",
                    "FREQ=WEEKLY;BYDAY=TU,TH",
                    date(2025, 1, 7),
                    time(18),
                    timedelta(hours=1),
                    yoga_capacity,
                    world.studio_a,
                    world.trainer,
                )
            )
            world.closed = await uow.schedules.add(
                Schedule(
                    0,
                    "Back course",
                    "FREQ=WEEKLY;BYDAY=WE;COUNT=20",
                    date(2026, 11, 4),
                    time(10),
                    timedelta(minutes=90),
                    6,
                    world.studio_b,
                    world.trainer,
                    closed=True,
                    pass_template_id=world.closed_template,
                )
            )
            world.open_template = (await uow.passes.add_template("10 classes", 10, 60, [world.yoga.id])).id
            await uow.commit()
        for member in world.members:
            world.passes[member] = (await grant_pass(world.studio, world.admin, member, world.open_template)).pass_
        return world

    def yoga_on(self, day: date) -> OccurrenceKey:
        assert self.yoga is not None
        return OccurrenceKey(self.yoga.id, berlin(day.year, day.month, day.day, 18))

    def closed_on(self, day: date) -> OccurrenceKey:
        assert self.closed is not None
        return OccurrenceKey(self.closed.id, berlin(day.year, day.month, day.day, 10))

    def pass_of(self, member: int) -> int:
        return self.passes[member].id

    async def book_all(self, key: OccurrenceKey, members: list[int] | None = None) -> list[Booking]:
        return [
            await book_session(self.studio, self.admin, key, member)
            for member in (members if members is not None else self.members)
        ]
