"""What a member sees (SPEC §3): `/my` — their upcoming bookings, places in line and
passes — and `/book` — the sessions they may book in the coming days. Each is one
query in one unit of work."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.aggregate import occurrences_between
from domain.errors import NotAllowed
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
from domain.occurrence import Occurrence
from domain.passes import Pass
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.studio import Studio
from domain.waitlist import deadline_passed


async def member_overview(studio: Studio, actor_id: int) -> MemberOverview:
    async def query(uow: UnitOfWork) -> MemberOverview:
        member = await _member(uow, actor_id)
        now = studio.now()
        booked = []
        for booking in await uow.bookings.active_of_member(member.id):
            occurrence = await _occurrence_by_id(uow, booking.occurrence_id)
            if occurrence is not None and occurrence.start > now and not occurrence.cancelled:
                cancellable = not occurrence.schedule.closed and not deadline_passed(occurrence, now)
                booked.append(BookedSession(booking, occurrence, cancellable))
        entries = await uow.waitlist.of_member(member.id)
        lines = await uow.waitlist.lines(entry.occurrence_id for entry in entries)
        waiting = []
        for entry in entries:
            occurrence = await _occurrence_by_id(uow, entry.occurrence_id)
            if occurrence is not None and occurrence.start > now and not occurrence.cancelled:
                place = [e.id for e in lines.get(entry.occurrence_id, [])].index(entry.id) + 1
                waiting.append(WaitingPlace(entry, occurrence, place))
        closed = {s.pass_template_id for s in await uow.schedules.all() if s.closed}
        passes = []
        for pass_ in current_passes(await uow.passes.of_member(member.id), now):
            template = await uow.passes.template(pass_.template_id)
            enrolled = sum(b.booking.pass_id == pass_.id for b in booked) if pass_.template_id in closed else None
            passes.append(PassView(pass_, template.name if template else "Pass", enrolled))
        return MemberOverview(
            tuple(sorted(booked, key=lambda b: b.occurrence.start)),
            tuple(sorted(waiting, key=lambda w: w.occurrence.start)),
            tuple(passes),
        )

    return await studio.read(query)


async def bookable(studio: Studio, actor_id: int, within: timedelta = BOOKING_WINDOW) -> list[Offer]:
    """Sessions of open schedules in the coming days that the member may book now
    with a usable pass and has not booked; a full one is offered for its waitlist."""

    async def query(uow: UnitOfWork) -> list[Offer]:
        member = await _member(uow, actor_id)
        now = studio.now()
        # A member's passes of all the years: only those usable now can pay for any
        # session ahead (pick_pass would refuse the others for every one of them).
        passes = [p for p in await uow.passes.of_member(member.id) if p.usable_now(now)]
        mine = {booking.occurrence_id for booking in await uow.bookings.active_of_member(member.id)}
        waiting = {entry.occurrence_id: entry.id for entry in await uow.waitlist.of_member(member.id)}
        lines = await uow.waitlist.lines(waiting)
        # schedule id -> the passes covering it, the one expiring first first
        covering: dict[int, list[Pass]] = {}
        offers = []
        for occurrence in await _coming(uow, studio.zone, now, within):
            schedule, record_id = occurrence.schedule, occurrence.record.id
            candidates = covering.get(schedule.id)
            if candidates is None:  # most sessions are covered by no pass of this member's
                covered = (p for p in passes if p.covers(schedule))
                candidates = covering[schedule.id] = sorted(covered, key=lambda p: (p.expires_at, p.id))
            if not candidates or not open_to_members(occurrence, now) or record_id in mine:
                continue
            # pick_pass, for passes already known usable now and covering: the first
            # (expiring first) that is still valid at the session.
            pass_ = next((p for p in candidates if occurrence.start < p.expires_at), None)
            if pass_ is None:
                continue
            place = None
            if record_id is not None and record_id in waiting:
                place = [e.id for e in lines.get(record_id, [])].index(waiting[record_id]) + 1
            offers.append(Offer(occurrence, pass_, place))
        return offers

    return await studio.read(query)


async def _coming(uow: UnitOfWork, zone: ZoneInfo, now: datetime, within: timedelta) -> list[Occurrence]:
    """The occurrences starting in [now, now + within) that members may book at all
    (open schedule, not cancelled), taken from those of the whole hours around it: the
    same for every member who asks within the hour, so the memo keeps one list."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    key = ("bookable", zone.key, hour, within)
    kept = uow.memo.get(key)
    if not isinstance(kept, tuple):
        around = await occurrences_between(uow, zone, hour, hour + within + timedelta(hours=1))
        kept = tuple(o for o in around if o.schedule.active and not o.schedule.closed and not o.cancelled)
        uow.memo.put(key, kept)
    return [occurrence for occurrence in kept if now <= occurrence.start < now + within]


async def _member(uow: UnitOfWork, actor_id: int) -> Person:
    person = await uow.people.get(actor_id)
    if person is None or not person.holds(Role.MEMBER):
        raise NotAllowed("Only members of this studio can book sessions. Ask the studio for an invite link.")
    return person


async def _occurrence_by_id(uow: UnitOfWork, record_id: int) -> Occurrence | None:
    record = await uow.occurrences.get_by_id(record_id)
    schedule = await uow.schedules.get(record.schedule_id) if record is not None else None
    if record is None or schedule is None:
        return None
    booked = await uow.occurrences.booked_counts([record_id])
    return Occurrence.of(schedule, record, booked.get(record_id, 0))
