"""Schedules and spaces: the studio's recurring trainings and where they happen."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

STUDIO_DEFAULT_BOOKING_DEADLINE = timedelta(hours=2)


@dataclass(frozen=True)
class Space:
    id: int
    name: str
    max_capacity: int | None = None
    active: bool = True


@dataclass(frozen=True)
class ScheduleEra:
    """The values a schedule had before an edit from a date on: they hold for the
    occurrences whose original start lies before `until` (the edit's first day,
    00:00 in the studio's zone, as an aware UTC instant)."""

    until: datetime
    title: str
    start_time: time
    duration: timedelta
    default_capacity: int
    default_space_id: int
    default_trainer_id: int


EDITABLE = ("title", "start_time", "duration", "default_capacity", "default_space_id", "default_trainer_id")


@dataclass(frozen=True)
class Schedule:
    """A recurring training. `rrule` is an RFC 5545 RRULE without DTSTART; it is
    expanded from `starts_on` at `start_time` in the studio's wall-clock time.

    The fields hold the values from the last edit's date on; `eras` the earlier
    ones, oldest first (domain/setup/schedule_edit.py). `on(original_start)` is the
    schedule as one occurrence sees it, so every rule that reads an occurrence's
    defaults reads the ones of its date."""

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
    eras: tuple[ScheduleEra, ...] = ()

    def on(self, original_start: datetime) -> Schedule:
        """The schedule with the values of the era `original_start` falls in."""
        if not self.eras:  # most schedules, on every occurrence of every list
            return self
        era = next((era for era in self.eras if original_start < era.until), None)
        if era is None:
            return replace(self, eras=())
        return replace(self, eras=(), **{name: getattr(era, name) for name in EDITABLE})

    def segments(self) -> list[tuple[datetime | None, datetime | None, Schedule]]:
        """[from, until) of each era and of the current values, with the schedule as
        it is then (no eras); None: open-ended."""
        found: list[tuple[datetime | None, datetime | None, Schedule]] = []
        since: datetime | None = None
        for era in self.eras:
            found.append((since, era.until, self.on(era.until - timedelta(microseconds=1))))
            since = era.until
        found.append((since, None, replace(self, eras=())))
        return found

    @property
    def longest(self) -> timedelta:
        """The longest duration of any of its eras (what may keep a slot busy)."""
        return max([self.duration, *(era.duration for era in self.eras)])

    def deadline(self) -> timedelta:
        return self.booking_deadline if self.booking_deadline is not None else STUDIO_DEFAULT_BOOKING_DEADLINE
