"""Opening one occurrence (SPEC §2.1): its details, the names to show them with, how
many wait in line, who is booked — each screen's data from one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from domain.aggregate import READ, SessionAggregate
from domain.booking import Booking
from domain.directory import Directory, load_directory
from domain.errors import NotFound
from domain.occurrence import Occurrence, OccurrenceKey
from domain.permissions import may_change, require_change, require_view_sessions
from domain.ports import UnitOfWork
from domain.roles import Person
from domain.studio import Studio
from domain.wording import N_


@dataclass(frozen=True)
class SessionCard:
    viewer: Person
    occurrence: Occurrence
    directory: Directory
    waiting: int  # members in line

    @property
    def staff_of_it(self) -> bool:
        """The viewer may act on this session (it is not cancelled)."""
        return may_change(self.viewer, self.occurrence) and not self.occurrence.cancelled


async def session_card(studio: Studio, actor_id: int, key: OccurrenceKey) -> SessionCard:
    async def query(uow: UnitOfWork) -> SessionCard:
        viewer = require_view_sessions(await uow.people.get(actor_id))
        session = await READ.session(uow, studio.zone, key)
        return SessionCard(viewer, session.occurrence, await load_directory(uow), len(session.line))

    return await studio.read(query)


async def find_session(studio: Studio, actor_id: int, key: OccurrenceKey) -> Occurrence:
    """The occurrence alone, as staff see it."""
    return (await session_card(studio, actor_id, key)).occurrence


class BookingsView(NamedTuple):
    occurrence: Occurrence
    booked: list[tuple[Booking, Person]]


async def bookings_on(studio: Studio, actor_id: int, key: OccurrenceKey) -> BookingsView:
    """Staff who may change the session see who is booked on it."""

    async def query(uow: UnitOfWork) -> BookingsView:
        actor = require_view_sessions(await uow.people.get(actor_id))
        session = await READ.session(uow, studio.zone, key)
        require_change(actor, session.occurrence)
        return await _with_members(uow, session)

    return await studio.read(query)


async def _with_members(uow: UnitOfWork, session: SessionAggregate) -> BookingsView:
    members = await uow.people.many(b.member_id for b in session.bookings)
    booked = [(b, members[b.member_id]) for b in session.bookings if b.member_id in members]
    return BookingsView(session.occurrence, booked)


class BookingView(NamedTuple):
    occurrence: Occurrence
    booking: Booking
    member: Person


async def booking_on(studio: Studio, actor_id: int, booking_id: int) -> BookingView:
    """One active booking, for staff who may change its session."""

    async def query(uow: UnitOfWork) -> BookingView:
        actor = require_view_sessions(await uow.people.get(actor_id))
        booking = await uow.bookings.get(booking_id)
        record = await uow.occurrences.get_by_id(booking.occurrence_id) if booking else None
        if booking is None or record is None:
            raise NotFound(N_("That booking does not exist."))
        session = await READ.session(uow, studio.zone, record.key)
        require_change(actor, session.occurrence)
        member = await uow.people.get(booking.member_id)
        if member is None:
            raise NotFound(N_("That booking does not exist."))
        return BookingView(session.occurrence, booking, member)

    return await studio.read(query)
