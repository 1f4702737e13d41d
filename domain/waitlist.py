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

The plan here is pure; `domain/aggregate.py` carries it out inside the command.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.booking import WaitlistEntry
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import Occurrence
from domain.passes import Pass, pick_pass
from domain.payloads import occurrence_payload
from domain.roles import Person, Role


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


def plan_promotions(
    occurrence: Occurrence,
    booked: int,
    line: Iterable[WaitlistEntry],
    members: Mapping[int, Person],
    passes: Iterable[Pass],
    now: datetime,
) -> tuple[Promotion, ...]:
    """Who in `line` gets the spots free on `occurrence` (as it is after the change)
    when `booked` bookings remain, paid from `passes` (those of the people in line)."""
    free = occurrence.capacity - booked
    if free <= 0 or not promotes(occurrence, now):
        return ()
    held: dict[int, list[Pass]] = {}
    for pass_ in passes:
        held.setdefault(pass_.member_id, []).append(pass_)
    promotions: list[Promotion] = []
    for entry in line:
        if len(promotions) == free:
            break
        person = members.get(entry.member_id)
        if person is None or not person.holds(Role.MEMBER):
            continue
        chosen = pick_pass(held.get(entry.member_id, []), occurrence.schedule, occurrence.start, now)
        if chosen is not None:  # else passed over for this spot; keeps their place
            promotions.append(Promotion(entry, chosen))
    return tuple(promotions)


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
