"""Reviewing and cancelling one occurrence (SPEC §2.3): every booking cancelled and
refunded, the waitlist cleared, everyone told with the reason — in one transaction.
Cancelling a cancelled session changes nothing and refunds nothing twice."""

from __future__ import annotations

import uuid
from dataclasses import replace

from domain.aggregate import LOCK, READ, Access, cancel_and_refund
from domain.booking import CancelledBy
from domain.cancellation import CancelReview, plan_cancel
from domain.directory import load_directory
from domain.errors import StaleReview
from domain.occurrence import Occurrence, OccurrenceKey
from domain.permissions import require_change, require_view_sessions
from domain.ports import UnitOfWork
from domain.reminders.withdraw import trainer_days_changed
from domain.studio import Studio


async def review_cancel(studio: Studio, actor_id: int, key: OccurrenceKey, reason: str | None = None) -> CancelReview:
    return await studio.read(lambda uow: _plan(studio, uow, READ, actor_id, key, reason))


async def cancel_session(
    studio: Studio, actor_id: int, key: OccurrenceKey, reason: str | None = None, *, expected_version: int | None = None
) -> CancelReview:
    """Cancel the occurrence; a second cancel returns `already_cancelled` and changes nothing."""

    async def command(uow: UnitOfWork) -> CancelReview:
        review = await _plan(studio, uow, LOCK, actor_id, key, reason)
        if review.already_cancelled:
            return review
        if expected_version is not None and review.version != expected_version:
            raise StaleReview(review)
        now = studio.now()
        record = replace(review.occurrence.record, cancelled_at=now, cancel_reason=review.reason)
        saved = await uow.occurrences.save(record)
        assert saved.id is not None
        await cancel_and_refund(uow, review.cancelled_bookings, now, CancelledBy.OCCURRENCE_CANCELLED)
        await uow.waitlist.clear(saved.id)
        await trainer_days_changed(uow, studio.zone, [review.occurrence])
        change_id = str(uuid.uuid4())
        await uow.outbox.add(change_id, review.notifications, now)
        return replace(review, occurrence=Occurrence.of(review.occurrence.schedule, saved, 0), change_id=change_id)

    return await studio.change(command)


async def _plan(
    studio: Studio, uow: UnitOfWork, access: Access, actor_id: int, key: OccurrenceKey, reason: str | None
) -> CancelReview:
    actor = require_view_sessions(await uow.people.get(actor_id))  # before anything is read or locked
    session = await access.session(uow, studio.zone, key)
    require_change(actor, session.occurrence)
    passes = await access.passes(uow, {b.pass_id for b in session.bookings})
    session = session.with_balances(passes)
    names = await load_directory(uow)
    return plan_cancel(
        session.occurrence, session.bookings, session.line, reason, studio.now(), actor=actor, names=names
    )
