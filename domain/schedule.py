"""Schedules and spaces: the studio's recurring trainings and where they happen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

STUDIO_DEFAULT_BOOKING_DEADLINE = timedelta(hours=2)


@dataclass(frozen=True)
class Space:
    id: int
    name: str
    max_capacity: int | None = None
    active: bool = True


@dataclass(frozen=True)
class Schedule:
    """A recurring training. `rrule` is an RFC 5545 RRULE without DTSTART; it is
    expanded from `starts_on` at `start_time` in the studio's wall-clock time."""

    id: int
    title: str
    rrule: str
    starts_on: date
    start_time: time
    duration: timedelta
    default_capacity: int
    default_space_id: int
    default_trainer_id: int
    closed: bool = False
    pass_template_id: int | None = None
    booking_deadline: timedelta | None = None
    active: bool = True
    # A private (1:1) session: capacity 1, never offered to members; staff book the
    # member onto it from the session card (domain/bookings/staff.py).
    private: bool = False

    def deadline(self) -> timedelta:
        return self.booking_deadline if self.booking_deadline is not None else STUDIO_DEFAULT_BOOKING_DEADLINE
