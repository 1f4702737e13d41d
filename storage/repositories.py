"""Repositories: SQL in, domain objects out. They never commit; the unit of work does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Select, Table, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy import text as sql_text
from sqlalchemy import tuple_ as sql_tuple
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.booking import Booking, BookingStatus, CancelledBy, WaitlistEntry
from domain.delivery import DeliveryStatus
from domain.errors import BookingNotActive, StaleReview
from domain.invites import Invite
from domain.notifications import NotificationDraft
from domain.occurrence import OccurrenceKey, OccurrenceRecord
from domain.passes import LedgerEntry, LedgerKind, Pass, PassExtension, PassTemplate
from domain.ports import Memo, NoMemo
from domain.reminders.preferences import Languages, Preferences
from domain.reminders.rules import Held, Mark, MarkKind, Outcome, PassState, notice_change_id
from domain.roles import Person, Role
from domain.schedule import Schedule, ScheduleEra, Space
from storage.models import (
    BookingRow,
    InviteRow,
    LedgerEntryRow,
    NoticeScanRow,
    NotificationRow,
    OccurrenceRow,
    PassExtensionRow,
    PassRow,
    PassTemplateRow,
    PassTemplateScheduleRow,
    PersonRow,
    PersonSettingsRow,
    RoleRow,
    ScheduleRow,
    SpaceRow,
    TimedNoticeRow,
    WaitlistRow,
)
from storage.outbox import mark_queued

NO_MEMO = NoMemo()
SCHEDULES = ("schedules",)
COVERAGE = ("pass template coverage",)  # template id -> the schedule ids it covers


class PeopleRepository:
    def __init__(self, session: AsyncSession, memo: Memo = NO_MEMO) -> None:
        self.session = session
        self.memo = memo  # reads only (domain.ports.Memo): people change seldom, are asked for on every update

    async def get(self, person_id: int) -> Person | None:
        cached = self.memo.get(("person", person_id))
        if isinstance(cached, Person):
            return cached
        return await self._one(_PERSON_BY_ID, {"person_id": person_id})

    async def by_telegram_user(self, telegram_user_id: int) -> Person | None:
        cached = self.memo.get(("telegram", telegram_user_id))
        if isinstance(cached, Person):
            return cached
        return await self._one(_PERSON_BY_TELEGRAM, {"telegram_user_id": telegram_user_id})

    async def _one(self, query: Select[Any], parameters: dict[str, int]) -> Person | None:
        """The person and their roles in one statement (a row per role), as committed
        now: who is acting is asked on every update (issue 15's burst)."""
        rows = (await self.session.execute(query, parameters)).all()
        if not rows:
            return None
        roles = frozenset(Role(row.role) for row in rows if row.role is not None)
        return self._kept(_as_person(rows[0], roles))

    def _kept(self, person: Person) -> Person:
        self.memo.put(("person", person.id), person)
        if person.telegram_user_id is not None:
            self.memo.put(("telegram", person.telegram_user_id), person)
        return person

    async def many(self, person_ids: Iterable[int]) -> dict[int, Person]:
        ids = set(person_ids)
        if not ids:
            return {}
        rows = await self.session.scalars(select(PersonRow).where(PersonRow.id.in_(ids)))
        return {person.id: person for person in await self._people(rows.all())}

    async def add(self, name: str, roles: Iterable[Role], at: datetime, telegram_user_id: int | None = None) -> Person:
        row = PersonRow(name=name, telegram_user_id=telegram_user_id, active=True, created_at=at)
        self.session.add(row)
        await self.session.flush()
        for role in set(roles):
            self.session.add(RoleRow(person_id=row.id, role=role.value))
        await self.session.flush()
        return await self._person(row)

    async def holding(self, role: Role) -> list[Person]:
        cached = self.memo.get(("holding", role))
        if isinstance(cached, tuple):
            return list(cached)
        rows = await self.session.scalars(
            select(PersonRow).join(RoleRow, RoleRow.person_id == PersonRow.id).where(RoleRow.role == role.value)
        )
        people = await self._people(rows.all())
        self.memo.put(("holding", role), tuple(people))
        return people

    async def everyone(self) -> list[Person]:
        rows = await self.session.scalars(select(PersonRow).order_by(PersonRow.name))
        return await self._people(rows.all())

    async def _people(self, rows: Sequence[PersonRow]) -> list[Person]:
        """The people with their roles, in two queries whatever their number."""
        held: dict[int, set[Role]] = {row.id: set() for row in rows}
        if held:
            pairs = await self.session.execute(
                select(RoleRow.person_id, RoleRow.role).where(RoleRow.person_id.in_(list(held)))
            )
            for person_id, role in pairs:
                held[person_id].add(Role(role))
        return [_as_person(row, frozenset(held[row.id])) for row in rows]

    async def link(self, person_id: int, telegram_user_id: int, chat_id: int) -> Person:
        row = await self.session.get(PersonRow, person_id)
        assert row is not None
        row.telegram_user_id, row.chat_id = telegram_user_id, chat_id
        await self.session.flush()
        return await self._person(row)

    async def grant(self, person_id: int, role: Role) -> Person:
        self.session.add(RoleRow(person_id=person_id, role=role.value))
        row = await self.session.get(PersonRow, person_id)
        assert row is not None
        row.active = True  # someone who had left and is given a role again is back
        await self.session.flush()
        return await self._person(row)

    async def rename(self, person_id: int, name: str) -> Person:
        row = await self.session.get(PersonRow, person_id)
        assert row is not None
        row.name = name
        await self.session.flush()
        return await self._person(row)

    async def revoke(self, person_id: int, role: Role) -> Person:
        await self.session.execute(
            delete(RoleRow)
            .where(RoleRow.person_id == person_id, RoleRow.role == role.value)
            .execution_options(synchronize_session=False)
        )
        row = await self.session.get(PersonRow, person_id)
        assert row is not None
        if not await self.session.scalar(select(func.count()).where(RoleRow.person_id == person_id)):
            row.active = False  # no role left: the person's chat is nobody's in the studio
        await self.session.flush()
        return await self._person(row)

    async def _person(self, row: PersonRow) -> Person:
        return (await self._people([row]))[0]


# Built once: the hot reads run them with parameters, without building a statement anew.
_PEOPLE, _ROLES = cast(Table, PersonRow.__table__), cast(Table, RoleRow.__table__)
_PERSON_WITH_ROLES = select(_PEOPLE, _ROLES.c.role).outerjoin(_ROLES, _ROLES.c.person_id == _PEOPLE.c.id)
_PERSON_BY_ID = _PERSON_WITH_ROLES.where(_PEOPLE.c.id == bindparam("person_id"))
_PERSON_BY_TELEGRAM = _PERSON_WITH_ROLES.where(_PEOPLE.c.telegram_user_id == bindparam("telegram_user_id"))


def _as_person(row: PersonRow | Row[Any], roles: frozenset[Role]) -> Person:
    return Person(
        id=row.id,
        name=row.name,
        roles=roles,
        telegram_user_id=row.telegram_user_id,
        chat_id=row.chat_id,
        active=row.active,
    )


class SpacesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[Space]:
        rows = await self.session.scalars(select(SpaceRow).order_by(SpaceRow.name))
        return [Space(row.id, row.name, row.max_capacity, row.active) for row in rows]

    async def add(self, name: str, max_capacity: int | None = None) -> Space:
        row = SpaceRow(name=name, max_capacity=max_capacity, active=True)
        self.session.add(row)
        await self.session.flush()
        return Space(row.id, row.name, row.max_capacity, row.active)

    async def save(self, space: Space) -> Space:
        row = await self.session.get(SpaceRow, space.id)
        assert row is not None
        row.name, row.max_capacity, row.active = space.name, space.max_capacity, space.active
        await self.session.flush()
        return Space(row.id, row.name, row.max_capacity, row.active)


class SchedulesRepository:
    def __init__(self, session: AsyncSession, memo: Memo = NO_MEMO) -> None:
        self.session = session
        self.memo = memo  # reads only: every listing expands all schedules; they change seldom

    async def get(self, schedule_id: int) -> Schedule | None:
        cached = self.memo.get(SCHEDULES)
        if isinstance(cached, tuple):
            return next((schedule for schedule in cached if schedule.id == schedule_id), None)
        row = await self.session.get(ScheduleRow, schedule_id)
        return None if row is None else _schedule(row)

    async def all(self) -> list[Schedule]:
        cached = self.memo.get(SCHEDULES)
        if isinstance(cached, tuple):
            return list(cached)
        # Rows, not ORM entities: a listing needs 300 of them and never changes one.
        schedules = [_schedule(row) for row in await self.session.execute(select(*ScheduleRow.__table__.c))]
        self.memo.put(SCHEDULES, tuple(schedules))
        return schedules

    async def lock(self, schedule_id: int) -> Schedule | None:
        """The schedule, locked FOR UPDATE until the transaction ends: an edit waits for
        the commands that `share` it, and they wait for the edit (PostgreSQL)."""
        row = await self.session.scalar(
            select(ScheduleRow)
            .where(ScheduleRow.id == schedule_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return None if row is None else _schedule(row)

    async def share(self, schedule_ids: Iterable[int]) -> dict[int, Schedule]:
        """The schedules, read under FOR KEY SHARE: many commands share it, while an
        edit (FOR UPDATE) waits for them or they for it — so no command expands an
        occurrence from values an edit is replacing."""
        ids = sorted(set(schedule_ids))
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(ScheduleRow)
            .where(ScheduleRow.id.in_(ids))
            .order_by(ScheduleRow.id)
            .with_for_update(key_share=True, read=True)
            .execution_options(populate_existing=True)
        )
        return {row.id: _schedule(row) for row in rows}

    async def update(self, schedule: Schedule) -> Schedule:
        """Store the schedule's values, rule and eras as given."""
        row = await self.session.get(ScheduleRow, schedule.id)
        assert row is not None
        row.title, row.rrule, row.start_time = schedule.title, schedule.rrule, schedule.start_time
        row.duration_minutes = int(schedule.duration.total_seconds() // 60)
        row.default_capacity = schedule.default_capacity
        row.default_space_id, row.default_trainer_id = schedule.default_space_id, schedule.default_trainer_id
        row.eras = [_era_json(era) for era in schedule.eras] or None
        await self.session.flush()
        return _schedule(row)

    async def add(self, schedule: Schedule) -> Schedule:
        deadline = schedule.booking_deadline
        row = ScheduleRow(
            title=schedule.title,
            rrule=schedule.rrule,
            starts_on=schedule.starts_on,
            start_time=schedule.start_time,
            duration_minutes=int(schedule.duration.total_seconds() // 60),
            default_capacity=schedule.default_capacity,
            default_space_id=schedule.default_space_id,
            default_trainer_id=schedule.default_trainer_id,
            closed=schedule.closed,
            pass_template_id=schedule.pass_template_id,
            booking_deadline_minutes=None if deadline is None else int(deadline.total_seconds() // 60),
            active=schedule.active,
            eras=[_era_json(era) for era in schedule.eras] or None,
            private=schedule.private,
        )
        self.session.add(row)
        await self.session.flush()
        return _schedule(row)


def _era_json(era: ScheduleEra) -> dict[str, Any]:
    return {
        "until": era.until.astimezone(UTC).isoformat(),
        "title": era.title,
        "start_time": era.start_time.isoformat(),
        "duration_minutes": int(era.duration.total_seconds() // 60),
        "default_capacity": era.default_capacity,
        "default_space_id": era.default_space_id,
        "default_trainer_id": era.default_trainer_id,
    }


def _era(stored: dict[str, Any]) -> ScheduleEra:
    return ScheduleEra(
        until=datetime.fromisoformat(stored["until"]),
        title=str(stored["title"]),
        start_time=time.fromisoformat(stored["start_time"]),
        duration=timedelta(minutes=int(stored["duration_minutes"])),
        default_capacity=int(stored["default_capacity"]),
        default_space_id=int(stored["default_space_id"]),
        default_trainer_id=int(stored["default_trainer_id"]),
    )


def _schedule(row: ScheduleRow | Row[Any]) -> Schedule:
    deadline = row.booking_deadline_minutes
    return Schedule(
        id=row.id,
        title=row.title,
        rrule=row.rrule,
        starts_on=row.starts_on,
        start_time=row.start_time,
        duration=timedelta(minutes=row.duration_minutes),
        default_capacity=row.default_capacity,
        default_space_id=row.default_space_id,
        default_trainer_id=row.default_trainer_id,
        closed=row.closed,
        pass_template_id=row.pass_template_id,
        booking_deadline=None if deadline is None else timedelta(minutes=deadline),
        active=row.active,
        eras=tuple(_era(stored) for stored in row.eras or ()),
        private=row.private,
    )


class OccurrencesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: OccurrenceKey) -> OccurrenceRecord | None:
        row = await self.session.scalar(
            select(OccurrenceRow)
            .where(OccurrenceRow.schedule_id == key.schedule_id, OccurrenceRow.original_start == key.original_start)
            .execution_options(populate_existing=True)
        )
        return None if row is None else _record(row)

    async def get_by_id(self, record_id: int) -> OccurrenceRecord | None:
        row = await self.session.get(OccurrenceRow, record_id, populate_existing=True)
        return None if row is None else _record(row)

    async def lock(self, keys: Iterable[OccurrenceKey]) -> list[OccurrenceRecord]:
        """Store a blank root for each key that has none (a concurrent insert of the
        same key waits, then does nothing), then lock them all in key order. FOR NO
        KEY UPDATE: bookings that reference the row (FOR KEY SHARE) are not blocked."""
        wanted = sorted(set(keys))
        if not wanted:
            return []
        blank = [
            {
                "schedule_id": k.schedule_id,
                "original_start": k.original_start,
                "start": k.original_start,
                "version": 0,
            }
            for k in wanted
        ]
        dialect_insert = postgresql_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await self.session.execute(
            dialect_insert(OccurrenceRow)
            .values(blank)
            .on_conflict_do_nothing(index_elements=["schedule_id", "original_start"])
        )
        rows = await self.session.scalars(
            select(OccurrenceRow)
            .where(
                or_(
                    *(
                        (OccurrenceRow.schedule_id == k.schedule_id)
                        & (OccurrenceRow.original_start == k.original_start)
                        for k in wanted
                    )
                )
            )
            .order_by(OccurrenceRow.schedule_id, OccurrenceRow.original_start)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return [_record(row) for row in rows]

    async def touching(self, start: datetime, end: datetime) -> list[OccurrenceRecord]:
        rows = await self.session.scalars(
            select(OccurrenceRow).where(
                or_(
                    (OccurrenceRow.original_start >= start) & (OccurrenceRow.original_start < end),
                    (OccurrenceRow.start >= start) & (OccurrenceRow.start < end),
                )
            )
        )
        return [_record(row) for row in rows]

    async def of_schedule(self, schedule_id: int, since: datetime) -> list[OccurrenceRecord]:
        """The stored records of a schedule whose original start is `since` or later."""
        rows = await self.session.scalars(
            select(OccurrenceRow)
            .where(OccurrenceRow.schedule_id == schedule_id, OccurrenceRow.original_start >= since)
            .order_by(OccurrenceRow.original_start)
            .execution_options(populate_existing=True)
        )
        return [_record(row) for row in rows]

    async def booked_counts(self, record_ids: Iterable[int]) -> dict[int, int]:
        ids = list(record_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(BookingRow.occurrence_id, func.count())
            .where(BookingRow.occurrence_id.in_(ids), BookingRow.status == BookingStatus.ACTIVE.value)
            .group_by(BookingRow.occurrence_id)
        )
        return {occurrence_id: count for occurrence_id, count in rows.all()}

    async def save(self, record: OccurrenceRecord) -> OccurrenceRecord:
        """Update the stored root, only if nobody changed it since it was read (the
        version check, a second guard besides the lock)."""
        if record.id is None:
            raise ValueError("an occurrence is stored by occurrences.lock before it is saved")
        result = await self.session.execute(
            update(OccurrenceRow)
            .where(OccurrenceRow.id == record.id, OccurrenceRow.version == record.version)
            .values(
                version=OccurrenceRow.version + 1,
                original_start=record.original_start,  # moved on by a schedule's time edit
                start=record.start,
                capacity=record.capacity,
                space_id=record.space_id,
                trainer_id=record.trainer_id,
                cancelled_at=record.cancelled_at,
                cancel_reason=record.cancel_reason,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleReview()
        return replace(record, version=record.version + 1)


def _record(row: OccurrenceRow) -> OccurrenceRecord:
    return OccurrenceRecord(
        id=row.id,
        schedule_id=row.schedule_id,
        original_start=row.original_start,
        start=row.start,
        capacity=row.capacity,
        space_id=row.space_id,
        trainer_id=row.trainer_id,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
        version=row.version,
    )


class BookingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, booking_id: int) -> Booking | None:
        query = _bookings_with_balance().where(BookingRow.id == booking_id).execution_options(populate_existing=True)
        row = (await self.session.execute(query)).first()
        return None if row is None else _booking(row[0], row[1])

    async def active_on(self, record_id: int) -> list[Booking]:
        rows = await self.session.execute(
            _bookings_with_balance()
            .where(BookingRow.occurrence_id == record_id, BookingRow.status == BookingStatus.ACTIVE.value)
            .order_by(BookingRow.id)
            .execution_options(populate_existing=True)
        )
        return [_booking(booking, balance) for booking, balance in rows]

    async def add(self, record_id: int, member_id: int, pass_id: int, at: datetime) -> Booking:
        row = BookingRow(
            occurrence_id=record_id,
            member_id=member_id,
            pass_id=pass_id,
            status=BookingStatus.ACTIVE.value,
            created_at=at,
        )
        self.session.add(row)
        await self.session.flush()
        balance = await self.session.scalar(select(PassRow.sessions_left).where(PassRow.id == pass_id))
        return _booking(row, balance)

    async def active_of_member(self, member_id: int) -> list[Booking]:
        rows = await self.session.execute(
            _bookings_with_balance()
            .where(BookingRow.member_id == member_id, BookingRow.status == BookingStatus.ACTIVE.value)
            .order_by(BookingRow.id)
        )
        return [_booking(booking, balance) for booking, balance in rows]

    async def booked_record_ids(self, member_id: int, starting_from: datetime) -> set[int]:
        # One column, no ORM objects, only the sessions ahead: a member of some years
        # holds dozens of (past) active bookings, and /book on every burst asks (issue 15).
        ahead = {"member_id": member_id, "starting_from": starting_from}
        return set(await self.session.scalars(_BOOKED_RECORD_IDS, ahead))

    async def cancel_many(self, booking_ids: list[int], at: datetime, by: CancelledBy) -> None:
        result = await self.session.execute(
            update(BookingRow)
            .where(BookingRow.id.in_(booking_ids), BookingRow.status == BookingStatus.ACTIVE.value)
            .values(status=BookingStatus.CANCELLED.value, cancelled_at=at, cancelled_by=by.value)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != len(set(booking_ids)):  # type: ignore[attr-defined]
            raise BookingNotActive()


_BOOKINGS = cast(Table, BookingRow.__table__)
_OCCURRENCES = cast(Table, OccurrenceRow.__table__)
_BOOKED_RECORD_IDS = (
    select(_BOOKINGS.c.occurrence_id)
    .join_from(_BOOKINGS, _OCCURRENCES, _OCCURRENCES.c.id == _BOOKINGS.c.occurrence_id)
    .where(
        _BOOKINGS.c.member_id == bindparam("member_id"),
        _BOOKINGS.c.status == BookingStatus.ACTIVE.value,
        _OCCURRENCES.c.start >= bindparam("starting_from"),
    )
)


def _bookings_with_balance() -> Select[BookingRow, int | None]:
    return select(BookingRow, PassRow.sessions_left).join(PassRow, PassRow.id == BookingRow.pass_id)


def _booking(row: BookingRow, balance: int | None) -> Booking:
    return Booking(
        id=row.id,
        occurrence_id=row.occurrence_id,
        member_id=row.member_id,
        pass_id=row.pass_id,
        status=BookingStatus(row.status),
        created_at=row.created_at,
        pass_sessions_left=balance,
    )


class WaitlistRepository:
    """The waitlist; a place in line is (joined_at, id)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def on(self, record_id: int) -> list[WaitlistEntry]:
        rows = await self.session.scalars(
            select(WaitlistRow)
            .where(WaitlistRow.occurrence_id == record_id)
            .order_by(WaitlistRow.joined_at, WaitlistRow.id)
        )
        return [_entry(row) for row in rows]

    async def of_member(self, member_id: int) -> list[WaitlistEntry]:
        rows = await self.session.execute(_WAITING_OF_MEMBER, {"member_id": member_id})  # rows, no ORM objects
        return [_entry(row) for row in rows]

    async def lines(self, record_ids: Iterable[int]) -> dict[int, list[WaitlistEntry]]:
        ids = set(record_ids)
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(WaitlistRow)
            .where(WaitlistRow.occurrence_id.in_(ids))
            .order_by(WaitlistRow.joined_at, WaitlistRow.id)
        )
        found: dict[int, list[WaitlistEntry]] = {}
        for row in rows:
            found.setdefault(row.occurrence_id, []).append(_entry(row))
        return found

    async def get(self, entry_id: int) -> WaitlistEntry | None:
        row = await self.session.get(WaitlistRow, entry_id, populate_existing=True)
        return None if row is None else _entry(row)

    async def add(self, record_id: int, member_id: int, at: datetime) -> WaitlistEntry:
        row = WaitlistRow(occurrence_id=record_id, member_id=member_id, joined_at=at)
        self.session.add(row)
        await self.session.flush()  # the unique (occurrence, member) check fires here
        return _entry(row)

    async def remove(self, entry_ids: Iterable[int]) -> None:
        ids = list(entry_ids)
        if ids:
            await self.session.execute(
                delete(WaitlistRow).where(WaitlistRow.id.in_(ids)).execution_options(synchronize_session=False)
            )

    async def remove_member(self, record_id: int, member_id: int) -> None:
        await self.session.execute(
            delete(WaitlistRow)
            .where(WaitlistRow.occurrence_id == record_id, WaitlistRow.member_id == member_id)
            .execution_options(synchronize_session=False)
        )

    async def clear(self, record_id: int) -> None:
        await self.session.execute(
            delete(WaitlistRow)
            .where(WaitlistRow.occurrence_id == record_id)
            .execution_options(synchronize_session=False)
        )


_WAITLIST = cast(Table, WaitlistRow.__table__)
_WAITING_OF_MEMBER = select(_WAITLIST).where(_WAITLIST.c.member_id == bindparam("member_id")).order_by(_WAITLIST.c.id)


def _entry(row: WaitlistRow | Row[Any]) -> WaitlistEntry:
    return WaitlistEntry(id=row.id, occurrence_id=row.occurrence_id, member_id=row.member_id, joined_at=row.joined_at)


class PassesRepository:
    def __init__(self, session: AsyncSession, memo: Memo = NO_MEMO) -> None:
        self.session = session
        self.memo = memo  # reads only: what each template covers, asked for on every /book

    async def get(self, pass_id: int) -> Pass | None:
        row = await self.session.get(PassRow, pass_id, populate_existing=True)
        return None if row is None else await self._pass(row)

    async def find(self, pass_ids: Iterable[int] = (), members: Iterable[int] = ()) -> list[Pass]:
        return await self._passes(pass_ids, members, lock=False)

    async def lock(self, pass_ids: Iterable[int] = (), members: Iterable[int] = ()) -> list[Pass]:
        return await self._passes(pass_ids, members, lock=True)

    async def _passes(self, pass_ids: Iterable[int], members: Iterable[int], *, lock: bool) -> list[Pass]:
        ids, owners = set(pass_ids), set(members)
        if not ids and not owners:
            return []
        query = select(PassRow).where(or_(PassRow.id.in_(ids), PassRow.member_id.in_(owners))).order_by(PassRow.id)
        if lock:  # FOR NO KEY UPDATE: bookings and ledger rows referencing the pass are not blocked
            query = query.with_for_update(key_share=True)
        rows = await self.session.scalars(query.execution_options(populate_existing=True))
        return await self._many(rows.all())

    async def of_member(self, member_id: int) -> list[Pass]:
        # Rows, not ORM objects: a member of some years holds dozens of passes, and
        # /book reads them on every burst (issue 15).
        rows = await self.session.execute(_PASSES_OF_MEMBER, {"member_id": member_id})
        return await self._many(rows.all())

    async def usable_of_member(self, member_id: int, now: datetime) -> list[Pass]:
        # The few usable now, filtered by the database: a member of some years holds
        # dozens of used-up and expired passes (issue 15).
        rows = await self.session.execute(_USABLE_PASSES_OF_MEMBER, {"member_id": member_id, "now": now})
        return await self._many(rows.all())

    async def template(self, template_id: int) -> PassTemplate | None:
        row = await self.session.get(PassTemplateRow, template_id)
        return None if row is None else await self._template(row)

    async def template_named(self, name: str) -> PassTemplate | None:
        row = await self.session.scalar(select(PassTemplateRow).where(func.lower(PassTemplateRow.name) == name.lower()))
        return None if row is None else await self._template(row)

    async def templates(self) -> list[PassTemplate]:
        rows = await self.session.scalars(select(PassTemplateRow).order_by(PassTemplateRow.name))
        return [await self._template(row) for row in rows.all()]

    async def _template(self, row: PassTemplateRow) -> PassTemplate:
        return PassTemplate(
            id=row.id,
            name=row.name,
            sessions=row.sessions,
            validity=timedelta(days=row.validity_days),
            covered_schedule_ids=await self._covered(row.id),
            active=row.active,
        )

    async def add_template(
        self, name: str, sessions: int | None, validity_days: int, covered: Iterable[int]
    ) -> PassTemplate:
        row = PassTemplateRow(name=name, sessions=sessions, validity_days=validity_days, active=True)
        self.session.add(row)
        await self.session.flush()
        for schedule_id in set(covered):
            self.session.add(PassTemplateScheduleRow(pass_template_id=row.id, schedule_id=schedule_id))
        await self.session.flush()
        template = await self.template(row.id)
        assert template is not None
        return template

    async def save_template(self, template: PassTemplate) -> PassTemplate:
        """Store the template's name, state and the open schedules it covers."""
        row = await self.session.get(PassTemplateRow, template.id)
        assert row is not None
        row.name, row.active = template.name, template.active
        await self.session.execute(
            delete(PassTemplateScheduleRow)
            .where(PassTemplateScheduleRow.pass_template_id == template.id)
            .execution_options(synchronize_session=False)
        )
        for schedule_id in template.covered_schedule_ids:
            self.session.add(PassTemplateScheduleRow(pass_template_id=template.id, schedule_id=schedule_id))
        await self.session.flush()
        return await self._template(row)

    async def save(self, pass_: Pass) -> Pass:
        """Store a pass's expiry and state; its balance moves only through `record`."""
        row = await self.session.get(PassRow, pass_.id)
        assert row is not None
        row.expires_at, row.active = pass_.expires_at, pass_.active
        await self.session.flush()
        return await self._pass(row)

    async def add(self, member_id: int, template: PassTemplate, at: datetime) -> Pass:
        """A new pass with no sessions yet: its grant entry in the ledger gives them."""
        row = PassRow(
            member_id=member_id,
            template_id=template.id,
            sessions_left=None if template.sessions is None else 0,
            granted_at=at,
            expires_at=at + template.validity,
            active=True,
        )
        self.session.add(row)
        await self.session.flush()
        return await self._pass(row)

    async def record(self, entries: Iterable[LedgerEntry]) -> None:
        """Append the entries (the unique (booking, kind) pair refuses a second use or
        refund of one booking) and move each pass's balance by their deltas."""
        entries = list(entries)
        if not entries:
            return
        await self.session.execute(
            insert(LedgerEntryRow),
            [
                {"pass_id": e.pass_id, "booking_id": e.booking_id, "kind": e.kind.value, "delta": e.delta, "at": e.at}
                for e in entries
            ],
        )
        moves: dict[int, int] = {}
        for entry in entries:
            moves[entry.pass_id] = moves.get(entry.pass_id, 0) + entry.delta
        changed = [{"pass_id": pass_id, "delta": delta} for pass_id, delta in sorted(moves.items()) if delta]
        if changed:
            passes = cast(Table, PassRow.__table__)  # Core: one statement, executed for each pass
            await self.session.execute(
                update(passes)
                .where(passes.c.id == bindparam("pass_id"), passes.c.sessions_left.is_not(None))
                .values(sessions_left=passes.c.sessions_left + bindparam("delta")),
                changed,
            )

    async def extend(self, extensions: Iterable[PassExtension]) -> None:
        """Record each extension (the unique booking refuses a second one for the same
        refund) and set each pass's expiry to the latest of its extensions."""
        extensions = list(extensions)
        if not extensions:
            return
        await self.session.execute(
            insert(PassExtensionRow),
            [{"pass_id": e.pass_id, "booking_id": e.booking_id, "days": e.days, "at": e.at} for e in extensions],
        )
        until: dict[int, datetime] = {}
        for extension in extensions:
            until[extension.pass_id] = max(extension.expires_at, until.get(extension.pass_id, extension.expires_at))
        for pass_id, expires_at in sorted(until.items()):
            await self.session.execute(
                update(PassRow)
                .where(PassRow.id == pass_id)
                .values(expires_at=expires_at)
                .execution_options(synchronize_session=False)
            )

    async def ledger(self, pass_id: int) -> list[LedgerEntry]:
        rows = await self.session.scalars(
            select(LedgerEntryRow).where(LedgerEntryRow.pass_id == pass_id).order_by(LedgerEntryRow.id)
        )
        return [LedgerEntry(r.pass_id, LedgerKind(r.kind), r.delta, r.at, r.booking_id) for r in rows]

    async def _covered(self, template_id: int) -> frozenset[int]:
        ids = await self.session.scalars(
            select(PassTemplateScheduleRow.schedule_id).where(PassTemplateScheduleRow.pass_template_id == template_id)
        )
        return frozenset(ids)

    async def _many(self, rows: Sequence[PassRow | Row[Any]]) -> list[Pass]:
        """The passes with what their templates cover, in two queries whatever their
        number (an override that refunds 1,000 passes locks and reads them all); a read
        takes the coverage of every template from the memo (a member's /book, issue 15)."""
        templates = {row.template_id for row in rows}
        covered = self.memo.get(COVERAGE)
        if not isinstance(covered, dict) or not templates <= covered.keys():
            covered = await self._coverage(templates)
        return [_as_pass(row, covered[row.template_id]) for row in rows]

    async def _coverage(self, templates: set[int]) -> dict[int, frozenset[int]]:
        """What `templates` cover; every template's, kept in the memo, when this is a read."""
        memoized = not isinstance(self.memo, NoMemo)
        if not templates and not memoized:
            return {}
        query = select(PassTemplateScheduleRow.pass_template_id, PassTemplateScheduleRow.schedule_id)
        pairs = await self.session.execute(
            query if memoized else query.where(PassTemplateScheduleRow.pass_template_id.in_(templates))
        )
        covered: dict[int, set[int]] = {template: set() for template in templates}
        for template, schedule in pairs.all():
            covered.setdefault(template, set()).add(schedule)
        found = {template: frozenset(schedules) for template, schedules in covered.items()}
        if memoized:
            self.memo.put(COVERAGE, found)
        return found

    async def _pass(self, row: PassRow) -> Pass:
        return _as_pass(row, await self._covered(row.template_id))


_PASSES = cast(Table, PassRow.__table__)
_PASSES_OF_MEMBER = select(_PASSES).where(_PASSES.c.member_id == bindparam("member_id"))
_USABLE_PASSES_OF_MEMBER = _PASSES_OF_MEMBER.where(  # Pass.usable_now
    _PASSES.c.active.is_(True),
    or_(_PASSES.c.sessions_left.is_(None), _PASSES.c.sessions_left > 0),
    _PASSES.c.expires_at > bindparam("now"),
).order_by(_PASSES.c.id)


def _as_pass(row: PassRow | Row[Any], covered: frozenset[int]) -> Pass:
    return Pass(
        id=row.id,
        member_id=row.member_id,
        template_id=row.template_id,
        sessions_left=row.sessions_left,
        granted_at=row.granted_at,
        expires_at=row.expires_at,
        covered_schedule_ids=covered,
        active=row.active,
    )


class InvitesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, person_id: int, role: Role, token_hash: str, at: datetime, expires_at: datetime) -> None:
        self.session.add(
            InviteRow(person_id=person_id, role=role.value, token_hash=token_hash, created_at=at, expires_at=expires_at)
        )
        await self.session.flush()

    async def by_hash(self, token_hash: str) -> Invite | None:
        row = await self.session.scalar(select(InviteRow).where(InviteRow.token_hash == token_hash))
        if row is None:
            return None
        return Invite(row.id, row.person_id, Role(row.role), row.created_at, row.expires_at, row.used_at)

    async def use(self, invite_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            update(InviteRow)
            .where(InviteRow.id == invite_id, InviteRow.used_at.is_(None))
            .values(used_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def revoke(self, person_id: int, at: datetime, role: Role | None = None) -> int:
        """End the person's unused links (for `role`, or all) now; how many there were."""
        query = update(InviteRow).where(
            InviteRow.person_id == person_id, InviteRow.used_at.is_(None), InviteRow.expires_at > at
        )
        if role is not None:
            query = query.where(InviteRow.role == role.value)
        result = await self.session.execute(query.values(expires_at=at).execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, change_id: str, drafts: Iterable[NotificationDraft], at: datetime, *, once: bool = False
    ) -> None:
        rows = [
            {
                "change_id": change_id,
                "member_id": draft.member_id,
                "kind": draft.kind.value,
                "payload": draft.payload,
                "status": "pending",
                "attempts": 0,
                "created_at": at,
                "next_attempt_at": at,
            }
            for draft in drafts
        ]
        if rows:
            # One executemany instead of an ORM object per row: a cancel may queue 1,000.
            table = cast(Table, NotificationRow.__table__)
            statement = insert(table)
            if once:
                statement = _dialect_insert(self.session)(table).on_conflict_do_nothing(
                    index_elements=["change_id", "member_id"]
                )
            await self.session.execute(statement, rows)
            mark_queued(self.session.sync_session)  # wakes this process's dispatcher on commit


class PersonSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, person_ids: Iterable[int]) -> dict[int, Preferences]:
        ids = set(person_ids)
        found = {person_id: Preferences(person_id) for person_id in ids}
        if ids:
            rows = await self.session.scalars(select(PersonSettingsRow).where(PersonSettingsRow.person_id.in_(ids)))
            for row in rows:
                found[row.person_id] = Preferences(row.person_id, row.reminders, row.trainer_day, row.language)
        return found

    async def save(self, preferences: Preferences) -> None:
        values = {
            "reminders": preferences.reminders,
            "trainer_day": preferences.trainer_day,
            "language": preferences.language,
        }
        await self._upsert(preferences.person_id, values)

    async def languages_of(self, telegram_user_id: int) -> Languages | None:
        row = (
            await self.session.execute(
                select(PersonRow.id, PersonSettingsRow.language, PersonSettingsRow.telegram_language)
                .outerjoin(PersonSettingsRow, PersonSettingsRow.person_id == PersonRow.id)
                .where(PersonRow.telegram_user_id == telegram_user_id)
            )
        ).first()
        return None if row is None else Languages(row[0], row[1], row[2])

    async def linked_languages(self) -> dict[int, Languages]:
        rows = await self.session.execute(
            select(
                PersonRow.telegram_user_id,
                PersonRow.id,
                PersonSettingsRow.language,
                PersonSettingsRow.telegram_language,
            )
            .outerjoin(PersonSettingsRow, PersonSettingsRow.person_id == PersonRow.id)
            .where(PersonRow.telegram_user_id.is_not(None))
        )
        return {
            user: Languages(person, chosen, telegram) for user, person, chosen, telegram in rows if user is not None
        }

    async def note_telegram_languages(self, languages: Mapping[int, str]) -> None:
        for person_id, language in sorted(languages.items()):  # one order: two writers never deadlock
            await self._upsert(person_id, {"telegram_language": language})

    async def _upsert(self, person_id: int, values: Mapping[str, object]) -> None:
        # Only the columns given change: a switch does not undo a language noted meanwhile.
        statement = _dialect_insert(self.session)(PersonSettingsRow).values(person_id=person_id, **values)
        await self.session.execute(statement.on_conflict_do_update(index_elements=["person_id"], set_=values))


class TimedNoticesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def reminders_due(self, since: datetime, now: datetime, leads: Iterable[timedelta]) -> list[Held]:
        # The occurrences by their start's index, their active bookings by the
        # (occurrence, member) index of active bookings, and for each lead whose time
        # has come a probe of the marks' unique key: what was recorded is not read again.
        wanted = sorted(set(leads))
        if not wanted:
            return []
        due = [
            (OccurrenceRow.start <= now + lead)
            & _unrecorded(MarkKind.REMINDER, BookingRow.id, int(lead.total_seconds() // 60))
            for lead in wanted
        ]
        rows = await self.session.execute(
            select(BookingRow.id, BookingRow.member_id, BookingRow.created_at, OccurrenceRow)
            .join(OccurrenceRow, OccurrenceRow.id == BookingRow.occurrence_id)
            .where(
                OccurrenceRow.start >= since,
                OccurrenceRow.start <= now + wanted[-1],
                OccurrenceRow.cancelled_at.is_(None),
                BookingRow.status == BookingStatus.ACTIVE.value,
                or_(*due),
            )
            .order_by(BookingRow.id)
        )
        return [Held(booking_id, member_id, at, _record(row)) for booking_id, member_id, at, row in rows]

    async def passes_to_warn(self, now: datetime, expiring_before: datetime) -> list[PassState]:
        rows = await self.session.execute(
            select(PassRow, PassTemplateRow.name, PassTemplateRow.sessions, _COURSE_TEMPLATE)
            .join(PassTemplateRow, PassTemplateRow.id == PassRow.template_id)
            .where(
                PassRow.active.is_(True),
                PassRow.expires_at > now,
                or_(
                    (PassRow.sessions_left == 1) & _unrecorded(MarkKind.PASS_LAST_SESSION, PassRow.id, 0),
                    (PassRow.expires_at <= expiring_before) & _unrecorded(MarkKind.PASS_EXPIRING, PassRow.id, 0),
                ),
            )
            .order_by(PassRow.id)
        )
        return [
            PassState(_as_pass(row, frozenset()), name, sessions, bool(course)) for row, name, sessions, course in rows
        ]

    async def recorded(
        self, kind: MarkKind, subject_ids: Iterable[int], slot: int | None = None
    ) -> set[tuple[int, int]]:
        ids = sorted(set(subject_ids))
        found: set[tuple[int, int]] = set()
        for chunk in range(0, len(ids), 1000):  # bound the IN list
            query = select(TimedNoticeRow.subject_id, TimedNoticeRow.slot).where(
                TimedNoticeRow.kind == kind.value, TimedNoticeRow.subject_id.in_(ids[chunk : chunk + 1000])
            )
            if slot is not None:
                query = query.where(TimedNoticeRow.slot == slot)
            found.update((subject, one) for subject, one in await self.session.execute(query))
        return found

    async def record(self, marks: Iterable[Mark], at: datetime) -> set[tuple[str, int, int]]:
        # Sorted by key, so two transactions recording overlapping sets wait on each
        # other in one order and never in a circle.
        rows = [
            {
                "kind": mark.kind.value,
                "subject_id": mark.subject_id,
                "slot": mark.slot,
                "outcome": mark.outcome.value,
                "due_at": mark.due_at,
                "recorded_at": at,
            }
            for mark in sorted({mark.key: mark for mark in marks}.values(), key=lambda mark: mark.key)
        ]
        if not rows:
            return set()
        table = TimedNoticeRow.__table__
        result = await self.session.execute(
            _dialect_insert(self.session)(table)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["kind", "subject_id", "slot"])
            .returning(table.c.kind, table.c.subject_id, table.c.slot)
        )
        return {(kind, subject, slot) for kind, subject, slot in result}

    async def lock_scan(self) -> None:
        # PostgreSQL: an advisory lock, the scan's exclusive, a withdrawal's shared. A
        # scan holds no other lock when it takes it and a withdrawal comes after the
        # aggregate's locks, so neither waits on the other in a circle. SQLite: every
        # transaction holds the write lock (BEGIN IMMEDIATE); they run one at a time.
        await self._fence("pg_advisory_xact_lock")

    async def _fence(self, function: str) -> None:
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(sql_text(f"SELECT {function}(:key)"), {"key": _SCAN_FENCE})

    async def withdraw(
        self, kind: MarkKind, subject_ids: Iterable[int], slot: int | None = None
    ) -> set[tuple[int, int]]:
        await self._fence("pg_advisory_xact_lock_shared")  # a scan in progress first
        # Only a mark recorded as queued has a message; found by its change id (the
        # notifications' unique key leads with it), deleted only while pending.
        queued = {
            notice_change_id(kind, subject, one, due_at): (subject, one)
            for subject, one, due_at in await self._queued(kind, subject_ids, slot)
        }
        withdrawn: set[tuple[int, int]] = set()
        change_ids = sorted(queued)
        for chunk in range(0, len(change_ids), 1000):  # bound the IN list
            result = await self.session.execute(
                delete(NotificationRow)
                .where(
                    NotificationRow.change_id.in_(change_ids[chunk : chunk + 1000]),
                    NotificationRow.status == DeliveryStatus.PENDING.value,
                )
                .returning(NotificationRow.change_id)
                .execution_options(synchronize_session=False)
            )
            withdrawn.update(queued[change_id] for change_id in result.scalars())
        await self.release(kind, withdrawn)
        return withdrawn

    async def _queued(
        self, kind: MarkKind, subject_ids: Iterable[int], slot: int | None
    ) -> list[tuple[int, int, datetime]]:
        """(subject, slot, due) of the marks of these subjects that queued a message."""
        ids = sorted(set(subject_ids))
        found: list[tuple[int, int, datetime]] = []
        for chunk in range(0, len(ids), 1000):  # bound the IN list
            query = select(TimedNoticeRow.subject_id, TimedNoticeRow.slot, TimedNoticeRow.due_at).where(
                TimedNoticeRow.kind == kind.value,
                TimedNoticeRow.subject_id.in_(ids[chunk : chunk + 1000]),
                TimedNoticeRow.outcome == Outcome.QUEUED.value,
            )
            if slot is not None:
                query = query.where(TimedNoticeRow.slot == slot)
            found.extend((subject, one, due_at) for subject, one, due_at in await self.session.execute(query))
        return found

    async def release(self, kind: MarkKind, keys: Iterable[tuple[int, int]]) -> None:
        wanted = sorted(set(keys))
        for chunk in range(0, len(wanted), 1000):
            await self.session.execute(
                delete(TimedNoticeRow)
                .where(
                    TimedNoticeRow.kind == kind.value,
                    sql_tuple(TimedNoticeRow.subject_id, TimedNoticeRow.slot).in_(wanted[chunk : chunk + 1000]),
                )
                .execution_options(synchronize_session=False)
            )

    async def scanned_until(self, name: str) -> datetime | None:
        row = await self.session.get(NoticeScanRow, name, populate_existing=True)
        return None if row is None else row.scanned_until

    async def mark_scanned(self, name: str, at: datetime) -> None:
        statement = _dialect_insert(self.session)(NoticeScanRow).values(name=name, scanned_until=at)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["name"],
                set_={"scanned_until": at},
                where=NoticeScanRow.scanned_until < statement.excluded.scanned_until,
            )
        )


_SCAN_FENCE = 0x7472_6D64  # "trmd": the scan for due notices against their withdrawal

_COURSE_TEMPLATE = (
    exists().where(ScheduleRow.pass_template_id == PassRow.template_id, ScheduleRow.closed.is_(True)).label("course")
)


def _unrecorded(kind: MarkKind, subject: InstrumentedAttribute[int], slot: int) -> ColumnElement[bool]:
    """No mark of this kind and slot for the subject: a probe of the unique key."""
    return ~exists().where(
        TimedNoticeRow.kind == kind.value, TimedNoticeRow.subject_id == subject, TimedNoticeRow.slot == slot
    )


def _dialect_insert(session: AsyncSession) -> Callable[..., Any]:
    """INSERT with the dialect's ON CONFLICT clause (both spell it the same)."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
