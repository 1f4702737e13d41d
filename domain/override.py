"""Overriding a single occurrence (SPEC §2.2): the checks, the warnings that need
confirmation, the bookings cancelled and refunded, and the notifications implied.

`plan_override` is pure and is the one computation behind both the review shown
before saving and the save itself, so saving produces exactly what was reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.booking import Booking
from domain.cancellation import clean_reason
from domain.directory import Directory
from domain.errors import (
    CapacityAboveSpaceMaximum,
    ClosedScheduleKeepsBookings,
    InvalidCapacity,
    InvalidReason,
    NothingToChange,
    OccurrenceCancelled,
    OccurrenceStarted,
    TimeCollision,
    TimeInPast,
    UnknownSpace,
    UnknownTrainer,
)
from domain.notifications import NotificationDraft, NotificationKind, count_by_kind
from domain.occurrence import Occurrence, OccurrenceKey
from domain.payloads import occurrence_payload, rebook_payload, refund_payload
from domain.roles import Person
from domain.schedule import Space
from domain.waitlist import Promotion, promoted_notice
from domain.wording import N_


@dataclass(frozen=True)
class OverrideRequest:
    """The new values; `None` leaves a field as it is."""

    capacity: int | None = None
    space_id: int | None = None
    trainer_id: int | None = None
    start: datetime | None = None
    cancel_bookings: bool = False
    reason: str | None = None  # told to the members whose bookings are cancelled


@dataclass(frozen=True)
class OverrideContext:
    """What the plan needs to know, gathered by the service inside the transaction."""

    occurrence: Occurrence
    bookings: tuple[Booking, ...]  # the occurrence's active bookings
    spaces: Mapping[int, Space]
    trainers: Mapping[int, Person]  # people holding the trainer role
    nearby: tuple[Occurrence, ...]  # occurrences overlapping the slot after the change
    now: datetime


class WarningKind(StrEnum):
    CAPACITY_BELOW_BOOKINGS = "capacity_below_bookings"
    SPACE_BUSY = "space_busy"
    TRAINER_BUSY = "trainer_busy"


@dataclass(frozen=True)
class OverrideWarning:
    kind: WarningKind
    other: Occurrence | None = None  # the occurrence that keeps the space or trainer busy

    @property
    def signature(self) -> tuple[WarningKind, OccurrenceKey | None]:
        """What the person confirmed: the kind, and which session is in the way."""
        return self.kind, None if self.other is None else self.other.key

    def seen(self) -> SeenWarning:
        """The warning as a draft keeps it: its signature, plain data that outlives a restart."""
        return SeenWarning(*self.signature)


@dataclass(frozen=True)
class SeenWarning:
    """A warning the person saw on a review, reduced to what a save compares."""

    kind: WarningKind
    other: OccurrenceKey | None = None

    @property
    def signature(self) -> tuple[WarningKind, OccurrenceKey | None]:
        return self.kind, self.other


def confirmed_all(
    warnings: Iterable[OverrideWarning], confirmed: Iterable[OverrideWarning | SeenWarning] | bool
) -> bool:
    """Whether every warning of a save was among those confirmed on its review
    (`True`: any warning is accepted, for scripts that confirm in advance)."""
    if confirmed is True:
        return True
    seen = {w.signature for w in confirmed} if confirmed is not False else set()
    return all(w.signature in seen for w in warnings)


@dataclass(frozen=True)
class Change:
    field: str  # "time", "capacity", "space", "trainer"
    before: Any
    after: Any


@dataclass(frozen=True)
class OverrideReview:
    before: Occurrence
    after: Occurrence
    request: OverrideRequest
    changes: tuple[Change, ...]
    warnings: tuple[OverrideWarning, ...]
    cancelled_bookings: tuple[Booking, ...]
    notifications: tuple[NotificationDraft, ...] = field(default=())
    # Members booked from the waitlist into the spots the change frees (domain/waitlist.py);
    # their notices are among `notifications`, so the review tells who is told.
    promoted: tuple[Promotion, ...] = field(default=())
    # The names of spaces and trainers as they were, to show the review and outcome.
    directory: Directory | None = None
    # The outbox's id of the saved change's notifications (None on a review): for receipts.
    change_id: str | None = None

    @property
    def version(self) -> int:
        return self.before.version

    @property
    def refunded_passes(self) -> int:
        """Bookings whose pass gets a session back (an unlimited pass has none to get)."""
        return sum(1 for booking in self.cancelled_bookings if booking.pass_sessions_left is not None)

    @property
    def notified(self) -> dict[NotificationKind, int]:
        return count_by_kind(self.notifications)

    def changed(self, name: str) -> bool:
        return any(change.field == name for change in self.changes)


def plan_override(context: OverrideContext, request: OverrideRequest) -> OverrideReview:
    before = context.occurrence
    _check_changeable(before, context.now)
    after = _apply(context, request)
    changes = _changes(before, after)
    kept = () if request.cancel_bookings else context.bookings
    if request.cancel_bookings and before.schedule.closed:
        raise ClosedScheduleKeepsBookings()
    cancelled = context.bookings if request.cancel_bookings else ()
    if clean_reason(request.reason) is not None and not request.cancel_bookings:
        raise InvalidReason(N_("A reason goes to members whose bookings are cancelled; nobody's are."))
    if not changes and not cancelled:
        raise NothingToChange()
    warnings = _warnings(context, before, after, changes, kept_count=len(kept))
    review = OverrideReview(before, after, request, changes, warnings, tuple(cancelled))
    return _with_notifications(review, context)


def _check_changeable(occurrence: Occurrence, now: datetime) -> None:
    if occurrence.cancelled:
        raise OccurrenceCancelled()
    if occurrence.start <= now:
        raise OccurrenceStarted()


def _apply(context: OverrideContext, request: OverrideRequest) -> Occurrence:
    before = context.occurrence
    capacity = before.capacity if request.capacity is None else _valid_capacity(request.capacity)
    if before.schedule.private and capacity != 1:
        raise InvalidCapacity(N_("A private session is for one member: its capacity stays 1."))
    space_id = before.space_id if request.space_id is None else _known_space(context, request.space_id).id
    trainer_id = before.trainer_id if request.trainer_id is None else _known_trainer(context, request.trainer_id)
    start = before.start if request.start is None else _valid_start(context, request.start)
    space = context.spaces.get(space_id)
    if space is not None and space.max_capacity is not None and capacity > space.max_capacity:
        raise CapacityAboveSpaceMaximum(
            N_("{space} holds at most {most}; a capacity of {capacity} does not fit."),
            space=space.name,
            most=space.max_capacity,
            capacity=capacity,
        )
    return before.with_values(start=start, capacity=capacity, space_id=space_id, trainer_id=trainer_id)


def _valid_capacity(capacity: object) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity <= 0:
        raise InvalidCapacity()
    return capacity


def _known_space(context: OverrideContext, space_id: int) -> Space:
    space = context.spaces.get(space_id)
    if space is None or not space.active:
        raise UnknownSpace()
    return space


def _known_trainer(context: OverrideContext, trainer_id: int) -> int:
    trainer = context.trainers.get(trainer_id)
    if trainer is None or not trainer.is_trainer:
        raise UnknownTrainer()
    return trainer.id


def _valid_start(context: OverrideContext, start: datetime) -> datetime:
    if start.tzinfo is None:
        raise ValueError("override start must be timezone-aware")
    if start <= context.now:
        raise TimeInPast()
    before = context.occurrence
    end = start + before.schedule.duration
    for other in _others(context):
        if other.schedule.id == before.schedule.id and other.overlaps(start, end):
            raise TimeCollision(
                N_("That time collides with another session of {title}; pick a free slot."), title=before.title
            )
    return start


def _others(context: OverrideContext) -> list[Occurrence]:
    """Occurrences near the new slot other than this one; cancelled ones free their slot."""
    own = context.occurrence.key
    return [o for o in context.nearby if o.key != own and not o.cancelled]


def changes_between(before: Occurrence, after: Occurrence) -> tuple[Change, ...]:
    """What differs between two states of one occurrence: time, capacity, space, trainer."""
    return _changes(before, after)


def notice_kind(changes: tuple[Change, ...]) -> NotificationKind | None:
    """SPEC §2.2: rescheduled when the time moved, else updated when trainer or space
    did; nothing for capacity alone."""
    changed = {change.field for change in changes}
    if "time" in changed:
        return NotificationKind.RESCHEDULED
    if changed & {"trainer", "space", "duration"}:  # a duration changes with a schedule's edit only
        return NotificationKind.UPDATED
    return None


def _changes(before: Occurrence, after: Occurrence) -> tuple[Change, ...]:
    pairs = (
        ("time", before.start, after.start),
        ("capacity", before.capacity, after.capacity),
        ("space", before.space_id, after.space_id),
        ("trainer", before.trainer_id, after.trainer_id),
    )
    return tuple(Change(name, old, new) for name, old, new in pairs if old != new)


def _warnings(
    context: OverrideContext,
    before: Occurrence,
    after: Occurrence,
    changes: tuple[Change, ...],
    kept_count: int,
) -> tuple[OverrideWarning, ...]:
    warnings: list[OverrideWarning] = []
    if after.capacity < kept_count:
        warnings.append(OverrideWarning(WarningKind.CAPACITY_BELOW_BOOKINGS))
    changed = {change.field for change in changes}
    overlapping = [o for o in _others(context) if o.overlaps(after.start, after.end)]
    if changed & {"time", "space"}:
        busy = next((o for o in overlapping if o.space_id == after.space_id), None)
        if busy is not None:
            warnings.append(OverrideWarning(WarningKind.SPACE_BUSY, busy))
    if changed & {"time", "trainer"}:
        busy = next((o for o in overlapping if o.trainer_id == after.trainer_id), None)
        if busy is not None:
            warnings.append(OverrideWarning(WarningKind.TRAINER_BUSY, busy))
    return tuple(warnings)


def _with_notifications(review: OverrideReview, context: OverrideContext) -> OverrideReview:
    """SPEC §2.2: rescheduled when the time moved, else updated when trainer or space
    did; nothing for capacity alone; a cancelled booking's own notice instead."""
    kept_kind = notice_kind(review.changes)
    base = change_payload(review.before, review.after, review.changes, context)
    drafts: list[NotificationDraft] = []
    cancelled = {booking.id for booking in review.cancelled_bookings}  # a set: 1,000 bookings stay linear
    cancelled_extra = {**rebook_payload(review.after), "reason": clean_reason(review.request.reason)}
    for booking in context.bookings:
        if booking.id in cancelled:
            payload = {**base, **cancelled_extra, "refund": refund_payload(booking)}
            drafts.append(NotificationDraft(booking.member_id, NotificationKind.BOOKING_CANCELLED, payload))
        elif kept_kind is not None:
            drafts.append(NotificationDraft(booking.member_id, kept_kind, base))
    return OverrideReview(
        review.before,
        review.after,
        review.request,
        review.changes,
        review.warnings,
        review.cancelled_bookings,
        tuple(drafts),
    )


def change_payload(
    before: Occurrence, after: Occurrence, changes: tuple[Change, ...], context: OverrideContext
) -> dict[str, Any]:
    return named_change_payload(after, changes, context.spaces, context.trainers)


def named_change_payload(
    after: Occurrence, changes: tuple[Change, ...], spaces: Mapping[int, Space], trainers: Mapping[int, Person]
) -> dict[str, Any]:
    """The notice's payload: the occurrence after the change, and each change with the
    names of spaces and trainers (also what a schedule edit tells booked members)."""

    def shown(name: str, value: Any) -> Any:
        if name == "time":
            return value.isoformat()
        if name == "space":
            space = spaces.get(value)
            return space.name if space else str(value)
        if name == "trainer":
            trainer = trainers.get(value)
            return trainer.name if trainer else str(value)
        return value

    return {
        **occurrence_payload(after),
        "changes": [
            {"field": c.field, "before": shown(c.field, c.before), "after": shown(c.field, c.after)} for c in changes
        ],
    }


def with_promotions(review: OverrideReview, promoted: tuple[Promotion, ...]) -> OverrideReview:
    """The review with the members the change books from the line, and their notices."""
    notices = tuple(promoted_notice(promotion, review.after) for promotion in promoted)
    return replace(review, promoted=promoted, notifications=review.notifications + notices)
