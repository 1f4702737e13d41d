"""The occurrence list for a date range (SPEC §2.1): expanded from the rules, merged
with the stored occurrence records, a moved occurrence shown at its new time only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.occurrence import Occurrence, OccurrenceKey, OccurrenceRecord
from domain.recurrence import original_starts, to_utc
from domain.schedule import Schedule


@dataclass(frozen=True)
class DateRange:
    """Inclusive local dates; as instants, [first 00:00, day after last 00:00)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a range ends on or after its first day")

    def instants(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        start = to_utc(datetime.combine(self.first, time()), zone)
        end = to_utc(datetime.combine(self.last + timedelta(days=1), time()), zone)
        return start, end


def merge_occurrences(
    schedules: Iterable[Schedule],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    records: Iterable[OccurrenceRecord],
    booked: Mapping[int, int],
) -> list[Occurrence]:
    """Occurrences whose effective start lies in [start, end), sorted by start.

    `records` must hold every stored record whose original or effective start lies
    in the range; records of schedules not given are ignored.
    """
    by_id = {schedule.id: schedule for schedule in schedules}
    stored = {record.key: record for record in records if record.schedule_id in by_id}
    keys = {
        OccurrenceKey(schedule.id, original)
        for schedule in by_id.values()
        for original in original_starts(schedule, zone, start, end)
    }
    keys.update(key for key, record in stored.items() if start <= record.start < end)
    occurrences = []
    for key in keys:
        record = stored.get(key) or OccurrenceRecord.blank(key)
        if start <= record.start < end:
            count = booked.get(record.id, 0) if record.id is not None else 0
            occurrences.append(Occurrence.of(by_id[key.schedule_id], record, count))
    occurrences.sort(key=lambda o: (o.start, o.title, o.schedule.id))
    return occurrences


def led_by(occurrences: Iterable[Occurrence], trainer_id: int) -> list[Occurrence]:
    """The sessions a trainer leads now, substitutions included."""
    return [o for o in occurrences if o.trainer_id == trainer_id]
