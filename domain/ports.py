"""What the domain needs from storage, as small protocols. Storage implements them and
hands back domain objects, never rows; repositories never commit, the unit of work does.

Locking is the repositories' job, not a flag on each read: a command that changes an
occurrence, its bookings or its waitlist takes `occurrences.lock` first, then the
passes it uses with one `passes.lock` (by id). That one order everywhere is what keeps
two commands on PostgreSQL from waiting on each other in a circle. A command that
withdraws timed notices (`timed.withdraw`) does it last, after all of its locks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from domain.booking import Booking, CancelledBy, WaitlistEntry
from domain.invites import Invite
from domain.notifications import NotificationDraft
from domain.occurrence import OccurrenceKey, OccurrenceRecord
from domain.passes import LedgerEntry, Pass, PassExtension, PassTemplate
from domain.reminders.preferences import Languages, Preferences
from domain.reminders.rules import Held, Mark, MarkKind, PassState
from domain.roles import Person, Role
from domain.schedule import Schedule, Space


class People(Protocol):
    async def get(self, person_id: int) -> Person | None: ...
    async def many(self, person_ids: Iterable[int]) -> dict[int, Person]: ...
    async def by_telegram_user(self, telegram_user_id: int) -> Person | None: ...
    async def add(
        self, name: str, roles: Iterable[Role], at: datetime, telegram_user_id: int | None = None
    ) -> Person: ...
    async def holding(self, role: Role) -> list[Person]: ...
    async def grant(self, person_id: int, role: Role) -> Person:
        """Add the role; a person made inactive (no role left) is active again."""
        ...

    async def everyone(self) -> list[Person]: ...
    async def link(self, person_id: int, telegram_user_id: int, chat_id: int) -> Person: ...
    async def rename(self, person_id: int, name: str) -> Person: ...
    async def revoke(self, person_id: int, role: Role) -> Person:
        """Take the role away; a person left with no role is made inactive."""
        ...


class Spaces(Protocol):
    async def all(self) -> list[Space]: ...
    async def add(self, name: str, max_capacity: int | None = None) -> Space: ...
    async def save(self, space: Space) -> Space: ...


class Schedules(Protocol):
    async def get(self, schedule_id: int) -> Schedule | None: ...
    async def all(self) -> list[Schedule]: ...
    async def add(self, schedule: Schedule) -> Schedule: ...
    async def lock(self, schedule_id: int) -> Schedule | None:
        """The schedule, locked for an edit until the transaction ends."""
        ...

    async def share(self, schedule_ids: Iterable[int]) -> dict[int, Schedule]:
        """The schedules as a command that locks their occurrences must see them: read
        after any edit of them in progress has ended; an edit waits for the command."""
        ...

    async def update(self, schedule: Schedule) -> Schedule:
        """Its values, rule and eras as given (the eras replace the stored ones)."""
        ...


class Occurrences(Protocol):
    async def get(self, key: OccurrenceKey) -> OccurrenceRecord | None: ...
    async def get_by_id(self, record_id: int) -> OccurrenceRecord | None: ...
    async def lock(self, keys: Iterable[OccurrenceKey]) -> list[OccurrenceRecord]:
        """The aggregates' roots, stored (blank, version 0) where they were not, and
        locked until the transaction ends — in key order, whatever order was given."""
        ...

    async def touching(self, start: datetime, end: datetime) -> list[OccurrenceRecord]:
        """Records whose original or effective start lies in [start, end)."""
        ...

    async def of_schedule(self, schedule_id: int, since: datetime) -> list[OccurrenceRecord]:
        """A schedule's stored records whose original start is `since` or later."""
        ...

    async def booked_counts(self, record_ids: Iterable[int]) -> dict[int, int]: ...
    async def save(self, record: OccurrenceRecord) -> OccurrenceRecord:
        """Update the stored record, with its version raised by one."""
        ...


class Bookings(Protocol):
    async def get(self, booking_id: int) -> Booking | None: ...
    async def active_on(self, record_id: int) -> list[Booking]: ...
    async def add(self, record_id: int, member_id: int, pass_id: int, at: datetime) -> Booking: ...
    async def cancel_many(self, booking_ids: list[int], at: datetime, by: CancelledBy) -> None:
        """All of them, or BookingNotActive when any was cancelled meanwhile."""
        ...

    async def active_of_member(self, member_id: int) -> list[Booking]: ...
    async def booked_record_ids(self, member_id: int, starting_from: datetime) -> set[int]:
        """The occurrence records starting at or after `starting_from` that the member
        holds an active booking on: what /book needs of their bookings, without
        building each one."""
        ...


class Waitlist(Protocol):
    async def on(self, record_id: int) -> list[WaitlistEntry]:
        """The line of one occurrence, first in line first."""
        ...

    async def lines(self, record_ids: Iterable[int]) -> dict[int, list[WaitlistEntry]]: ...
    async def of_member(self, member_id: int) -> list[WaitlistEntry]: ...
    async def get(self, entry_id: int) -> WaitlistEntry | None: ...
    async def add(self, record_id: int, member_id: int, at: datetime) -> WaitlistEntry: ...
    async def remove(self, entry_ids: Iterable[int]) -> None: ...
    async def remove_member(self, record_id: int, member_id: int) -> None: ...
    async def clear(self, record_id: int) -> None: ...


class Passes(Protocol):
    async def get(self, pass_id: int) -> Pass | None: ...
    async def of_member(self, member_id: int) -> list[Pass]: ...
    async def usable_of_member(self, member_id: int, now: datetime) -> list[Pass]:
        """The member's passes that can pay for a session now (`Pass.usable_now`), in id
        order: what /book needs of a member's passes of all the years."""
        ...

    async def find(self, pass_ids: Iterable[int] = (), members: Iterable[int] = ()) -> list[Pass]:
        """The passes named and every pass of the members named, in id order."""
        ...

    async def lock(self, pass_ids: Iterable[int] = (), members: Iterable[int] = ()) -> list[Pass]:
        """The passes named and every pass of the members named, locked in id order
        until the transaction ends, read after the lock (so their balances are current)."""
        ...

    async def template(self, template_id: int) -> PassTemplate | None: ...
    async def template_named(self, name: str) -> PassTemplate | None: ...
    async def templates(self) -> list[PassTemplate]: ...
    async def add_template(
        self, name: str, sessions: int | None, validity_days: int, covered: Iterable[int]
    ) -> PassTemplate: ...
    async def save_template(self, template: PassTemplate) -> PassTemplate: ...
    async def add(self, member_id: int, template: PassTemplate, at: datetime) -> Pass: ...
    async def save(self, pass_: Pass) -> Pass:
        """Store its expiry and state (its balance moves only through `record`)."""
        ...

    async def record(self, entries: Iterable[LedgerEntry]) -> None:
        """Append the entries and move each pass's balance by their deltas."""
        ...

    async def ledger(self, pass_id: int) -> list[LedgerEntry]: ...
    async def extend(self, extensions: Iterable[PassExtension]) -> None:
        """Record the extensions (once per booking) and move the passes' expiry."""
        ...


class Invites(Protocol):
    async def add(self, person_id: int, role: Role, token_hash: str, at: datetime, expires_at: datetime) -> None: ...
    async def by_hash(self, token_hash: str) -> Invite | None: ...
    async def use(self, invite_id: int, at: datetime) -> bool:
        """Mark it used unless it was; False when someone else was first."""
        ...

    async def revoke(self, person_id: int, at: datetime, role: Role | None = None) -> int:
        """End the person's unused links (for `role`, or all) at `at`."""
        ...


class Outbox(Protocol):
    async def add(
        self, change_id: str, drafts: Iterable[NotificationDraft], at: datetime, *, once: bool = False
    ) -> None:
        """Queue the drafts; `once`: a draft whose change already has a message to that
        person (sent, failed or pending) is not queued again."""
        ...


class PersonSettings(Protocol):
    async def of(self, person_ids: Iterable[int]) -> dict[int, Preferences]:
        """Everyone asked for, with the defaults for who never changed a setting."""
        ...

    async def save(self, preferences: Preferences) -> None:
        """The switches and the chosen language; the Telegram language stays as it is."""
        ...

    async def languages_of(self, telegram_user_id: int) -> Languages | None:
        """The languages of the person linked to this Telegram user; None: nobody is."""
        ...

    async def linked_languages(self) -> dict[int, Languages]:
        """The languages of everyone linked to a Telegram user, by that user's id."""
        ...

    async def note_telegram_languages(self, languages: Mapping[int, str]) -> None:
        """Keep the language Telegram sent for each person (person id -> language):
        their notifications are written in it."""
        ...


class TimedNotices(Protocol):
    """What the scan for due notices reads (window queries on indexed columns) and the
    record of what it queued or dropped, unique per (kind, subject, slot)."""

    async def reminders_due(self, since: datetime, now: datetime, leads: Iterable[timedelta]) -> list[Held]:
        """Active bookings on sessions not cancelled whose effective start is at or
        after `since`, with a lead that has come (start - lead <= now) and has no mark."""
        ...

    async def passes_to_warn(self, now: datetime, expiring_before: datetime) -> list[PassState]:
        """Active passes not expired at `now` with one session left, or expiring at or
        before `expiring_before`, that lack the mark of that warning."""
        ...

    async def recorded(
        self, kind: MarkKind, subject_ids: Iterable[int], slot: int | None = None
    ) -> set[tuple[int, int]]:
        """(subject, slot) of the marks of this kind (and slot) recorded for these subjects."""
        ...

    async def record(self, marks: Iterable[Mark], at: datetime) -> set[tuple[str, int, int]]:
        """Record the marks not recorded yet; the keys this call recorded. A mark that
        another transaction records at the same time is that one's (it waits for it)."""
        ...

    async def withdraw(
        self, kind: MarkKind, subject_ids: Iterable[int], slot: int | None = None
    ) -> set[tuple[int, int]]:
        """Take the messages these notices queued (of this slot, or any) out of the outbox
        while unsent, and forget their marks, so a later scan works them out again from
        the data as it is then; (subject, slot) of those withdrawn. Called in the
        transaction of the change that made them stale, after its aggregate's locks.
        Unsent is pending, also a row a dispatcher holds under its lease: if that one is
        being sent this very moment it may still arrive (its sender then finds no row
        to mark sent) — as it would have had the change come a moment later. Waits
        for a scan in progress (`lock_scan`), so what it queued is withdrawn too."""
        ...

    async def lock_scan(self) -> None:
        """Taken first by a scan that may queue what a change withdraws (reminders, the
        trainer's day): waits for the changes withdrawing notices right now and keeps
        new ones waiting until this transaction ends, so the scan never queues from
        data a change made stale meanwhile, and a change sees what the scan queued."""
        ...

    async def release(self, kind: MarkKind, keys: Iterable[tuple[int, int]]) -> None:
        """Forget these marks (subject, slot), so a later scan works them out again;
        a message already sent stays sent."""
        ...

    async def scanned_until(self, name: str) -> datetime | None: ...
    async def mark_scanned(self, name: str, at: datetime) -> None:
        """The scan `name` has looked at everything up to `at` (never moves back)."""
        ...


class Memo(Protocol):
    """What one read may keep for the next (issue 15): values computed from the studio
    as it is, all dropped as soon as any change to it is committed. Only reads get one
    that keeps anything; a command always reads the database."""

    def get(self, key: Hashable) -> object | None: ...
    def put(self, key: Hashable, value: object) -> None: ...

    async def kept(self, key: Hashable, build: Callable[[], Awaitable[object]]) -> object:
        """The value kept under `key`, else what `build` gives (then kept). Reads that
        miss the same key at once wait for one build instead of each making their own:
        after a change, the first burst of listings would otherwise all rebuild it."""
        ...


class NoMemo:
    """Keeps nothing: the memo of commands (and of stores that have no cache)."""

    def get(self, key: Hashable) -> object | None:
        return None

    def put(self, key: Hashable, value: object) -> None:
        pass

    async def kept(self, key: Hashable, build: Callable[[], Awaitable[object]]) -> object:
        return await build()


class UnitOfWork(Protocol):
    # Set by Studio.read before the unit of work begins: nothing will be committed.
    read_only: bool
    memo: Memo
    people: People
    spaces: Spaces
    schedules: Schedules
    occurrences: Occurrences
    bookings: Bookings
    waitlist: Waitlist
    passes: Passes
    outbox: Outbox
    invites: Invites
    person_settings: PersonSettings
    timed: TimedNotices

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    async def commit(self) -> None: ...
