"""Staff booking a member onto a session from its card (issue 14): the session's
trainer or an admin books any member — a guest not linked yet too — paid with one
session of the member's valid pass, exactly as a member's own booking is, and the
member is told; all in one transaction on the locked aggregate. A private session's
member is booked this way only (members never see it in /book).

Staff do not book without a pass: the ledger stays the truth of what was paid. A
member without one is refused with why, and an admin grants one (/pass_grant)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from domain.aggregate import LOCK, READ
from domain.booking import Booking
from domain.bookings.book import book_locked
from domain.bookings.rules import check_bookable
from domain.errors import AlreadyBooked, NotAllowed, NotFound, NoUsablePass, SessionFull
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import Occurrence, OccurrenceKey
from domain.passes import Pass, pick_pass
from domain.payloads import occurrence_payload
from domain.permissions import may_change
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.setup.names import person_labels
from domain.studio import Studio
from domain.wording import N_, Wording, said

NOT_YOURS = N_("Only an admin or the trainer who leads this session can book a member onto it.")


@dataclass(frozen=True)
class Candidate:
    """A member staff may book onto the session now, and the pass it would use."""

    member: Person
    label: str  # `Anna Berg #14` where someone else has the name
    pass_: Pass
    pass_name: str  # its template's


@dataclass(frozen=True)
class Candidates:
    occurrence: Occurrence
    bookable: tuple[Candidate, ...]  # by label
    without_pass: int  # members not booked on it who hold no pass that covers it


@dataclass(frozen=True)
class StaffBooked:
    booking: Booking
    occurrence: Occurrence
    member: Person
    sessions_left: int | None  # on the pass afterwards (None: unlimited)


async def booking_candidates(studio: Studio, actor_id: int, key: OccurrenceKey) -> Candidates:
    """The members staff could book onto the session: active, not booked on it, with
    a valid pass that covers it (the one a booking would use)."""

    async def query(uow: UnitOfWork) -> Candidates:
        actor = await uow.people.get(actor_id)
        session = await READ.session(uow, studio.zone, key)
        _require_staff_of(actor, session.occurrence)
        booked = {b.member_id for b in session.bookings}
        members = [p for p in await uow.people.holding(Role.MEMBER) if p.active and p.id not in booked]
        passes: dict[int, list[Pass]] = {}
        for pass_ in await READ.passes(uow, members=[m.id for m in members]):
            passes.setdefault(pass_.member_id, []).append(pass_)
        labels = person_labels(await uow.people.everyone())
        names = {t.id: t.name for t in await uow.passes.templates()}
        occurrence, now = session.occurrence, studio.now()
        bookable = []
        for member in members:
            chosen = pick_pass(passes.get(member.id, []), occurrence.schedule, occurrence.start, now)
            if chosen is not None:
                bookable.append(Candidate(member, labels[member.id], chosen, names.get(chosen.template_id, "Pass")))
        bookable.sort(key=lambda c: (c.label.casefold(), c.member.id))
        return Candidates(occurrence, tuple(bookable), len(members) - len(bookable))

    return await studio.read(query)


class BookingReview(NamedTuple):
    occurrence: Occurrence
    candidate: Candidate


async def review_staff_booking(studio: Studio, actor_id: int, key: OccurrenceKey, member_id: int) -> BookingReview:
    """What booking the member would do, checked as the booking checks it (it checks
    again when it runs): the member and the pass that would pay."""

    async def query(uow: UnitOfWork) -> BookingReview:
        actor, member = await _actor_and_member(uow, actor_id, member_id)
        session = await READ.session(uow, studio.zone, key)
        occurrence, now = session.occurrence, studio.now()
        _require_staff_of(actor, occurrence)
        check_bookable(actor, member, occurrence, now)
        if session.booking_of(member_id) is not None:
            raise AlreadyBooked(N_("{name} is booked on this session already."), name=member.name)
        if len(session.bookings) >= occurrence.capacity:
            raise SessionFull(_full(occurrence))
        passes = await READ.passes(uow, members=[member_id])
        chosen = pick_pass(passes, occurrence.schedule, occurrence.start, now)
        if chosen is None:
            raise NoUsablePass(_no_pass(member, occurrence))
        template = await uow.passes.template(chosen.template_id)
        label = person_labels(await uow.people.everyone()).get(member.id, member.name)
        return BookingReview(occurrence, Candidate(member, label, chosen, template.name if template else "Pass"))

    return await studio.read(query)


async def _actor_and_member(uow: UnitOfWork, actor_id: int, member_id: int) -> tuple[Person, Person]:
    actor = await uow.people.get(actor_id)
    if actor is None or not actor.is_staff:
        raise NotAllowed(NOT_YOURS)  # before anything is locked
    member = await uow.people.get(member_id)
    if member is None or not member.holds(Role.MEMBER):
        raise NotFound(N_("That member is unknown or no longer active."))
    return actor, member


async def staff_book(studio: Studio, actor_id: int, key: OccurrenceKey, member_id: int) -> StaffBooked:
    async def command(uow: UnitOfWork) -> StaffBooked:
        actor, member = await _actor_and_member(uow, actor_id, member_id)
        session = await LOCK.session(uow, studio.zone, key)  # the root first
        occurrence = session.occurrence
        _require_staff_of(actor, occurrence)
        try:
            booking = await book_locked(uow, studio, actor, member_id, member, session)
        except AlreadyBooked:
            raise AlreadyBooked(N_("{name} is booked on this session already."), name=member.name) from None
        except SessionFull:
            raise SessionFull(_full(occurrence)) from None
        except NoUsablePass:
            raise NoUsablePass(_no_pass(member, occurrence)) from None
        left = booking.pass_sessions_left
        after = None if left is None else left - 1
        if actor.id != member.id:  # nobody is told of their own booking
            notice = booked_by_staff_notice(booking, occurrence, actor, after)
            await uow.outbox.add(str(uuid.uuid4()), [notice], studio.now())
        return StaffBooked(booking, occurrence, member, after)

    return await studio.change(command)


def booked_by_staff_notice(
    booking: Booking, occurrence: Occurrence, actor: Person, sessions_left: int | None
) -> NotificationDraft:
    payload: dict[str, Any] = {
        **occurrence_payload(occurrence),
        "changes": [],
        "by": actor.name,
        "pass": {"pass_id": booking.pass_id, "sessions_left": sessions_left},
    }
    return NotificationDraft(booking.member_id, NotificationKind.BOOKED_BY_STAFF, payload)


def _require_staff_of(actor: Person | None, occurrence: Occurrence) -> Person:
    if actor is None or not may_change(actor, occurrence):
        raise NotAllowed(NOT_YOURS)
    return actor


def _full(occurrence: Occurrence) -> Wording:
    if occurrence.schedule.private:
        return said(N_("This private session is booked already: cancel that booking first (👥 Bookings)."))
    return said(
        N_(
            "This session is full ({booked}/{capacity}): nobody was booked. "
            "Raise its capacity with ✎ Change, or cancel a booking first."
        ),
        booked=occurrence.booked,
        capacity=occurrence.capacity,
    )


def _no_pass(member: Person, occurrence: Occurrence) -> Wording:
    return said(
        N_(
            "{name} holds no valid pass for {title}: one that is active, has sessions left, "
            "is not expired by then and covers {title}. Nobody was booked. "
            "An admin grants one with /pass_grant {name}; <template>."
        ),
        name=member.name,
        title=occurrence.title,
    )
