"""Expanding a schedule's RRULE into original starts (SPEC §1).

The rule runs on naive wall-clock times in the studio's zone, so 18:00 stays 18:00
across daylight-saving changes; each wall-clock start is then placed in the zone
(a start inside a spring-forward gap moves forward by the gap, as clocks do).

dateutil iterates from DTSTART, so expanding a range of an old schedule would cost
as much as its whole history. For rules without COUNT the start is first moved
forward by whole periods of the rule (which keeps every later instance the same),
so the cost grows with the range asked for, not with the schedule's age.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from domain.schedule import Schedule

# Wall-clock offsets differ from UTC by at most a day; expand a little wider.
_MARGIN = timedelta(days=1, hours=2)
_DAY_DEPENDENT = ("BYMONTHDAY", "BYDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS")


def to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in `zone` as an aware UTC instant (fold=0: the first
    of two ambiguous times; a time in a gap lands after it)."""
    return wall.replace(tzinfo=zone).astimezone(UTC)


def to_wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


@lru_cache(maxsize=4096)
def _parts(rule_text: str) -> Mapping[str, str]:
    text = rule_text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return MappingProxyType(
        {
            key.strip().upper(): value.strip().upper()
            for key, _, value in (part.partition("=") for part in text.split(";") if part.strip())
        }
    )


def _rule(schedule: Schedule, not_before: datetime) -> rrule:
    """The schedule's rule, with DTSTART moved as close to `not_before` as is exact."""
    dtstart = datetime.combine(schedule.starts_on, schedule.start_time)
    parts = _parts(schedule.rrule)
    text = schedule.rrule
    if "COUNT" not in parts and not_before > dtstart:
        interval = int(parts.get("INTERVAL", "1"))
        freq = parts.get("FREQ")
        if freq in ("DAILY", "WEEKLY"):
            step = timedelta(days=interval * (7 if freq == "WEEKLY" else 1))
            dtstart += step * ((not_before - dtstart) // step)
        elif freq == "MONTHLY":
            if not any(key in parts for key in _DAY_DEPENDENT):
                text = f"{text};BYMONTHDAY={dtstart.day}"  # keep the day when a month is short
            months = (not_before.year - dtstart.year) * 12 + not_before.month - dtstart.month - 1
            dtstart += relativedelta(months=interval * max(0, months // interval))
    return _parsed(text, dtstart)


@lru_cache(maxsize=4096)
def _parsed(text: str, dtstart: datetime) -> rrule:
    """Parsing is most of an expansion's cost, and a listing asks for the same rules
    from the same (fast-forwarded) start again and again. The key is the rule's
    text and start, so an edited schedule can never get a stale rule."""
    parsed = rrulestr(text, dtstart=dtstart)
    assert isinstance(parsed, rrule), "an RRULE without RDATE/EXDATE parses to one rule"
    return parsed


def original_starts(schedule: Schedule, zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The original starts (aware UTC) of the schedule's occurrences in [start, end)."""
    return list(_original_starts(schedule, zone, start, end))


@lru_cache(maxsize=8192)
def _original_starts(schedule: Schedule, zone: ZoneInfo, start: datetime, end: datetime) -> tuple[datetime, ...]:
    """Trainers list the same weeks over and over. The key holds every value of the
    schedule (a frozen dataclass), so an edited schedule is expanded afresh. A
    schedule edited from a date on is expanded era by era, each at its own time."""
    if schedule.eras:
        return tuple(
            instant
            for since, until, values in schedule.segments()
            for instant in _original_starts(values, zone, max(start, since or start), min(end, until or end))
        )
    if end <= start:
        return ()
    low = to_wall(start, zone) - _MARGIN
    high = to_wall(end, zone) + _MARGIN
    walls = _rule(schedule, low).between(low, high, inc=True)
    instants = (to_utc(wall, zone) for wall in walls)
    return tuple(instant for instant in instants if start <= instant < end)


def is_original_start(schedule: Schedule, zone: ZoneInfo, instant: datetime) -> bool:
    return instant in original_starts(schedule, zone, instant, instant + timedelta(seconds=1))


def ended_rule(rule_text: str, last_day: date) -> str:
    """The rule with no instance after `last_day` (an UNTIL at its end, in wall-clock
    time, as /schedule_add writes one); a COUNT gives way to it, since RFC 5545 allows
    only one of the two. Meant for a rule that has instances after the day."""
    text = rule_text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    kept = [p for p in text.split(";") if p.strip() and p.partition("=")[0].strip().upper() not in ("UNTIL", "COUNT")]
    return ";".join([*kept, f"UNTIL={last_day:%Y%m%d}T235959"])
