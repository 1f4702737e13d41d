"""The domain commands. Each opens one unit of work — one transaction — so a change,
its bookings cancelled, ledger entries and queued notifications commit together or
not at all (SPEC §5). Permissions are checked here from the acting person, whatever
the caller offers (SPEC §2.4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

from domain.booking import Booking, BookingStatus, CancelledBy
from domain.cancellation import CancelReview, plan_cancel
from domain.clock import Clock
from domain.errors import (
    AlreadyBooked,
    AlreadyWaiting,
    BookingDeadlinePassed,
    BookingNotActive,
    ClosedScheduleBooking,
    ConfirmationNeeded,
    NoUsablePass,
    NotAllowed,
    NotFound,
    NotOnWaitlist,
    OccurrenceCancelled,
    OccurrenceNotFound,
    OccurrenceStarted,
    SessionFull,
    SpotAvailable,
    StaleReview,
)
from domain.listing import DateRange, led_by, merge_occurrences
from domain.member_view import (
    BOOKING_WINDOW,
    BookedSession,
    MemberOverview,
    Offer,
    PassView,
    WaitingPlace,
    current_passes,
    open_to_members,
)
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import Occurrence, OccurrenceKey, OccurrenceRecord
from domain.override import (
    OverrideContext,
    OverrideRequest,
    OverrideReview,
    occurrence_payload,
    plan_override,
    refund_payload,
)
from domain.passes import Pass, grant_entry, pick_pass, refund_entries, use_entry
from domain.permissions import require_admin, require_change, require_view_sessions
from domain.ports import UnitOfWork
from domain.recurrence import is_original_start
from domain.roles import Person, Role
from domain.schedule import Space
from domain.waitlist import (
    WaitlistEntry,
    deadline_passed,
    plan_promotions,
    promote,
    promoted_notice,
    with_promotions,
    with_waitlist_cleared,
)


@dataclass(frozen=True)
class Directory:
    spaces: Mapping[int, Space]
    trainers: Mapping[int, Person]

    def space_name(self, space_id: int) -> str:
        space = self.spaces.get(space_id)
        return space.name if space else f"space {space_id}"

    def trainer_name(self, trainer_id: int) -> str:
        trainer = self.trainers.get(trainer_id)
        return trainer.name if trainer else f"trainer {trainer_id}"

    def active_spaces(self) -> list[Space]:
        return [space for space in self.spaces.values() if space.active]

    def active_trainers(self) -> list[Person]:
        return [person for person in self.trainers.values() if person.is_trainer]


class Studio:
    """The studio's commands, each in its own unit of work."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock, zone: ZoneInfo) -> None:
        self._uow = unit_of_work
        self.clock = clock
        self.zone = zone

    # -- who is acting -------------------------------------------------------

    async def person_by_telegram(self, telegram_user_id: int) -> Person | None:
        async with self._uow() as uow:
            return await uow.people.by_telegram_user(telegram_user_id)

    async def ensure_owner(self, telegram_user_id: int, name: str) -> Person:
        """The first owners come from the settings: give them a person with the owner
        role the first time they write, so the domain can check them like anyone."""
        async with self._uow() as uow:
            person = await uow.people.by_telegram_user(telegram_user_id)
            if person is None:
                person = await uow.people.add(name, [Role.OWNER], telegram_user_id=telegram_user_id)
            elif Role.OWNER not in person.roles:
                person = await uow.people.grant(person.id, Role.OWNER)
            await uow.commit()
            return person

    async def directory(self, actor_id: int) -> Directory:
        """Spaces and trainers by id, for showing names and offering choices."""
        async with self._uow() as uow:
            require_view_sessions(await uow.people.get(actor_id))
            return Directory(
                spaces={space.id: space for space in await uow.spaces.all()},
                trainers={person.id: person for person in await uow.people.holding(Role.TRAINER)},
            )

    # -- viewing (SPEC §2.1) --------------------------------------------------

    async def list_sessions(self, actor_id: int, days: DateRange, *, mine: bool = False) -> list[Occurrence]:
        async with self._uow() as uow:
            actor = require_view_sessions(await uow.people.get(actor_id))
            start, end = days.instants(self.zone)
            occurrences = await self._between(uow, start, end)
            return led_by(occurrences, actor.id) if mine else occurrences

    async def occurrence(self, actor_id: int, key: OccurrenceKey) -> Occurrence:
        async with self._uow() as uow:
            require_view_sessions(await uow.people.get(actor_id))
            occurrence, _ = await self._load(uow, key)
            return occurrence

    async def waiting_on(self, actor_id: int, key: OccurrenceKey) -> int:
        """How many members wait in line for the session (for its card)."""
        async with self._uow() as uow:
            require_view_sessions(await uow.people.get(actor_id))
            record = await uow.occurrences.get(key)
            return len(await uow.waitlist.on(record.id)) if record is not None and record.id is not None else 0

    async def bookings_on(self, actor_id: int, key: OccurrenceKey) -> tuple[Occurrence, list[tuple[Booking, Person]]]:
        """Staff who may change the session see who is booked on it."""
        async with self._uow() as uow:
            actor = require_view_sessions(await uow.people.get(actor_id))
            occurrence, bookings = await self._load(uow, key)
            require_change(actor, occurrence)
            members = {p.id: p for p in await uow.people.holding(Role.MEMBER)}
            return occurrence, [(b, members[b.member_id]) for b in bookings if b.member_id in members]

    async def booking_on(self, actor_id: int, booking_id: int) -> tuple[Occurrence, Booking, Person]:
        """One booking, for staff who may change its session."""
        async with self._uow() as uow:
            actor = require_view_sessions(await uow.people.get(actor_id))
            booking = await uow.bookings.get(booking_id)
            record = await uow.occurrences.get_by_id(booking.occurrence_id) if booking else None
            if booking is None or record is None:
                raise NotFound("That booking does not exist.")
            occurrence, _ = await self._load(uow, record.key)
            require_change(actor, occurrence)
            member = await uow.people.get(booking.member_id)
            assert member is not None
            return occurrence, booking, member

    # -- overriding (SPEC §2.2) -----------------------------------------------

    async def review_override(self, actor_id: int, key: OccurrenceKey, request: OverrideRequest) -> OverrideReview:
        """The same computation as saving, changing nothing."""
        async with self._uow() as uow:
            return await self._plan_override(uow, actor_id, key, request, for_update=False)

    async def override(
        self,
        actor_id: int,
        key: OccurrenceKey,
        request: OverrideRequest,
        *,
        expected_version: int | None = None,
        confirmed: bool = False,
    ) -> OverrideReview:
        """Save the change; returns what was saved (the review, with `after` as stored)."""
        async with self._uow() as uow:
            review = await self._plan_override(uow, actor_id, key, request, for_update=True)
            if expected_version is not None and review.version != expected_version:
                raise StaleReview(review)
            if review.warnings and not confirmed:
                raise ConfirmationNeeded(review)
            now = self.clock.now()
            saved = await uow.occurrences.save(review.after.record)
            await _cancel_and_refund_all(uow, review.cancelled_bookings, now, CancelledBy.OVERRIDE)
            if review.promoted:
                assert saved.id is not None
                await promote(uow, saved.id, review.promoted, now)
            await uow.outbox.add(_change_id(), review.notifications, now)
            await uow.commit()
            booked = review.after.booked - len(review.cancelled_bookings) + len(review.promoted)
            return replace(review, after=Occurrence.of(review.after.schedule, saved, booked))

    async def _plan_override(
        self, uow: UnitOfWork, actor_id: int, key: OccurrenceKey, request: OverrideRequest, *, for_update: bool
    ) -> OverrideReview:
        actor = require_view_sessions(await uow.people.get(actor_id))  # before anything is read or locked
        occurrence, bookings = await self._load(uow, key, for_update=for_update)
        require_change(actor, occurrence)
        start = request.start or occurrence.start
        context = OverrideContext(
            occurrence=occurrence,
            bookings=tuple(bookings),
            spaces={space.id: space for space in await uow.spaces.all()},
            trainers={person.id: person for person in await uow.people.holding(Role.TRAINER)},
            nearby=tuple(await self._overlapping(uow, start, start + occurrence.schedule.duration)),
            now=self.clock.now(),
        )
        review = plan_override(context, request)
        # Spots the change frees (bookings cancelled, capacity raised) go to the line,
        # on the session as it is after the change; computed here for review and save alike.
        kept = len(bookings) - len(review.cancelled_bookings)
        promoted = await plan_promotions(uow, review.after, kept, context.now, for_update=for_update)
        return with_promotions(review, promoted)

    # -- cancelling (SPEC §2.3) -----------------------------------------------

    async def review_cancel(self, actor_id: int, key: OccurrenceKey, reason: str | None = None) -> CancelReview:
        async with self._uow() as uow:
            return await self._plan_cancel(uow, actor_id, key, reason, for_update=False)

    async def cancel(
        self, actor_id: int, key: OccurrenceKey, reason: str | None = None, *, expected_version: int | None = None
    ) -> CancelReview:
        """Cancel the occurrence; a second cancel returns `already_cancelled` and changes nothing."""
        async with self._uow() as uow:
            review = await self._plan_cancel(uow, actor_id, key, reason, for_update=True)
            if review.already_cancelled:
                return review
            if expected_version is not None and review.version != expected_version:
                raise StaleReview(review)
            now = self.clock.now()
            record = replace(review.occurrence.record, cancelled_at=now, cancel_reason=review.reason)
            saved = await uow.occurrences.save(record)
            await _cancel_and_refund_all(uow, review.cancelled_bookings, now, CancelledBy.OCCURRENCE_CANCELLED)
            if saved.id is not None:
                await uow.waitlist.clear(saved.id)
            await uow.outbox.add(_change_id(), review.notifications, now)
            await uow.commit()
            return replace(review, occurrence=Occurrence.of(review.occurrence.schedule, saved, 0))

    async def _plan_cancel(
        self, uow: UnitOfWork, actor_id: int, key: OccurrenceKey, reason: str | None, *, for_update: bool
    ) -> CancelReview:
        actor = require_view_sessions(await uow.people.get(actor_id))  # before anything is read or locked
        occurrence, bookings = await self._load(uow, key, for_update=for_update)
        require_change(actor, occurrence)
        review = plan_cancel(occurrence, tuple(bookings), reason, self.clock.now())
        record_id = occurrence.record.id
        waitlisted = tuple(await uow.waitlist.on(record_id)) if record_id is not None else ()
        return with_waitlist_cleared(review, waitlisted)

    # -- bookings and passes (SPEC §1, §3) ------------------------------------

    async def book(self, actor_id: int, key: OccurrenceKey, member_id: int, pass_id: int | None = None) -> Booking:
        """Book a member with a usable pass (one session deducted). Members book
        themselves on open schedules before the deadline; staff book anyone."""
        async with self._uow() as uow:
            actor = await uow.people.get(actor_id)
            occurrence, bookings = await self._load(uow, key, for_update=True)
            member = await uow.people.get(member_id)
            now = self.clock.now()
            self._check_bookable(actor, member, occurrence, now)
            if any(b.member_id == member_id for b in bookings):
                raise AlreadyBooked()
            if len(bookings) >= occurrence.capacity:
                raise SessionFull()
            pass_ = await self._pass_for(uow, member_id, pass_id, occurrence, now)
            record = await uow.occurrences.save(occurrence.record)  # a booking needs a stored row
            assert record.id is not None
            booking = await uow.bookings.add(record.id, member_id, pass_.id, now)
            await uow.passes.record(use_entry(pass_, booking.id, now))
            await uow.waitlist.remove_member(record.id, member_id)  # booked: no longer waiting
            await uow.commit()
            return booking

    def _check_bookable(self, actor: Person | None, member: Person | None, occurrence: Occurrence, now: datetime) -> None:
        if member is None or not member.holds(Role.MEMBER):
            raise NotFound("That member is unknown.")
        by_self = actor is not None and actor.id == member.id
        if actor is None or not (by_self or _is_staff_for(actor, occurrence)):
            raise NotAllowed("You may book only yourself.")
        if occurrence.cancelled:
            raise OccurrenceCancelled("This session is cancelled.")
        if occurrence.start <= now:
            raise OccurrenceStarted("This session has already started.")
        if by_self and not _is_staff_for(actor, occurrence):
            if occurrence.schedule.closed:
                raise ClosedScheduleBooking()
            if now > occurrence.start - occurrence.schedule.deadline():
                raise BookingDeadlinePassed()

    async def _pass_for(
        self, uow: UnitOfWork, member_id: int, pass_id: int | None, occurrence: Occurrence, now: datetime
    ) -> Pass:
        passes = await uow.passes.of_member(member_id)
        if pass_id is not None:
            passes = [p for p in passes if p.id == pass_id]
        chosen = pick_pass(passes, occurrence.schedule, occurrence.start, now)
        if chosen is None:
            raise NoUsablePass()
        locked = await uow.passes.get(chosen.id, for_update=True)
        if locked is None or not locked.usable_for(occurrence.schedule, occurrence.start, now):
            raise NoUsablePass()
        return locked

    async def cancel_booking(self, actor_id: int, booking_id: int) -> Booking:
        """Staff cancel any booking at any time; a member their own before the deadline.
        The pass gets its session back; a member cancelled by staff is told."""
        async with self._uow() as uow:
            actor = await uow.people.get(actor_id)
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is None:
                raise NotFound("That booking does not exist.")
            if not booking.active:
                raise BookingNotActive()
            occurrence = await self._occurrence_of(uow, booking)
            now = self.clock.now()
            by = self._canceller(actor, booking, occurrence, now)
            record = await uow.occurrences.save(occurrence.record)  # the occurrence changed: raise its version
            await _cancel_and_refund(uow, booking, now, by)
            notices = [_staff_cancelled_notice(booking, occurrence)] if by is CancelledBy.STAFF else []
            # The freed spot goes to the first in line, in this same transaction.
            promoted = await plan_promotions(uow, occurrence, occurrence.booked - 1, now, for_update=True)
            if promoted:
                assert record.id is not None
                await promote(uow, record.id, promoted, now)
                notices += [promoted_notice(promotion, occurrence) for promotion in promoted]
            if notices:
                await uow.outbox.add(_change_id(), notices, now)
            await uow.commit()
            return replace(booking, status=BookingStatus.CANCELLED)

    def _canceller(self, actor: Person | None, booking: Booking, occurrence: Occurrence, now: datetime) -> CancelledBy:
        if actor is not None and _is_staff_for(actor, occurrence):
            return CancelledBy.STAFF
        if actor is None or actor.id != booking.member_id:
            raise NotAllowed("You may cancel only your own bookings.")
        if now > occurrence.start - occurrence.schedule.deadline():
            raise BookingDeadlinePassed("The deadline to cancel this booking has passed; ask the staff.")
        return CancelledBy.MEMBER

    async def _occurrence_of(self, uow: UnitOfWork, booking: Booking) -> Occurrence:
        record = await uow.occurrences.get_by_id(booking.occurrence_id)
        if record is None:
            raise OccurrenceNotFound()
        occurrence, _ = await self._load(uow, record.key, for_update=True)
        return occurrence

    async def grant_pass(self, actor_id: int, member_id: int, template_id: int) -> Pass:
        """Grant a pass. A pass linked to a closed schedule enrols the member: they get
        a booking on each of its sessions within the pass's validity, each using one
        session of the pass (so the ledger stays true), as long as sessions and spots last."""
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            member = await uow.people.get(member_id)
            if member is None or not member.holds(Role.MEMBER):
                raise NotFound("That member is unknown.")
            template = await uow.passes.template(template_id)
            if template is None or not template.active:
                raise NotFound("That pass template is unknown.")
            now = self.clock.now()
            pass_ = await uow.passes.add(member_id, template, now)
            await uow.passes.record(grant_entry(pass_.id, template.sessions, now))
            await self._enrol(uow, member_id, pass_.id, now)
            await uow.commit()
            return pass_

    async def _enrol(self, uow: UnitOfWork, member_id: int, pass_id: int, now: datetime) -> int:
        granted = await uow.passes.get(pass_id)
        assert granted is not None
        closed = [s for s in await uow.schedules.all() if s.closed and s.pass_template_id == granted.template_id]
        enrolled = 0
        for occurrence in await self._between(uow, now, granted.expires_at):
            if occurrence.schedule not in closed or occurrence.cancelled or occurrence.start <= now:
                continue
            current = await uow.passes.get(pass_id, for_update=True)
            if current is None or not current.usable_for(occurrence.schedule, occurrence.start, now):
                break  # no sessions left
            loaded, bookings = await self._load(uow, occurrence.key, for_update=True)
            if len(bookings) >= loaded.capacity or any(b.member_id == member_id for b in bookings):
                continue
            record = await uow.occurrences.save(loaded.record)
            assert record.id is not None
            booking = await uow.bookings.add(record.id, member_id, pass_id, now)
            await uow.passes.record(use_entry(current, booking.id, now))
            enrolled += 1
        return enrolled

    # -- the waitlist and what members see (SPEC §3; domain/waitlist.py) -------

    async def join_waitlist(self, actor_id: int, key: OccurrenceKey, member_id: int) -> WaitingPlace:
        """Put a member in line for a full session of an open schedule, before the
        deadline, if they hold a pass that could pay for it. Nothing is deducted."""
        async with self._uow() as uow:
            actor = await uow.people.get(actor_id)
            occurrence, bookings = await self._load(uow, key, for_update=True)
            member = await uow.people.get(member_id)
            now = self.clock.now()
            self._check_bookable(actor, member, occurrence, now)
            if occurrence.schedule.closed:
                raise ClosedScheduleBooking()
            if deadline_passed(occurrence, now):
                raise BookingDeadlinePassed("The booking deadline for this session has passed: its waitlist is closed.")
            if any(b.member_id == member_id for b in bookings):
                raise AlreadyBooked("You are already booked on this session.")
            if len(bookings) < occurrence.capacity:
                raise SpotAvailable()
            if pick_pass(await uow.passes.of_member(member_id), occurrence.schedule, occurrence.start, now) is None:
                raise NoUsablePass()
            record = await uow.occurrences.save(occurrence.record)  # the line is part of the occurrence
            assert record.id is not None
            line = await uow.waitlist.on(record.id)
            if any(entry.member_id == member_id for entry in line):
                raise AlreadyWaiting()
            entry = await uow.waitlist.add(record.id, member_id, now)
            await uow.commit()
            return WaitingPlace(entry, Occurrence.of(occurrence.schedule, record, len(bookings)), len(line) + 1)

    async def leave_waitlist(self, actor_id: int, entry_id: int) -> WaitlistEntry:
        """A member leaves a line they are in (at any time: it costs nothing)."""
        async with self._uow() as uow:
            actor = await uow.people.get(actor_id)
            entry = await uow.waitlist.get(entry_id, for_update=True)
            if entry is None:
                raise NotOnWaitlist()
            record = await uow.occurrences.get_by_id(entry.occurrence_id)
            if record is None:
                raise NotOnWaitlist()
            occurrence, _ = await self._load(uow, record.key, for_update=True)
            if actor is None or not (actor.id == entry.member_id or _is_staff_for(actor, occurrence)):
                raise NotAllowed("You may leave only your own place on a waitlist.")
            await uow.occurrences.save(occurrence.record)
            if not await uow.waitlist.remove(entry.id):
                raise NotOnWaitlist()
            await uow.commit()
            return entry

    async def member_overview(self, actor_id: int) -> MemberOverview:
        """The member's upcoming bookings, places in line, and current passes."""
        async with self._uow() as uow:
            member = await self._member(uow, actor_id)
            now = self.clock.now()
            booked = []
            for booking in await uow.bookings.active_of_member(member.id):
                occurrence = await self._occurrence_by_id(uow, booking.occurrence_id)
                if occurrence is not None and occurrence.start > now and not occurrence.cancelled:
                    cancellable = not deadline_passed(occurrence, now)
                    booked.append(BookedSession(booking, occurrence, cancellable))
            waiting = []
            for entry in await uow.waitlist.of_member(member.id):
                occurrence = await self._occurrence_by_id(uow, entry.occurrence_id)
                if occurrence is not None and occurrence.start > now and not occurrence.cancelled:
                    line = [e.id for e in await uow.waitlist.on(entry.occurrence_id)]
                    waiting.append(WaitingPlace(entry, occurrence, line.index(entry.id) + 1))
            passes = []
            for pass_ in current_passes(await uow.passes.of_member(member.id), now):
                template = await uow.passes.template(pass_.template_id)
                passes.append(PassView(pass_, template.name if template else "Pass"))
            return MemberOverview(
                tuple(sorted(booked, key=lambda b: b.occurrence.start)),
                tuple(sorted(waiting, key=lambda w: w.occurrence.start)),
                tuple(passes),
            )

    async def bookable(self, actor_id: int, within: timedelta = BOOKING_WINDOW) -> list[Offer]:
        """Sessions of open schedules in the coming days that the member may book now
        with a usable pass and has not booked; a full one is offered for its waitlist."""
        async with self._uow() as uow:
            member = await self._member(uow, actor_id)
            now = self.clock.now()
            passes = await uow.passes.of_member(member.id)
            mine = {booking.occurrence_id for booking in await uow.bookings.active_of_member(member.id)}
            waiting = {entry.occurrence_id: entry.id for entry in await uow.waitlist.of_member(member.id)}
            offers = []
            for occurrence in await self._between(uow, now, now + within):
                record_id = occurrence.record.id
                if not open_to_members(occurrence, now) or (record_id is not None and record_id in mine):
                    continue
                pass_ = pick_pass(passes, occurrence.schedule, occurrence.start, now)
                if pass_ is None:
                    continue
                position = None
                if record_id is not None and record_id in waiting:
                    line = [e.id for e in await uow.waitlist.on(record_id)]
                    position = line.index(waiting[record_id]) + 1
                offers.append(Offer(occurrence, pass_, position))
            return offers

    async def _member(self, uow: UnitOfWork, actor_id: int) -> Person:
        person = await uow.people.get(actor_id)
        if person is None or not person.holds(Role.MEMBER):
            raise NotAllowed("Only members of this studio can book sessions. Ask the studio for an invite link.")
        return person

    async def _occurrence_by_id(self, uow: UnitOfWork, record_id: int) -> Occurrence | None:
        record = await uow.occurrences.get_by_id(record_id)
        if record is None:
            return None
        schedule = await uow.schedules.get(record.schedule_id)
        if schedule is None:
            return None
        booked = await uow.occurrences.booked_counts([record_id])
        return Occurrence.of(schedule, record, booked.get(record_id, 0))

    # -- loading --------------------------------------------------------------

    async def _load(
        self, uow: UnitOfWork, key: OccurrenceKey, *, for_update: bool = False
    ) -> tuple[Occurrence, list[Booking]]:
        """The occurrence with its active bookings; a key that is no occurrence of its
        schedule is refused, so a forged button cannot conjure one up."""
        schedule = await uow.schedules.get(key.schedule_id)
        if schedule is None:
            raise OccurrenceNotFound()
        record = await uow.occurrences.get(key, for_update=for_update)
        if record is None:
            if not is_original_start(schedule, self.zone, key.original_start):
                raise OccurrenceNotFound()
            return Occurrence.of(schedule, OccurrenceRecord.blank(key)), []
        bookings = await uow.bookings.active_on(record.id) if record.id is not None else []
        return Occurrence.of(schedule, record, len(bookings)), bookings

    async def _between(self, uow: UnitOfWork, start: datetime, end: datetime) -> list[Occurrence]:
        records = await uow.occurrences.touching(start, end)
        booked = await uow.occurrences.booked_counts([r.id for r in records if r.id is not None])
        return merge_occurrences(await uow.schedules.all(), self.zone, start, end, records, booked)

    async def _overlapping(self, uow: UnitOfWork, start: datetime, end: datetime) -> list[Occurrence]:
        schedules = await uow.schedules.all()
        longest = max((s.duration for s in schedules), default=timedelta(0))
        return [o for o in await self._between(uow, start - longest, end) if o.overlaps(start, end)]


def _is_staff_for(actor: Person, occurrence: Occurrence) -> bool:
    return actor.is_admin or (actor.is_trainer and occurrence.trainer_id == actor.id)


async def _cancel_and_refund_all(uow: UnitOfWork, bookings: tuple[Booking, ...], at: datetime, by: CancelledBy) -> None:
    """Cancel the bookings and refund their passes with a few statements, whatever
    their number. Passes are locked in one global order (by id), so two changes
    refunding the same members on PostgreSQL queue up instead of deadlocking."""
    if not bookings:
        return
    await uow.bookings.cancel_many([booking.id for booking in bookings], at, by)
    balances = await uow.passes.lock_balances(sorted({booking.pass_id for booking in bookings}))
    if len(balances) != len({booking.pass_id for booking in bookings}):
        raise NotFound("The pass of a booking is missing.")
    refunds = [(booking.id, booking.pass_id) for booking in bookings]
    await uow.passes.record_many(refund_entries(refunds, balances, at))


async def _cancel_and_refund(uow: UnitOfWork, booking: Booking, at: datetime, by: CancelledBy) -> None:
    await _cancel_and_refund_all(uow, (booking,), at, by)


def _staff_cancelled_notice(booking: Booking, occurrence: Occurrence) -> NotificationDraft:
    payload = {
        **occurrence_payload(occurrence),
        "changes": [],
        "refund": refund_payload(booking),
        "rebook": not occurrence.schedule.closed,
    }
    return NotificationDraft(booking.member_id, NotificationKind.BOOKING_CANCELLED, payload)


def _change_id() -> str:
    return str(uuid.uuid4())
