"""Reviewing and cancelling one occurrence (SPEC §2.3): every booking cancelled and
refunded, the waitlist cleared, everyone told with the reason — in one transaction.
Cancelling a cancelled session changes nothing and refunds nothing twice.

`plan_on` and `carry_out` are the steps on a locked aggregate, shared with the admin's
commands that cancel sessions of a schedule (skipping a date, ending it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace

from domain.aggregate import LOCK, READ, Access, SessionAggregate, cancel_and_refund
from domain.booking import CancelledBy
from domain.cancellation import CancelReview, plan_cancel, with_extensions, with_trainer_told
from domain.directory import Directory, load_directory
from domain.errors import StaleReview
from domain.occurrence import Occurrence, OccurrenceKey
from domain.passes import Pass, PassExtension, plan_extensions
from domain.permissions import require_change, require_view_sessions
from domain.ports import UnitOfWork
from domain.reminders.withdraw import pass_changed, trainer_days_changed
from domain.roles import Person
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
        return await carry_out(uow, studio, review)

    return await studio.change(command)


async def carry_out(uow: UnitOfWork, studio: Studio, review: CancelReview) -> CancelReview:
    """Store the cancellation planned on a locked aggregate (its passes locked too):
    the record, the refunds, the cleared line, the passes extended, the notices."""
    now = studio.now()
    record = replace(review.occurrence.record, cancelled_at=now, cancel_reason=review.reason)
    saved = await uow.occurrences.save(record)
    assert saved.id is not None
    await cancel_and_refund(uow, review.cancelled_bookings, now, CancelledBy.OCCURRENCE_CANCELLED)
    await uow.waitlist.clear(saved.id)
    await trainer_days_changed(uow, studio.zone, [review.occurrence])
    if review.extensions:
        await uow.passes.extend(review.extensions)
        for pass_id in sorted({e.pass_id for e in review.extensions}):
            await pass_changed(uow, pass_id)  # an unsent "expires soon" names the old date
    change_id = str(uuid.uuid4())
    await uow.outbox.add(change_id, review.notifications, now)
    return replace(review, occurrence=Occurrence.of(review.occurrence.schedule, saved, 0), change_id=change_id)


def plan_on(
    studio: Studio,
    session: SessionAggregate,
    passes: Iterable[Pass],
    reason: str | None,
    extensions: Iterable[PassExtension] | None = None,
    *,
    actor: Person | None = None,
    names: Directory | None = None,
) -> CancelReview:
    """The cancellation of one aggregate, its bookings' passes given (locked for a save).
    `extensions`: planned by the caller over several sessions (one pass may have paid
    for more than one of them); by default this session's own. With `actor` and `names`
    the session's trainer is told too, unless the actor is that trainer."""
    held = list(passes)
    session = session.with_balances(held)
    review = plan_cancel(session.occurrence, session.bookings, session.line, reason, studio.now())
    if extensions is None:
        extensions = plan_extensions(review.cancelled_bookings, held, studio.pass_extension_days, studio.now())
    review = with_extensions(review, extensions)
    return review if actor is None or names is None else with_trainer_told(review, actor, names, studio.now())


async def _plan(
    studio: Studio, uow: UnitOfWork, access: Access, actor_id: int, key: OccurrenceKey, reason: str | None
) -> CancelReview:
    actor = require_view_sessions(await uow.people.get(actor_id))  # before anything is read or locked
    session = await access.session(uow, studio.zone, key)
    require_change(actor, session.occurrence)
    passes = await access.passes(uow, {b.pass_id for b in session.bookings})
    return plan_on(studio, session, passes, reason, actor=actor, names=await load_directory(uow))
