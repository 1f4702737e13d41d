"""What an admin is warned of before a new schedule is stored (SPEC §4): its sessions
meeting existing sessions in the same space or with the same trainer, and a monthly
rule that skips the months without its day (the 31st). Warnings, not refusals: the
admin may mean it (two groups sharing a hall) and confirms.

Pure: it looks at the new schedule's sessions of its first year and the existing
occurrences of that time, as lists and the Occurrence aggregate show them (overrides
applied, cancelled ones left out)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.occurrence import Occurrence
from domain.recurrence import original_starts, to_utc
from domain.schedule import Schedule

HORIZON = timedelta(days=366)  # how far the new schedule's sessions are compared


class ScheduleWarningKind(StrEnum):
    SPACE_BUSY = "space_busy"
    TRAINER_BUSY = "trainer_busy"
    SKIPS_MONTHS = "skips_months"


@dataclass(frozen=True)
class ScheduleWarning:
    kind: ScheduleWarningKind
    other: Occurrence | None = None  # the first existing session met, of one schedule
    count: int = 0  # how many of the new sessions meet that schedule's sessions
    months: tuple[date, ...] = ()  # the first day of each month skipped


def first_start(schedule: Schedule, zone: ZoneInfo) -> datetime:
    return to_utc(datetime.combine(schedule.starts_on, schedule.start_time), zone)


def review_schedule(
    schedule: Schedule, zone: ZoneInfo, existing: Sequence[Occurrence], since: datetime | None = None
) -> list[ScheduleWarning]:
    """The warnings for `schedule` against `existing` (occurrences of the first HORIZON
    of the new schedule, from the longest duration before its first start). With
    `since` — an edit from a date on — its sessions from then on, against the other
    schedules' sessions; the rule is not new, so its months are not warned of again."""
    start = first_start(schedule, zone) if since is None else max(since, first_start(schedule, zone))
    starts = original_starts(schedule, zone, start, start + HORIZON)
    clashes = _clashes(schedule, starts, existing)
    return clashes if since is not None else clashes + _skipped_months(schedule, zone, starts)


def _clashes(schedule: Schedule, starts: list[datetime], existing: Sequence[Occurrence]) -> list[ScheduleWarning]:
    others = sorted(
        (o for o in existing if o.schedule.active and not o.cancelled and o.schedule.id != schedule.id),
        key=lambda o: o.start,
    )
    longest = max((o.schedule.duration for o in others), default=timedelta(0))
    moments = [o.start for o in others]
    met: dict[tuple[ScheduleWarningKind, int], list[Occurrence]] = {}
    for start in starts:
        values = schedule.on(start)  # the values of its era, for a schedule edited from a date on
        end = start + values.duration
        for other in others[bisect_left(moments, start - longest) : bisect_left(moments, end)]:
            if not other.overlaps(start, end):
                continue
            if other.space_id == values.default_space_id:
                met.setdefault((ScheduleWarningKind.SPACE_BUSY, other.schedule.id), []).append(other)
            if other.trainer_id == values.default_trainer_id:
                met.setdefault((ScheduleWarningKind.TRAINER_BUSY, other.schedule.id), []).append(other)
    return [ScheduleWarning(kind, found[0], len(found)) for (kind, _), found in met.items()]


def _skipped_months(schedule: Schedule, zone: ZoneInfo, starts: list[datetime]) -> list[ScheduleWarning]:
    """A monthly rule on a day some months lack (dateutil skips those months): the
    months between its first and last session (of the horizon) that get none."""
    parts = {key.upper(): value for key, _, value in (p.partition("=") for p in schedule.rrule.split(";"))}
    if parts.get("FREQ", "").upper() != "MONTHLY" or parts.keys() & {"BYMONTHDAY", "BYDAY", "BYSETPOS"}:
        return []
    if schedule.starts_on.day <= 28 or len(starts) < 2:
        return []
    interval = int(parts.get("INTERVAL", "1") or 1)
    held = {_month(start.astimezone(zone).date()) for start in starts}
    first, last = _month(schedule.starts_on), max(held)
    expected = []
    month = first
    while month <= last:
        expected.append(month)
        month = _add_months(month, interval)
    skipped = tuple(m for m in expected if m not in held)
    return [ScheduleWarning(ScheduleWarningKind.SKIPS_MONTHS, months=skipped)] if skipped else []


def _month(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)
