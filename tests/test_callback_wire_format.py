"""The wire format of every button, pinned. Buttons live on in messages already sent,
so data the bot once wrote must mean the same thing after every restart and every
change to bot/callbacks.py. These literals were written by the hand-made encoders
that the declared callback data replaced; never edit one to make a test pass — a
button that needs other data gets a new prefix or version instead."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from bot import callbacks
from bot.callbacks import (
    AdminListPage,
    ConfirmInvites,
    BookingsPage,
    BookSession,
    CancelBooking,
    ChooseLanguage,
    JoinWaitlist,
    LeaveWaitlist,
    ListPage,
    MemberView,
    OpenBooking,
    OpenCard,
    PassesPage,
    QuickPick,
    ScheduleAction,
    ScheduleCard,
    ShowBookings,
    StaffBookMember,
    StaffBookPick,
    StaffCancelBooking,
    StartCancel,
    StartOverride,
    StartSubstitute,
    Step,
    SwitchSetting,
)
from bot.members import book_again
from domain.occurrence import OccurrenceKey

BERLIN = ZoneInfo("Europe/Berlin")
KEY = OccurrenceKey(987654, datetime(2030, 12, 31, 23, 59, tzinfo=UTC))
LOCAL = OccurrenceKey(17, datetime(2026, 12, 1, 18, 30, tzinfo=BERLIN))  # written as UTC seconds
EPOCH = OccurrenceKey(1, datetime(1970, 1, 1, tzinfo=UTC))
LONGEST = OccurrenceKey(10**18 - 1, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))

WIRE: list[tuple[callbacks.Callback, str]] = [
    (ListPage(date(2026, 12, 1), date(2026, 12, 7), False, 0), "L1:739951:739957:0:0"),
    (ListPage(date(2026, 12, 1), date(2027, 11, 30), True, 45), "L1:739951:740315:1:45"),
    (ListPage(date(2026, 11, 30), date(2026, 11, 30), True, 3), "L1:739950:739950:1:3"),
    (ListPage(date(2026, 1, 1), date(2027, 1, 1), False, 99999), "L1:739617:739982:0:99999"),
    (QuickPick("today", False), "Q1:today:0"),
    (QuickPick("today", True), "Q1:today:1"),
    (QuickPick("tomorrow", False), "Q1:tomorrow:0"),
    (QuickPick("tomorrow", True), "Q1:tomorrow:1"),
    (QuickPick("week", False), "Q1:week:0"),
    (QuickPick("week", True), "Q1:week:1"),
    (QuickPick("nextweek", False), "Q1:nextweek:0"),
    (QuickPick("nextweek", True), "Q1:nextweek:1"),
    (OpenCard(KEY), "C1:987654:1924991940"),
    (OpenCard(LOCAL), "C1:17:1796146200"),
    (OpenCard(EPOCH), "C1:1:0"),
    (OpenCard(LONGEST), "C1:999999999999999999:253402300799"),
    (StartOverride(KEY, 123456), "O1:987654:1924991940:123456"),
    (StartOverride(LOCAL, 0), "O1:17:1796146200:0"),
    (StartCancel(KEY, 123456), "X1:987654:1924991940:123456"),
    (StartCancel(LOCAL, 0), "X1:17:1796146200:0"),
    (StartSubstitute(KEY, 123456), "Su1:987654:1924991940:123456"),
    (StartSubstitute(LOCAL, 0), "Su1:17:1796146200:0"),
    (StartSubstitute(LONGEST, 10**18 - 1), "Su1:999999999999999999:253402300799:999999999999999999"),
    (Step("cap"), "F1:cap"),
    (Step("spc"), "F1:spc"),
    (Step("trn"), "F1:trn"),
    (Step("dt"), "F1:dt"),
    (Step("tgl"), "F1:tgl"),
    (Step("rv"), "F1:rv"),
    (Step("back"), "F1:back"),
    (Step("quit"), "F1:quit"),
    (Step("skip"), "F1:skip"),
    (Step("sp", 3), "F1:sp:3"),
    (Step("tr", 99999), "F1:tr:99999"),
    (Step("d", date(2026, 12, 24).toordinal()), "F1:d:739974"),
    (Step("wk", date(2026, 12, 8).toordinal()), "F1:wk:739958"),
    (Step("sp", 0), "F1:sp:0"),
    (Step("tr", 10**18 - 1), "F1:tr:999999999999999999"),
    (Step("sv", 123456, KEY), "F1:sv:987654:1924991940:123456"),
    (Step("cx", 1, KEY), "F1:cx:987654:1924991940:1"),
    (Step("sv", 0, LOCAL), "F1:sv:17:1796146200:0"),
    (Step("cx", 10**18 - 1, LONGEST), "F1:cx:999999999999999999:253402300799:999999999999999999"),
    (MemberView("my"), "M1:my:0"),
    (MemberView("book"), "M1:book:0"),
    (MemberView("book", 2), "M1:book:2"),
    (MemberView("book", 999), "M1:book:999"),
    (MemberView("my", 0), "M1:my:0"),
    (BookSession(KEY), "B1:987654:1924991940:0"),
    (BookSession(LOCAL, 4), "B1:17:1796146200:4"),
    (BookSession(LONGEST, 999), "B1:999999999999999999:253402300799:999"),
    (JoinWaitlist(KEY), "W1:987654:1924991940:0"),
    (JoinWaitlist(LOCAL, 4), "W1:17:1796146200:4"),
    (JoinWaitlist(LONGEST, 999), "W1:999999999999999999:253402300799:999"),
    (CancelBooking(42), "Y1:42:0"),
    (CancelBooking(42, True), "Y1:42:1"),
    (CancelBooking(10**18 - 1, True), "Y1:999999999999999999:1"),
    (LeaveWaitlist(7), "V1:7"),
    (LeaveWaitlist(10**18 - 1), "V1:999999999999999999"),
    (ShowBookings(KEY), "K1:987654:1924991940"),
    (ShowBookings(LOCAL), "K1:17:1796146200"),
    (StaffCancelBooking(17), "Z1:17:0"),
    (StaffCancelBooking(17, True), "Z1:17:1"),
    (StaffCancelBooking(10**18 - 1, True), "Z1:999999999999999999:1"),
    # Paging (issue 12): new kinds, pinned from their first day.
    (MemberView("my", 3), "M1:my:3"),  # /my pages with the page MemberView always carried
    (BookingsPage(KEY, 0), "KP1:987654:1924991940:0"),
    (BookingsPage(LONGEST, 9999), "KP1:999999999999999999:253402300799:9999"),
    (AdminListPage("members", 0), "A1:members:0"),
    (AdminListPage("spaces", 2), "A1:spaces:2"),
    (AdminListPage("trainers", 1), "A1:trainers:1"),
    (AdminListPage("admins", 1), "A1:admins:1"),
    (AdminListPage("templates", 1), "A1:templates:1"),
    (AdminListPage("schedules", 9999), "A1:schedules:9999"),
    (PassesPage(42, 1), "P1:42:1"),
    (ConfirmInvites(7), "IR1:7"),
    (PassesPage(10**18 - 1, 9999), "P1:999999999999999999:9999"),
    # A schedule's card and its actions (issue 14).
    (ScheduleCard(42), "Sc1:42"),
    (ScheduleCard(10**18 - 1), "Sc1:999999999999999999"),
    (ScheduleAction(42, "edit"), "Sa1:42:edit"),
    (ScheduleAction(42, "end"), "Sa1:42:end"),
    (ScheduleAction(10**18 - 1, "skip"), "Sa1:999999999999999999:skip"),
    # Staff booking a member from the card (issue 14): new kinds, pinned from their first day.
    (StaffBookPick(KEY), "SB1:987654:1924991940:0"),
    (StaffBookPick(LONGEST, 9999), "SB1:999999999999999999:253402300799:9999"),
    (StaffBookMember(KEY, 42), "SBM1:987654:1924991940:42:0"),
    (StaffBookMember(LOCAL, 42, True), "SBM1:17:1796146200:42:1"),
    (StaffBookMember(LONGEST, 10**18 - 1, True), "SBM1:999999999999999999:253402300799:999999999999999999:1"),
    # Reminders and /settings (issue 13): new kinds, pinned from their first day.
    (OpenBooking(42), "Rb1:42"),
    (OpenBooking(10**18 - 1), "Rb1:999999999999999999"),
    (SwitchSetting("rem", False), "Pf1:rem:0"),
    (SwitchSetting("rem", True), "Pf1:rem:1"),
    (SwitchSetting("day", False), "Pf1:day:0"),
    (SwitchSetting("day", True), "Pf1:day:1"),
    # The language in /settings and /language (issue 17): a new kind, pinned from its first day.
    (ChooseLanguage("en"), "Lg1:en"),
    (ChooseLanguage("uk"), "Lg1:uk"),
    (ChooseLanguage("de"), "Lg1:de"),
]


@pytest.mark.parametrize(("payload", "wire"), WIRE, ids=[wire for _, wire in WIRE])
def test_every_button_is_written_as_before(payload: callbacks.Callback, wire: str) -> None:
    assert payload.encode() == wire


@pytest.mark.parametrize(("payload", "wire"), WIRE, ids=[wire for _, wire in WIRE])
def test_buttons_in_old_messages_mean_what_they_meant(payload: callbacks.Callback, wire: str) -> None:
    assert len(wire.encode()) <= 64
    assert callbacks.parse(wire) == payload


def test_every_kind_of_button_is_pinned() -> None:
    assert {type(payload) for payload, _ in WIRE} == set(get_args(callbacks.Callback)) == set(callbacks.declared())


@pytest.mark.parametrize(("payload", "wire"), WIRE, ids=[wire for _, wire in WIRE])
def test_each_button_is_routed_by_its_own_pattern_alone(payload: callbacks.Callback, wire: str) -> None:
    assert [kind for kind in callbacks.declared() if re.match(kind.pattern(), wire)] == [type(payload)]
    assert not re.match(callbacks.unknown_pattern(book_again.PREFIX), wire)
    if isinstance(payload, Step):
        routed = [action for action in sorted(callbacks.STEP_ACTIONS) if re.match(Step.pattern(action), wire)]
        assert routed == [payload.action]


def test_the_handlers_patterns_take_what_they_took_before() -> None:
    assert callbacks.pattern(ListPage | QuickPick) == "^(?:L1|Q1):"
    assert callbacks.pattern(callbacks.MemberCallback) == "^(?:M1|B1|W1|Y1|V1):"
    assert Step.pattern() == "^F1:"
    assert Step.pattern("d", "wk") == "^F1:(?:d|wk)(?::|$)"


@pytest.mark.parametrize("data", ["garbage", "x", "C0:1:1796144400", "L2:1:1:0:0", "bk2:1:1", "F1", "l1:1"])
def test_presses_nobody_owns_go_to_the_fallback(data: str) -> None:
    assert re.match(callbacks.unknown_pattern(book_again.PREFIX), data)


def test_the_book_again_button_is_not_taken_for_unknown() -> None:
    assert not re.match(callbacks.unknown_pattern(book_again.PREFIX), "bk1:17:1796146200")
