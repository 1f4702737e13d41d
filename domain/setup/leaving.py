"""Correcting people (issue 14): renaming someone, taking a role away, and a member
who left the studio.

A member who leaves loses the member role in one transaction with everything that
role held ahead: each future booking is cancelled through its occurrence's
aggregate (locked, root first, then the passes) with its session refunded, the
freed spot going to the first in line as for any cancellation; their places in
waitlists ahead are dropped; their unused member links are revoked. Bookings in the
past stay (they happened); their passes stay as they are. A person left with no
role at all is made inactive, so their chat is nobody's in the studio. They get no
notice: the studio told them in person, and a message per cancelled booking to
someone who left would be noise. Those promoted into the freed spots are told.

Who may: admins; roles of admins only owners take away, and owners (named in the
settings) nobody here. A role someone still needs ahead is refused, naming why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.aggregate import LOCK, cancel_and_refund, lock_sessions, promote
from domain.booking import Booking, CancelledBy
from domain.errors import Contention, NotAllowed
from domain.notifications import NotificationDraft
from domain.occurrence import OccurrenceKey
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.setup.ahead import name_sessions, sessions_ahead
from domain.setup.names import SetupError, clean_name, match, person_named
from domain.setup.people import require_may_appoint
from domain.studio import Studio
from domain.waitlist import plan_promotions, promoted_notice
from domain.wording import N_, ngettext


async def _person(uow: UnitOfWork, actor_id: int, name: str) -> tuple[Person, Person]:
    actor = require_admin(await uow.people.get(actor_id))
    return actor, match(name, [(p.name, p) for p in await uow.people.everyone() if p.active], "person")


async def rename_person(studio: Studio, actor_id: int, name: str, new_name: str) -> Person:
    """A new name; two people may share one (they are told apart by `#id`)."""

    async def command(uow: UnitOfWork) -> Person:
        actor, person = await _person(uow, actor_id, name)
        if person.holds(Role.OWNER) and not actor.holds(Role.OWNER):
            raise NotAllowed(N_("Only an owner can rename an owner."))
        return await uow.people.rename(person.id, clean_name(new_name, "person"))

    return await studio.change(command)


async def remove_role(studio: Studio, actor_id: int, role: Role, name: str) -> Person:
    """Take `role` from someone: refused while they still need it ahead (a trainer's
    sessions, a member's bookings — /member_leave cancels those)."""

    async def command(uow: UnitOfWork) -> Person:
        actor, person = await _person(uow, actor_id, name)
        if role is Role.OWNER:
            raise SetupError(N_("Owners are named in TRAINERY_OWNER_IDS; take them out there."))
        require_may_appoint(actor, role)
        if role not in person.roles:
            raise SetupError(NOT_HELD[role], name=person.name)
        if role is Role.TRAINER:
            leads = await sessions_ahead(uow, studio, lambda o: o.trainer_id == person.id)
            if leads:
                raise SetupError(
                    ngettext(
                        "{name} leads {n} session ahead: {sessions}. "
                        "Give them another trainer first (a session's ✎ Change, or the schedule's trainer).",
                        "{name} leads {n} sessions ahead: {sessions}. "
                        "Give them another trainer first (a session's ✎ Change, or the schedule's trainer).",
                        len(leads),
                        name=person.name,
                        sessions=name_sessions(leads, studio.zone),
                    )
                )
        if role is Role.MEMBER:
            booked, waiting = await _ahead_of(uow, studio, person.id)
            if booked or waiting:
                raise SetupError(
                    N_(
                        "{name} has {bookings} and {places} ahead. "
                        "/member_leave {typed} cancels them (refunded) and removes the member role."
                    ),
                    name=person.name,
                    bookings=ngettext("{n} booking(s)", "{n} booking(s)", len(booked)),
                    places=ngettext("{n} waitlist place(s)", "{n} waitlist place(s)", len(waiting)),
                    typed=name,
                )
        await uow.invites.revoke(person.id, studio.now(), role)
        revoked = await uow.people.revoke(person.id, role)
        if not revoked.active:
            await uow.invites.revoke(person.id, studio.now())
        return revoked

    return await studio.change(command)


@dataclass(frozen=True)
class Departure:
    person: Person  # as they are now: without the member role
    cancelled: int  # bookings ahead, each refunded
    unqueued: int  # waitlist places ahead dropped
    promoted: int  # others booked into the freed spots
    revoked: int  # unused invite links ended


async def member_leave(studio: Studio, actor_id: int, name: str) -> Departure:
    async def command(uow: UnitOfWork) -> Departure:
        require_admin(await uow.people.get(actor_id))
        member = await person_named(uow, name, Role.MEMBER)
        booked, waiting = await _ahead_of(uow, studio, member.id)
        promoted = await _leave_sessions(uow, studio, member.id, {*booked, *waiting})
        if any(await _ahead_of(uow, studio, member.id)):
            raise Contention()  # booked meanwhile, on a session not locked here: all again
        now = studio.now()
        revoked = await uow.invites.revoke(member.id, now, Role.MEMBER)
        person = await uow.people.revoke(member.id, Role.MEMBER)
        if not person.active:
            revoked += await uow.invites.revoke(member.id, now)
        return Departure(person, len(booked), len(waiting), promoted, revoked)

    return await studio.change(command)


async def _ahead_of(uow: UnitOfWork, studio: Studio, member_id: int) -> tuple[list[OccurrenceKey], list[OccurrenceKey]]:
    """The occurrences ahead the member is booked on, and those they wait for."""
    now = studio.now()

    async def ahead(record_ids: list[int]) -> list[OccurrenceKey]:
        records = [await uow.occurrences.get_by_id(r) for r in record_ids]
        return sorted(r.key for r in records if r is not None and r.start > now)

    booked = await ahead([b.occurrence_id for b in await uow.bookings.active_of_member(member_id)])
    waiting = await ahead([e.occurrence_id for e in await uow.waitlist.of_member(member_id)])
    return booked, [key for key in waiting if key not in booked]


async def _leave_sessions(uow: UnitOfWork, studio: Studio, member_id: int, keys: set[OccurrenceKey]) -> int:
    """Cancel the member's booking and drop their place on each occurrence, locked all
    at once in key order; promotions fill the freed spots. Returns how many were promoted."""
    if not keys:
        return 0
    sessions = await lock_sessions(uow, studio.zone, keys)
    own = [b for s in sessions for b in s.bookings if b.member_id == member_id]
    waiting = {e.member_id for s in sessions for e in s.line if e.member_id != member_id}
    # Every pass of the member too: a booking of theirs racing this one waits for it
    # (or, first, shows up in the check after this, and the whole leave is tried again).
    await LOCK.passes(uow, [b.pass_id for b in own], {member_id, *waiting})
    members = await uow.people.many(waiting)
    now, notices, promoted = studio.now(), list[NotificationDraft](), 0
    for session in sessions:
        record = await uow.occurrences.save(session.occurrence.record)
        assert record.id is not None
        mine: list[Booking] = [b for b in session.bookings if b.member_id == member_id]
        await cancel_and_refund(uow, mine, now, CancelledBy.STAFF)
        await uow.waitlist.remove_member(record.id, member_id)
        if not mine:
            continue
        line = [e for e in session.line if e.member_id != member_id]
        passes = await uow.passes.find((), {e.member_id for e in line})  # locked above; balances as of now
        kept = len(session.bookings) - len(mine)
        promotions = plan_promotions(session.occurrence, kept, line, members, passes, now)
        await promote(uow, record.id, promotions, now)
        notices += [promoted_notice(p, session.occurrence) for p in promotions]
        promoted += len(promotions)
    if notices:
        await uow.outbox.add(str(uuid.uuid4()), notices, now)
    return promoted


NOT_HELD = {  # one sentence a role, so that a translator can inflect it
    Role.MEMBER: N_("{name} is not a member."),
    Role.TRAINER: N_("{name} is not a trainer."),
    Role.ADMIN: N_("{name} is not an admin."),
    Role.OWNER: N_("{name} is not an owner."),
}
