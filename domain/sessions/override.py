"""Reviewing and saving an override of one occurrence (SPEC §2.2). Both run the same
computation on the same shape of data — the review reads, the save locks — so the
save does exactly what the review showed, or refuses: `StaleReview` when the session
changed since, `ConfirmationNeeded` when its warnings are not the ones confirmed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace

from domain.aggregate import LOCK, READ, Access, cancel_and_refund, overlapping, promote
from domain.booking import CancelledBy
from domain.directory import load_directory
from domain.errors import ConfirmationNeeded, StaleReview
from domain.occurrence import Occurrence, OccurrenceKey
from domain.override import (
    OverrideContext,
    OverrideRequest,
    OverrideReview,
    OverrideWarning,
    SeenWarning,
    confirmed_all,
    plan_override,
    with_promotions,
)
from domain.permissions import require_change, require_view_sessions
from domain.ports import UnitOfWork
from domain.reminders.withdraw import session_changed
from domain.studio import Studio
from domain.trainer_notices import one_per_person, plan_trainer_notices
from domain.waitlist import plan_promotions


async def review_override(
    studio: Studio, actor_id: int, key: OccurrenceKey, request: OverrideRequest
) -> OverrideReview:
    """What saving would do, changing nothing."""
    return await studio.read(lambda uow: _plan(studio, uow, READ, actor_id, key, request))


async def save_override(
    studio: Studio,
    actor_id: int,
    key: OccurrenceKey,
    request: OverrideRequest,
    *,
    expected_version: int | None = None,
    confirmed: Iterable[OverrideWarning | SeenWarning] | bool = False,
) -> OverrideReview:
    """Save the change; returns what was saved (the review, with `after` as stored).

    `confirmed` are the warnings the person saw and accepted on the review; a save
    with a warning not among them (a space that became busy meanwhile) raises
    `ConfirmationNeeded` with the fresh review. `True` accepts any warning."""

    accepted = confirmed if isinstance(confirmed, bool) else tuple(confirmed)  # read on every attempt

    async def command(uow: UnitOfWork) -> OverrideReview:
        review = await _plan(studio, uow, LOCK, actor_id, key, request)
        if expected_version is not None and review.version != expected_version:
            raise StaleReview(review)
        if not confirmed_all(review.warnings, accepted):
            raise ConfirmationNeeded(review)
        now = studio.now()
        saved = await uow.occurrences.save(review.after.record)
        assert saved.id is not None
        await cancel_and_refund(uow, review.cancelled_bookings, now, CancelledBy.OVERRIDE)
        await promote(uow, saved.id, review.promoted, now)
        change_id = str(uuid.uuid4())
        await uow.outbox.add(change_id, review.notifications, now)
        after = Occurrence.of(review.after.schedule, saved, review.after.booked)
        await session_changed(uow, studio.zone, review.before, after, now)  # reminders at the new time
        booked = review.after.booked - len(review.cancelled_bookings) + len(review.promoted)
        return replace(review, after=Occurrence.of(review.after.schedule, saved, booked), change_id=change_id)

    return await studio.change(command)


async def _plan(
    studio: Studio, uow: UnitOfWork, access: Access, actor_id: int, key: OccurrenceKey, request: OverrideRequest
) -> OverrideReview:
    actor = require_view_sessions(await uow.people.get(actor_id))  # before anything is read or locked
    session = await access.session(uow, studio.zone, key)
    require_change(actor, session.occurrence)
    refunded = {b.pass_id for b in session.bookings} if request.cancel_bookings else set()
    in_line = [entry.member_id for entry in session.line]
    passes = await access.passes(uow, refunded, in_line)
    session = session.with_balances(passes)
    occurrence = session.occurrence
    start = request.start or occurrence.start
    directory = await load_directory(uow)
    context = OverrideContext(
        occurrence=occurrence,
        bookings=session.bookings,
        spaces=directory.spaces,
        trainers=directory.trainers,
        nearby=tuple(await overlapping(uow, studio.zone, start, start + occurrence.schedule.duration)),
        now=studio.now(),
    )
    review = plan_override(context, request)
    # Spots the change frees (bookings cancelled, capacity raised) go to the line,
    # on the session as it is after the change: the same plan for review and save.
    kept = len(session.bookings) - len(review.cancelled_bookings)
    members = await uow.people.many(in_line)
    promoted = plan_promotions(review.after, kept, session.line, members, passes, context.now)
    review = with_promotions(review, promoted)
    # Trainers' notices last, so that one message per person holds all that concerns them.
    trainers = plan_trainer_notices(review.before, review.after, actor, directory)
    return replace(review, notifications=one_per_person(review.notifications, trainers, actor.id), directory=directory)
