"""The waitlist (SPEC §1, §3): the ordered queue of members waiting for a spot on a
full occurrence. Joining costs nothing; a place in line is the time of joining.

When a spot frees up — a booking cancelled by its member or by staff, bookings
cancelled by an override, or an override raising the capacity — the first in line
are booked, in the same transaction as the change that freed the spot:

- only before the booking deadline (after it, only staff change bookings) and only
  on a session that is still ahead and not cancelled;
- each one booked is paid with their usable pass that expires first (one session
  deducted, a ledger `use` entry), leaves the line and is told
  (`NotificationKind.WAITLIST_PROMOTED`);
- a member in line without a usable pass at that moment is passed over for this
  spot but keeps their place: they may get a pass before the next spot frees up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.booking import Booking
from domain.cancellation import CancelReview
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import Occurrence
from domain.override import OverrideReview, occurrence_payload
from domain.passes import Pass, pick_pass, use_entry
from domain.roles import Role

if TYPE_CHECKING:  # ports name WaitlistEntry; this module only needs the type
    from domain.ports import UnitOfWork


@dataclass(frozen=True)
class WaitlistEntry:
    id: int
    occurrence_id: int
    member_id: int
    joined_at: datetime


@dataclass(frozen=True)
class Promotion:
    """A member taken from the line into a freed spot, and the pass that pays."""

    entry: WaitlistEntry
    pass_: Pass  # as it was before this use

    @property
    def member_id(self) -> int:
        return self.entry.member_id

    @property
    def sessions_left(self) -> int | None:
        """The pass's balance after this booking (None: unlimited)."""
        left = self.pass_.sessions_left
        return None if left is None else left - 1


def deadline_passed(occurrence: Occurrence, now: datetime) -> bool:
    """Members book, cancel and move up the line only before the booking deadline."""
    return now > occurrence.start - occurrence.schedule.deadline()


def promotes(occurrence: Occurrence, now: datetime) -> bool:
    """Whether a spot freed on this occurrence now goes to the line."""
    return (
        not occurrence.cancelled
        and not occurrence.schedule.closed
        and occurrence.start > now
        and not deadline_passed(occurrence, now)
    )


async def plan_promotions(
    uow: UnitOfWork, occurrence: Occurrence, booked: int, now: datetime, *, for_update: bool
) -> tuple[Promotion, ...]:
    """Who in line gets the spots free on `occurrence` (as it is after the change)
    when `booked` bookings remain. Changes nothing; with `for_update` the paying
    passes are locked, so the promotions computed are the ones that can be saved."""
    record_id = occurrence.record.id
    free = occurrence.capacity - booked
    if record_id is None or free <= 0 or not promotes(occurrence, now):
        return ()
    promotions: list[Promotion] = []
    for entry in await uow.waitlist.on(record_id):
        if len(promotions) == free:
            break
        person = await uow.people.get(entry.member_id)
        if person is None or not person.holds(Role.MEMBER):
            continue
        chosen = pick_pass(await uow.passes.of_member(entry.member_id), occurrence.schedule, occurrence.start, now)
        if chosen is not None and for_update:
            chosen = await uow.passes.get(chosen.id, for_update=True)
        if chosen is None or not chosen.usable_for(occurrence.schedule, occurrence.start, now):
            continue  # passed over for this spot; keeps their place
        promotions.append(Promotion(entry, chosen))
    return tuple(promotions)


async def promote(uow: UnitOfWork, record_id: int, promotions: tuple[Promotion, ...], now: datetime) -> list[Booking]:
    """Book each promoted member (one session used) and take them out of the line."""
    booked = []
    for promotion in promotions:
        booking = await uow.bookings.add(record_id, promotion.member_id, promotion.pass_.id, now)
        await uow.passes.record(use_entry(promotion.pass_, booking.id, now))
        await uow.waitlist.remove(promotion.entry.id)
        booked.append(booking)
    return booked


def promoted_notice(promotion: Promotion, occurrence: Occurrence) -> NotificationDraft:
    payload: dict[str, Any] = {
        **occurrence_payload(occurrence),
        "changes": [],
        "pass": {"pass_id": promotion.pass_.id, "sessions_left": promotion.sessions_left},
    }
    return NotificationDraft(promotion.member_id, NotificationKind.WAITLIST_PROMOTED, payload)


def waitlist_cancelled_notice(entry: WaitlistEntry, payload: dict[str, Any]) -> NotificationDraft:
    """A cancelled occurrence's line is cleared; those in it are told, like the booked
    members, that the training is cancelled — and that nothing was deducted."""
    return NotificationDraft(entry.member_id, NotificationKind.CANCELLED, {**payload, "waitlisted": True})


def with_promotions(review: OverrideReview, promoted: tuple[Promotion, ...]) -> OverrideReview:
    """The override's review with the members it books from the line, and their notices."""
    notices = tuple(promoted_notice(promotion, review.after) for promotion in promoted)
    return replace(review, promoted=promoted, notifications=review.notifications + notices)


def with_waitlist_cleared(review: CancelReview, waitlisted: tuple[WaitlistEntry, ...]) -> CancelReview:
    """The cancellation's review with the line it clears, and their notices."""
    if review.already_cancelled or not waitlisted:
        return review
    payload = {**occurrence_payload(review.occurrence), "reason": review.reason}
    notices = tuple(waitlist_cancelled_notice(entry, payload) for entry in waitlisted)
    return replace(review, waitlisted=waitlisted, notifications=review.notifications + notices)
