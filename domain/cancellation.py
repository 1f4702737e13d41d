"""Cancelling a single occurrence (SPEC §2.3): every booking cancelled and refunded,
every member told, with the reason. Cancelling twice changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from domain.booking import Booking, WaitlistEntry
from domain.directory import Directory
from domain.errors import InvalidReason, OccurrenceStarted
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import Occurrence
from domain.passes import PassExtension
from domain.payloads import occurrence_payload, refund_payload
from domain.roles import Person
from domain.trainer_notices import one_per_person, plan_trainer_notices
from domain.waitlist import waitlist_cancelled_notice
from domain.wording import N_

MAX_REASON_LENGTH = 500
# Cancel reasons the rules write themselves (stored in English, a message id each, so
# that each reader reads them in their language); every other reason was typed.
SKIP_REASON = N_("No session on this date.")  # a date skipped from a schedule
STUDIO_REASONS = frozenset({SKIP_REASON})


@dataclass(frozen=True)
class CancelReview:
    occurrence: Occurrence
    reason: str | None
    cancelled_bookings: tuple[Booking, ...]
    notifications: tuple[NotificationDraft, ...]
    already_cancelled: bool = False
    # The occurrence's waitlist, cleared by the cancellation; each is told (their notices
    # are among `notifications`) and nothing is deducted (domain/waitlist.py).
    waitlisted: tuple[WaitlistEntry, ...] = field(default=())
    # Passes whose expiry moves on because this session was cancelled (the studio's
    # pass extension); each refunded member's notice says until when.
    extensions: tuple[PassExtension, ...] = field(default=())
    # The outbox's id of the saved cancellation's notifications (None on a review): for receipts.
    change_id: str | None = None

    @property
    def version(self) -> int:
        return self.occurrence.version

    @property
    def refunded_passes(self) -> int:
        return sum(1 for booking in self.cancelled_bookings if booking.pass_sessions_left is not None)


def clean_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    text = " ".join(reason.split())  # one line, no stray control characters
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidReason(N_("The reason is too long: at most {most} characters, please."), most=MAX_REASON_LENGTH)
    return text or None


def plan_cancel(
    occurrence: Occurrence,
    bookings: tuple[Booking, ...],
    line: tuple[WaitlistEntry, ...],
    reason: str | None,
    now: datetime,
) -> CancelReview:
    """Every booking cancelled and refunded, the line cleared; everyone told."""
    review = _plan_bookings(occurrence, bookings, reason, now)
    if review.already_cancelled or not line:
        return review
    payload = {**occurrence_payload(occurrence), "reason": review.reason}
    notices = tuple(waitlist_cancelled_notice(entry, payload) for entry in line)
    return replace(review, waitlisted=line, notifications=review.notifications + notices)


def with_trainer_told(review: CancelReview, actor: Person, names: Directory, now: datetime) -> CancelReview:
    """The session's trainer told too (SPEC §3.1), unless they cancelled it themselves;
    the actor told nothing. Last, once the members' notices are complete (their pass
    extensions too), since a trainer booked on the session hears of it in one message."""
    if review.already_cancelled:
        return review
    before = review.occurrence
    after = replace(before, record=replace(before.record, cancelled_at=now, cancel_reason=review.reason))
    trainers = plan_trainer_notices(before, after, actor, names)
    return replace(review, notifications=one_per_person(review.notifications, trainers, actor.id))


def _plan_bookings(
    occurrence: Occurrence, bookings: tuple[Booking, ...], reason: str | None, now: datetime
) -> CancelReview:
    if occurrence.cancelled:  # before the reason is read: a second cancel changes nothing, whatever it says
        return CancelReview(occurrence, occurrence.record.cancel_reason, (), (), already_cancelled=True)
    reason = clean_reason(reason)
    if occurrence.start <= now:
        raise OccurrenceStarted(N_("This session has already started; it can no longer be cancelled."))
    payload = {**occurrence_payload(occurrence), "reason": reason}
    drafts = tuple(
        NotificationDraft(
            booking.member_id,
            NotificationKind.CANCELLED,
            {**payload, "refund": refund_payload(booking)},
        )
        for booking in bookings
    )
    return CancelReview(occurrence, reason, bookings, drafts)


def with_extensions(review: CancelReview, extensions: Iterable[PassExtension]) -> CancelReview:
    """The review with the extensions of its refunded bookings' passes, each told in
    the booked member's notice ("your pass now runs until …")."""
    mine = {e.booking_id: e for e in extensions}
    found = tuple(mine[b.id] for b in review.cancelled_bookings if b.id in mine)
    if not found:
        return review
    until = {b.member_id: mine[b.id].expires_at for b in review.cancelled_bookings if b.id in mine}
    drafts = tuple(
        replace(
            d,
            payload={**d.payload, "refund": {**d.payload["refund"], "extended_until": until[d.member_id].isoformat()}},
        )
        if d.kind is NotificationKind.CANCELLED and "refund" in d.payload and d.member_id in until
        else d
        for d in review.notifications
    )
    return replace(review, notifications=drafts, extensions=found)
