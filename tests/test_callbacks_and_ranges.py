"""Callback data is short, versioned and parsed in one place; anything else is refused.
Typed ranges, times and capacities are read as a person means them, or not at all."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks
from bot.ranges import RangeError, parse_capacity, parse_range, parse_time
from domain.occurrence import OccurrenceKey

KEY = OccurrenceKey(987654, datetime(2030, 12, 31, 23, 59, tzinfo=timezone.utc))
MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    "payload",
    [
        callbacks.ListPage(date(2026, 12, 1), date(2027, 11, 30), True, 45),
        callbacks.QuickPick("nextweek", True),
        callbacks.OpenCard(KEY),
        callbacks.StartOverride(KEY, 123456),
        callbacks.StartCancel(KEY, 123456),
        callbacks.Step("sv", 123456, KEY),
        callbacks.Step("cx", 1, KEY),
        callbacks.Step("sp", 99999),
        callbacks.Step("rv"),
    ],
)
def test_every_payload_round_trips_within_64_bytes(payload: callbacks.Callback) -> None:
    encoded = payload.encode()
    assert len(encoded.encode()) <= 64
    assert callbacks.parse(encoded) == payload


@given(st.text(max_size=80))
def test_random_data_never_raises(data: str) -> None:
    parsed = callbacks.parse(data)
    assert parsed is None or parsed.encode() == data


@given(st.sampled_from(["L1:", "Q1:", "C1:", "O1:", "X1:", "F1:sv:", "F1:sp:"]), st.text(alphabet="0123456789:-x", max_size=40))
def test_truncated_or_mangled_payloads_are_refused_or_exact(prefix: str, rest: str) -> None:
    parsed = callbacks.parse(prefix + rest)
    assert parsed is None or parsed.encode() == prefix + rest


def test_an_older_version_is_refused() -> None:
    assert callbacks.parse("C0:1:1796144400") is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["today"], (MONDAY, MONDAY, False)),
        (["tomorrow", "mine"], (date(2026, 12, 1), date(2026, 12, 1), True)),
        (["WEEK"], (MONDAY, date(2026, 12, 6), False)),
        (["nextweek"], (date(2026, 12, 7), date(2026, 12, 13), False)),
        (["mine"], (MONDAY, date(2026, 12, 6), True)),
        (["2026-12-24"], (date(2026, 12, 24), date(2026, 12, 24), False)),
        (["mine", "2026-12-01", "2026-12-14"], (date(2026, 12, 1), date(2026, 12, 14), True)),
    ],
)
def test_ranges(args: list[str], expected: tuple[date, date, bool]) -> None:
    request = parse_range(args, MONDAY)
    assert request is not None and (request.first, request.last, request.mine) == expected


def test_no_range_asks_for_a_quick_pick() -> None:
    assert parse_range([], MONDAY) is None


@given(st.lists(st.text(max_size=30), max_size=4))
def test_any_arguments_give_a_range_or_a_clear_error(args: list[str]) -> None:
    try:
        request = parse_range(args, MONDAY)
    except RangeError as error:
        assert "e.g." in str(error) or "Examples" in str(error) or "range" in str(error)
    else:
        assert request is None or request.first <= request.last


@pytest.mark.parametrize(("text", "expected"), [("18:30", (18, 30)), ("7.05", (7, 5)), ("1830", (18, 30)), ("9", (9, 0)), (" 07:00 ", (7, 0))])
def test_times(text: str, expected: tuple[int, int]) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "18:60", "noon", "", "18:3:0", "-1", "１８:００x"])
def test_not_times(text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize(("text", "expected"), [("12", 12), (" 3 ", 3), ("0", None), ("-2", None), ("1.5", None), ("twelve", None), ("9999999", None)])
def test_capacities(text: str, expected: int | None) -> None:
    assert parse_capacity(text) == expected


@given(st.text(max_size=200))
def test_any_typed_time_is_a_time_or_refused(text: str) -> None:
    parsed = parse_time(text)
    assert parsed is None or (0 <= parsed[0] < 24 and 0 <= parsed[1] < 60)


@given(st.text(max_size=200))
def test_any_typed_capacity_is_a_positive_number_or_refused(text: str) -> None:
    parsed = parse_capacity(text)
    assert parsed is None or 0 < parsed < 1_000_000


@given(st.text(max_size=1200))
def test_any_reason_is_one_clean_line_or_a_clear_refusal(text: str) -> None:
    from domain.cancellation import MAX_REASON_LENGTH, clean_reason
    from domain.errors import InvalidReason

    try:
        reason = clean_reason(text)
    except InvalidReason as error:
        assert "at most 500" in str(error)
    else:
        assert reason is None or (len(reason) <= MAX_REASON_LENGTH and "\n" not in reason and reason == reason.strip())


@given(st.text(max_size=120))
def test_any_typed_recurrence_is_a_valid_rule_or_a_clear_refusal(text: str) -> None:
    from datetime import datetime

    from dateutil.rrule import rrulestr

    from bot.schedule_words import RecurrenceError, to_rrule

    try:
        rule = to_rrule(text)
    except RecurrenceError as error:
        assert str(error)
    else:
        rrulestr(rule, dtstart=datetime(2026, 12, 1, 18))  # dateutil accepts it
