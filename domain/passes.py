"""Pass templates, passes and their ledger (SPEC §1, §5).

Every use and refund is a ledger entry; a pass's balance is the sum of its ledger.
An unlimited pass (no session count) records its uses and refunds with delta 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.booking import Booking
from domain.schedule import Schedule


@dataclass(frozen=True)
class PassTemplate:
    id: int
    name: str
    sessions: int | None  # None: unlimited
    validity: timedelta
    covered_schedule_ids: frozenset[int] = frozenset()
    active: bool = True

    def covers(self, schedule: Schedule) -> bool:
        """A closed schedule is covered by its own template only; an open one by the
        templates that list it."""
        return _covers(self.id, self.covered_schedule_ids, schedule)


@dataclass(frozen=True)
class Pass:
    id: int
    member_id: int
    template_id: int
    sessions_left: int | None  # None: unlimited
    granted_at: datetime
    expires_at: datetime
    covered_schedule_ids: frozenset[int] = frozenset()
    active: bool = True

    @property
    def unlimited(self) -> bool:
        return self.sessions_left is None

    def covers(self, schedule: Schedule) -> bool:
        return _covers(self.template_id, self.covered_schedule_ids, schedule)

    def usable_for(self, schedule: Schedule, session_start: datetime, now: datetime) -> bool:
        """SPEC §1: active, sessions left, not expired (now nor at the session), covering the training."""
        return self.usable_now(now) and session_start < self.expires_at and self.covers(schedule)

    def usable_now(self, now: datetime) -> bool:
        """Active, sessions left, not expired: what any session it pays for needs."""
        has_sessions = self.unlimited or (self.sessions_left or 0) > 0
        return self.active and has_sessions and now < self.expires_at


def _covers(template_id: int, covered: frozenset[int], schedule: Schedule) -> bool:
    if schedule.closed:
        return schedule.pass_template_id == template_id
    return schedule.id in covered


class LedgerKind(StrEnum):
    GRANT = "grant"
    USE = "use"
    REFUND = "refund"
    TOPUP = "topup"  # sessions an admin added to a pass


@dataclass(frozen=True)
class LedgerEntry:
    pass_id: int
    kind: LedgerKind
    delta: int
    at: datetime
    booking_id: int | None = None


def use_entry(pass_: Pass, booking_id: int, at: datetime) -> LedgerEntry:
    return LedgerEntry(pass_.id, LedgerKind.USE, 0 if pass_.unlimited else -1, at, booking_id)


def refund_entries(bookings: Iterable[Booking], at: datetime) -> list[LedgerEntry]:
    """One refund entry per booking; an unlimited pass (balance None) gets its entry
    with delta 0."""
    return [
        LedgerEntry(b.pass_id, LedgerKind.REFUND, 0 if b.pass_sessions_left is None else 1, at, b.id) for b in bookings
    ]


@dataclass(frozen=True)
class PassExtension:
    """A pass's expiry moved on by `days` because the session a booking of it paid
    for was cancelled (once per refunded booking); `expires_at` is the expiry after."""

    pass_id: int
    booking_id: int
    days: int
    at: datetime
    expires_at: datetime


def plan_extensions(
    bookings: Iterable[Booking], passes: Iterable[Pass], days: int, at: datetime
) -> list[PassExtension]:
    """`days` more for each refunded booking's pass (a pass that paid for several of
    the cancelled sessions gets them for each); none when the studio gives none."""
    if days <= 0:
        return []
    expiry = {p.id: p.expires_at for p in passes}
    extensions = []
    for booking in bookings:
        if booking.pass_id not in expiry:
            continue
        expiry[booking.pass_id] += timedelta(days=days)
        extensions.append(PassExtension(booking.pass_id, booking.id, days, at, expiry[booking.pass_id]))
    return extensions


def grant_entry(pass_id: int, sessions: int | None, at: datetime) -> LedgerEntry:
    return LedgerEntry(pass_id, LedgerKind.GRANT, sessions or 0, at)


def topup_entry(pass_id: int, sessions: int, at: datetime) -> LedgerEntry:
    return LedgerEntry(pass_id, LedgerKind.TOPUP, sessions, at)


def pick_pass(passes: list[Pass], schedule: Schedule, session_start: datetime, now: datetime) -> Pass | None:
    """The usable pass that expires first, so no session is wasted."""
    usable = [p for p in passes if p.usable_for(schedule, session_start, now)]
    return min(usable, key=lambda p: (p.expires_at, p.id), default=None)
