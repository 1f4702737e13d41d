"""Callback data is short, versioned and parsed in one place; anything else is refused.
Typed ranges, times and capacities are read as a person means them, or not at all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks
from bot.callbacks import CallbackData, OneOf
from bot.context import TraineryApplication
from bot.ranges import (
    MAX_DAYS,
    QUICK_WORDS,
    RangeError,
    parse_capacity,
    parse_range,
    parse_time,
)
from bot.sessions.texts import EXPIRED_BUTTON
from domain.occurrence import OccurrenceKey
from tests.bot_harness import TRAINER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone

KEY = OccurrenceKey(987654, datetime(2030, 12, 31, 23, 59, tzinfo=UTC))
MONDAY = date(2026, 11, 30)
__all__ = ["app", "database_url", "fake"]  # fixtures, used by name


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


@given(st.sampled_from([f"{kind.tag}:" for kind in callbacks.declared()] + ["F1:sv:", "F1:sp:"]), st.text(alphabet="0123456789:-x", max_size=40))
def test_truncated_or_mangled_payloads_are_refused_or_exact(prefix: str, rest: str) -> None:
    parsed = callbacks.parse(prefix + rest)
    assert parsed is None or parsed.encode() == prefix + rest


def test_an_older_version_is_refused() -> None:
    assert callbacks.parse("C0:1:1796144400") is None


ids = st.integers(0, callbacks.ID_LIMIT - 1)
keys = st.builds(
    OccurrenceKey,
    ids,
    st.datetimes(datetime(1970, 1, 1), datetime(9999, 12, 31, 23, 59, 59), timezones=st.just(UTC)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
)
member_pages = st.integers(0, 999)
drawable = st.one_of(
    st.builds(
        lambda first, days, mine, page: callbacks.ListPage(first, first + timedelta(days=days), mine, page),
        st.dates(max_value=date(9998, 12, 31)),
        st.integers(0, MAX_DAYS - 1),
        st.booleans(),
        st.integers(0, 99_999),
    ),
    st.builds(callbacks.QuickPick, st.sampled_from(QUICK_WORDS), st.booleans()),
    st.builds(callbacks.OpenCard, keys),
    st.builds(callbacks.StartOverride, keys, ids),
    st.builds(callbacks.StartCancel, keys, ids),
    st.builds(callbacks.Step, st.sampled_from(sorted(callbacks.STEP_ACTIONS - callbacks.KEYED_STEPS)), st.none() | ids),
    st.builds(callbacks.Step, st.sampled_from(sorted(callbacks.KEYED_STEPS)), ids, keys),
    st.builds(callbacks.MemberView, st.sampled_from(sorted(callbacks.MEMBER_VIEWS)), member_pages),
    st.builds(callbacks.BookSession, keys, member_pages),
    st.builds(callbacks.JoinWaitlist, keys, member_pages),
    st.builds(callbacks.CancelBooking, ids, st.booleans()),
    st.builds(callbacks.LeaveWaitlist, ids),
    st.builds(callbacks.ShowBookings, keys),
    st.builds(callbacks.StaffCancelBooking, ids, st.booleans()),
)


@given(drawable)
def test_any_button_within_its_declared_bounds_round_trips_within_64_bytes(payload: callbacks.Callback) -> None:
    data = payload.encode()
    assert len(data.encode()) <= 64
    assert callbacks.parse(data) == payload
    assert type(payload).parse(data) == payload


@pytest.mark.parametrize(
    "data",
    [
        "K1:1",  # too short: the hand-written parser raised TypeError here
        "K1:1:1796144400:3",
        "C1:-1:1796144400",
        "C1:1:-1",
        "C1:1000000000000000000:1796144400",  # 19 digits
        "C1:1:253402300800",  # after the year 9999
        "O1:1:1796144400:-1",
        "F1:sp:-1",
        "F1:sv:5",  # keyed steps name a session and version; the others do not
        "F1:sv:1:1796144400",
        "F1:cap:1:1796144400",
        "F1:cap:1:1796144400:0",
        "F1:rv:",
        "V1:1000000000000000000",
        "Y1:-1:0",
        "Y1:1:2",
        "M1:book:1000",
        "M1:list:0",
        "L1:739951:739957:0:100000",
        "L1:0:739957:0:0",
        "Q1:fortnight:0",
        "Q1:week:1:",
    ],
)
def test_payloads_outside_their_declaration_are_refused(data: str) -> None:
    assert callbacks.parse(data) is None


def test_a_button_kind_parses_only_its_own_data() -> None:
    data = callbacks.OpenCard(KEY).encode()
    assert callbacks.OpenCard.parse(data) == callbacks.OpenCard(KEY)
    assert callbacks.ShowBookings.parse(data) is None
    assert callbacks.OpenCard.parse("C1:1") is None


# -- a /sessions page names a range as one may type it ---------------------------------


def list_page(first: date, last: date) -> str:
    return callbacks.ListPage(first, last, False, 0).encode()


def test_a_list_page_with_a_reversed_range_is_refused() -> None:
    assert callbacks.parse(list_page(date(2026, 12, 7), date(2026, 12, 1))) is None


def test_a_list_page_longer_than_a_typed_range_is_refused() -> None:
    first = date(2026, 12, 1)
    assert callbacks.parse(list_page(first, first + timedelta(days=MAX_DAYS - 1))) is not None  # 366 days
    assert callbacks.parse(list_page(first, first + timedelta(days=MAX_DAYS))) is None
    assert callbacks.parse(list_page(date.min, date.max)) is None  # every day there is


@given(st.dates(), st.dates())
def test_a_list_page_is_refused_exactly_when_the_typed_range_would_be(first: date, last: date) -> None:
    try:
        parse_range([first.isoformat(), last.isoformat()], MONDAY)
    except RangeError:
        typed = False
    else:
        typed = True
    assert (callbacks.parse(list_page(first, last)) is not None) == typed


@pytest.mark.parametrize(
    "data",
    [
        list_page(date(2026, 12, 7), date(2026, 12, 1)),  # ended before it started: a ValueError, once
        list_page(date(1, 1, 1), date(9999, 12, 31)),  # centuries of occurrences, once
        list_page(date(2026, 12, 1), date(2026, 12, 1) + timedelta(days=MAX_DAYS)),
    ],
)
async def test_a_forged_list_page_is_answered_as_expired_and_lists_nothing(app: TraineryApplication, fake: FakeBotApi, data: str) -> None:
    trainer = Phone(app, fake, TRAINER)
    listing = await trainer.send("/sessions week")
    answer = await trainer.press(data, listing["message_id"], forged=True)
    assert answer is not None and answer["text"] == EXPIRED_BUTTON
    assert fake.message(TRAINER, listing["message_id"]) == listing
    assert trainer.screen() == listing


# -- declarations: what the wire format cannot carry is refused when it is declared ----


def test_a_prefix_is_declared_once() -> None:
    with pytest.raises(TypeError, match="taken"):

        class Again(CallbackData, prefix="L"):
            page: int


def test_an_unbounded_word_is_not_callback_data() -> None:
    with pytest.raises(TypeError, match="no field of type"):

        class Free(CallbackData, prefix="Tf"):
            word: str


def test_optional_fields_must_be_told_apart_by_their_width() -> None:
    with pytest.raises(TypeError, match="ambiguous"):

        class Either(CallbackData, prefix="Te"):
            left: int | None = None
            right: int | None = None


def test_optional_fields_come_last() -> None:
    with pytest.raises(TypeError, match="after"):

        class Middle(CallbackData, prefix="Tm", layout=("maybe", "page")):
            page: int
            maybe: int | None = None


def test_data_that_could_outgrow_64_bytes_is_refused() -> None:
    with pytest.raises(TypeError, match="bytes"):

        class Two(CallbackData, prefix="Tt"):
            one: OccurrenceKey
            other: OccurrenceKey


def test_words_cannot_hold_the_separator() -> None:
    with pytest.raises(TypeError):
        OneOf({"a:b"})


def test_a_pattern_names_only_declared_choices() -> None:
    assert callbacks.Step.pattern("cap", "spc") == "^F1:(?:cap|spc)(?::|$)"
    with pytest.raises(ValueError, match="no first field"):
        callbacks.Step.pattern("cpa")
    with pytest.raises(ValueError, match="no first field"):
        callbacks.OpenCard.pattern("cap")


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

    from bot.admin.schedule_words import RecurrenceError, to_rrule

    try:
        rule = to_rrule(text)
    except RecurrenceError as error:
        assert str(error)
    else:
        rrulestr(rule, dtstart=datetime(2026, 12, 1, 18))  # dateutil accepts it
