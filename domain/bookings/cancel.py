"""Cancelling one booking (SPEC §3): staff at any time, a member their own before the
deadline. The pass gets its session back, a member cancelled by staff is told, and
the freed spot goes to the first in line — all in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import replace

from domain.aggregate import LOCK, cancel_and_refund, lock_session_of, promote
from domain.booking import Booking, BookingStatus, CancelledBy
from domain.bookings.rules import canceller, require_self_or_staff
from domain.errors import BookingNotActive, NotFound
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import Occurrence
from domain.payloads import occurrence_payload, rebook_payload, refund_payload
from domain.ports import UnitOfWork
from domain.studio import Studio
from domain.waitlist import plan_promotions, promoted_notice
from domain.wording import N_


async def cancel_booking(studio: Studio, actor_id: int, booking_id: int) -> Booking:
    async def command(uow: UnitOfWork) -> Booking:
        seen = await uow.bookings.get(booking_id)
        if seen is None:
            raise NotFound(N_("That booking does not exist."))
        actor = require_self_or_staff(
            await uow.people.get(actor_id), seen.member_id, N_("You may cancel only your own bookings.")
        )
        if not seen.active:
            raise BookingNotActive()
        session = await lock_session_of(uow, studio.zone, seen.occurrence_id)  # the root first
        if session.booking_of(seen.member_id) != seen:
            raise BookingNotActive()  # cancelled while we waited for the lock
        now = studio.now()
        by = canceller(actor, seen, session.occurrence, now)
        in_line = [entry.member_id for entry in session.line]
        passes = await LOCK.passes(uow, [seen.pass_id], in_line)
        session = session.with_balances(passes)
        booking = session.booking_of(seen.member_id)
        assert booking is not None
        record = await uow.occurrences.save(session.occurrence.record)
        assert record.id is not None
        await cancel_and_refund(uow, [booking], now, by)
        notices = [staff_cancelled_notice(booking, session.occurrence)] if by is CancelledBy.STAFF else []
        members = await uow.people.many(in_line)
        kept = len(session.bookings) - 1
        promoted = plan_promotions(session.occurrence, kept, session.line, members, passes, now)
        await promote(uow, record.id, promoted, now)
        notices += [promoted_notice(promotion, session.occurrence) for promotion in promoted]
        if notices:
            await uow.outbox.add(str(uuid.uuid4()), notices, now)
        return replace(booking, status=BookingStatus.CANCELLED)

    return await studio.change(command)


def staff_cancelled_notice(booking: Booking, occurrence: Occurrence) -> NotificationDraft:
    payload = {
        **occurrence_payload(occurrence),
        "changes": [],
        "refund": refund_payload(booking),
        **rebook_payload(occurrence),
    }
    return NotificationDraft(booking.member_id, NotificationKind.BOOKING_CANCELLED, payload)
