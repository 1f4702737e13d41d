"""Occurrences: one dated instance of a schedule, identified by (schedule, original
start) — RFC 5545's RECURRENCE-ID — with its overrides and cancellation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain.schedule import Schedule


@dataclass(frozen=True, order=True)
class OccurrenceKey:
    schedule_id: int
    original_start: datetime  # aware UTC


@dataclass(frozen=True)
class OccurrenceRecord:
    """What is stored for an occurrence that carries overrides, a cancellation or
    bookings. A `None` override means "the schedule's default"."""

    schedule_id: int
    original_start: datetime
    start: datetime
    capacity: int | None = None
    space_id: int | None = None
    trainer_id: int | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    version: int = 0
    id: int | None = None

    @property
    def key(self) -> OccurrenceKey:
        return OccurrenceKey(self.schedule_id, self.original_start)

    @classmethod
    def blank(cls, key: OccurrenceKey) -> OccurrenceRecord:
        return cls(schedule_id=key.schedule_id, original_start=key.original_start, start=key.original_start)


@dataclass(frozen=True)
class Occurrence:
    """An occurrence as people see it: the schedule's defaults with its overrides applied."""

    schedule: Schedule
    record: OccurrenceRecord
    booked: int = 0

    @classmethod
    def of(cls, schedule: Schedule, record: OccurrenceRecord, booked: int = 0) -> Occurrence:
        """`schedule` as this occurrence's date sees it (its era, for one edited from a date on)."""
        return cls(schedule=schedule.on(record.original_start), record=record, booked=booked)

    @property
    def key(self) -> OccurrenceKey:
        return self.record.key

    @property
    def title(self) -> str:
        return self.schedule.title

    @property
    def start(self) -> datetime:
        return self.record.start

    @property
    def end(self) -> datetime:
        return self.start + self.schedule.duration

    @property
    def capacity(self) -> int:
        return self.record.capacity if self.record.capacity is not None else self.schedule.default_capacity

    @property
    def space_id(self) -> int:
        return self.record.space_id if self.record.space_id is not None else self.schedule.default_space_id

    @property
    def trainer_id(self) -> int:
        return self.record.trainer_id if self.record.trainer_id is not None else self.schedule.default_trainer_id

    @property
    def cancelled(self) -> bool:
        return self.record.cancelled_at is not None

    @property
    def version(self) -> int:
        return self.record.version

    @property
    def overridden(self) -> tuple[str, ...]:
        """Which fields differ from the schedule's defaults, in a fixed order."""
        fields = []
        if self.start != self.record.original_start:
            fields.append("time")
        if self.capacity != self.schedule.default_capacity:
            fields.append("capacity")
        if self.space_id != self.schedule.default_space_id:
            fields.append("space")
        if self.trainer_id != self.schedule.default_trainer_id:
            fields.append("trainer")
        return tuple(fields)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end

    def with_values(self, *, start: datetime, capacity: int, space_id: int, trainer_id: int) -> Occurrence:
        """This occurrence with new effective values; an override equal to the
        schedule's default is stored as no override."""
        schedule = self.schedule
        record = replace(
            self.record,
            start=start,
            capacity=None if capacity == schedule.default_capacity else capacity,
            space_id=None if space_id == schedule.default_space_id else space_id,
            trainer_id=None if trainer_id == schedule.default_trainer_id else trainer_id,
        )
        return replace(self, record=record)
