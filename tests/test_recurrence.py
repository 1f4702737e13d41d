"""SPEC §1 recurrence: wall-clock times across daylight saving; cost follows the range."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from domain.listing import DateRange
from domain.recurrence import _rule, is_original_start, original_starts, to_wall
from domain.schedule import Schedule

BERLIN = ZoneInfo("Europe/Berlin")


def weekly(rule: str = "FREQ=WEEKLY;BYDAY=TU", starts_on: date = date(2026, 1, 6), at: time = time(18)) -> Schedule:
    return Schedule(1, "Yoga", rule, starts_on, at, timedelta(hours=1), 10, 1, 1)


def local_times(schedule: Schedule, first: date, last: date) -> list[str]:
    start, end = DateRange(first, last).instants(BERLIN)
    return [to_wall(s, BERLIN).strftime("%Y-%m-%d %H:%M") for s in original_starts(schedule, BERLIN, start, end)]


def test_weekly_class_stays_at_18_across_the_march_change() -> None:
    # Berlin springs forward on Sunday 2026-03-29.
    assert local_times(weekly(), date(2026, 3, 20), date(2026, 4, 3)) == [
        "2026-03-24 18:00", "2026-03-31 18:00",
    ]
    start, end = DateRange(date(2026, 3, 20), date(2026, 4, 3)).instants(BERLIN)
    utc_hours = [s.hour for s in original_starts(weekly(), BERLIN, start, end)]
    assert utc_hours == [17, 16]  # the same wall clock, a different UTC instant


def test_weekly_class_stays_at_18_across_the_october_change() -> None:
    # Berlin falls back on Sunday 2026-10-25.
    assert local_times(weekly(), date(2026, 10, 19), date(2026, 11, 1)) == [
        "2026-10-20 18:00", "2026-10-27 18:00",
    ]


def test_a_start_inside_the_spring_gap_moves_forward_like_the_clocks() -> None:
    night = weekly("FREQ=DAILY", date(2026, 3, 28), time(2, 30))
    assert local_times(night, date(2026, 3, 28), date(2026, 3, 30)) == [
        "2026-03-28 02:30", "2026-03-29 03:30", "2026-03-30 02:30",
    ]


def test_monthly_on_the_31st_skips_short_months_even_years_later() -> None:
    monthly = weekly("FREQ=MONTHLY", date(2016, 1, 31))
    assert local_times(monthly, date(2026, 1, 1), date(2026, 6, 30)) == [
        "2026-01-31 18:00", "2026-03-31 18:00", "2026-05-31 18:00",
    ]


def test_count_and_until_end_the_schedule() -> None:
    counted = weekly("FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    assert len(local_times(counted, date(2026, 1, 1), date(2026, 12, 31))) == 3
    until = weekly("FREQ=WEEKLY;BYDAY=TU;UNTIL=20260120T235959")
    assert local_times(until, date(2026, 1, 1), date(2026, 12, 31)) == [
        "2026-01-06 18:00", "2026-01-13 18:00", "2026-01-20 18:00",
    ]


def test_every_other_week_keeps_its_rhythm_far_from_the_start() -> None:
    biweekly = weekly("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2016, 1, 5))
    days = local_times(biweekly, date(2026, 1, 1), date(2026, 1, 31))
    assert days == ["2026-01-06 18:00", "2026-01-20 18:00"]  # 2016-01-05 + 261 fortnights = 2026-01-06
    assert (date(2026, 1, 6) - date(2016, 1, 5)).days % 14 == 0


def test_expansion_starts_near_the_range_not_at_the_schedule_start() -> None:
    """The cost grows with the range, not the schedule's age: the rule used for an
    old schedule begins within one period of the range asked for."""
    ancient = weekly("FREQ=DAILY", date(1990, 1, 1))
    wall = datetime(2026, 11, 1, 0, 0)
    assert wall - _rule(ancient, wall)._dtstart < timedelta(days=1)  # type: ignore[attr-defined]
    old_weekly = weekly("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH", date(1990, 1, 1))
    assert wall - _rule(old_weekly, wall)._dtstart < timedelta(weeks=3)  # type: ignore[attr-defined]
    # and the answer equals a full expansion from the true start
    start, end = DateRange(date(2026, 11, 1), date(2026, 11, 30)).instants(BERLIN)
    from dateutil.rrule import rrulestr

    full = rrulestr(old_weekly.rrule, dtstart=datetime(1990, 1, 1, 18)).between(
        to_wall(start, BERLIN), to_wall(end, BERLIN), inc=True
    )
    assert [to_wall(s, BERLIN) for s in original_starts(old_weekly, BERLIN, start, end)] == full


def test_only_instances_of_the_rule_are_original_starts() -> None:
    schedule = weekly()
    tuesday = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)  # 18:00 Berlin
    assert is_original_start(schedule, BERLIN, tuesday)
    assert not is_original_start(schedule, BERLIN, tuesday + timedelta(hours=1))
    assert not is_original_start(schedule, BERLIN, tuesday + timedelta(days=1))
