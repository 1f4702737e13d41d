"""Callback data: short, versioned, and parsed in one place (STYLE: buttons carry no
authority — every action they name is checked again by the domain when it runs).

Every payload is `<tag><version>:<fields>` and stays under Telegram's 64 bytes.
Anything that does not parse is an expired or forged button.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date, datetime, timezone

from domain.occurrence import OccurrenceKey

VERSION = "1"


@dataclass(frozen=True)
class ListPage:
    first: date
    last: date
    mine: bool
    page: int

    def encode(self) -> str:
        return f"L{VERSION}:{self.first.toordinal()}:{self.last.toordinal()}:{int(self.mine)}:{self.page}"


@dataclass(frozen=True)
class QuickPick:
    word: str
    mine: bool

    def encode(self) -> str:
        return f"Q{VERSION}:{self.word}:{int(self.mine)}"


@dataclass(frozen=True)
class OpenCard:
    key: OccurrenceKey

    def encode(self) -> str:
        return f"C{VERSION}:{_key(self.key)}"


@dataclass(frozen=True)
class StartOverride:
    key: OccurrenceKey
    version: int

    def encode(self) -> str:
        return f"O{VERSION}:{_key(self.key)}:{self.version}"


@dataclass(frozen=True)
class StartCancel:
    key: OccurrenceKey
    version: int

    def encode(self) -> str:
        return f"X{VERSION}:{_key(self.key)}:{self.version}"


@dataclass(frozen=True)
class Step:
    """A button inside an override or cancel conversation. Saving and confirming also
    name the session and its version, so a late or double tap finds the fresh card."""

    action: str
    arg: int | None = None
    key: OccurrenceKey | None = None

    def encode(self) -> str:
        parts = [f"F{VERSION}", self.action]
        if self.key is not None:
            parts.append(_key(self.key))
        if self.arg is not None:
            parts.append(str(self.arg))
        return ":".join(parts)


# -- the member flows (bot/handlers/member.py) --------------------------------------

MEMBER_VIEWS = frozenset({"my", "book"})


@dataclass(frozen=True)
class MemberView:
    """Show `/my` or a page of `/book` again."""

    view: str
    page: int = 0

    def encode(self) -> str:
        return f"M{VERSION}:{self.view}:{self.page}"


@dataclass(frozen=True)
class BookSession:
    """Book the member who pressed on this session; `page` is the /book page to show after."""

    key: OccurrenceKey
    page: int = 0

    def encode(self) -> str:
        return f"B{VERSION}:{_key(self.key)}:{self.page}"


@dataclass(frozen=True)
class JoinWaitlist:
    key: OccurrenceKey
    page: int = 0

    def encode(self) -> str:
        return f"W{VERSION}:{_key(self.key)}:{self.page}"


@dataclass(frozen=True)
class CancelBooking:
    """Ask first (`confirmed` False), then cancel the presser's own booking."""

    booking_id: int
    confirmed: bool = False

    def encode(self) -> str:
        return f"Y{VERSION}:{self.booking_id}:{int(self.confirmed)}"


@dataclass(frozen=True)
class LeaveWaitlist:
    entry_id: int

    def encode(self) -> str:
        return f"V{VERSION}:{self.entry_id}"


@dataclass(frozen=True)
class ShowBookings:
    """Staff: the members booked on a session, each with a cancel button."""

    key: OccurrenceKey

    def encode(self) -> str:
        return f"K{VERSION}:{_key(self.key)}"


@dataclass(frozen=True)
class StaffCancelBooking:
    """Staff: ask first (`confirmed` False), then cancel a member's booking."""

    booking_id: int
    confirmed: bool = False

    def encode(self) -> str:
        return f"Z{VERSION}:{self.booking_id}:{int(self.confirmed)}"


MemberCallback = MemberView | BookSession | JoinWaitlist | CancelBooking | LeaveWaitlist
StaffCallback = ShowBookings | StaffCancelBooking
Callback = ListPage | QuickPick | OpenCard | StartOverride | StartCancel | Step | MemberCallback | StaffCallback
STEP_ACTIONS = frozenset(
    {"cap", "spc", "trn", "dt", "tgl", "rv", "back", "quit", "sp", "tr", "d", "wk", "skip", "sv", "cx"}
)
_KEYED_STEPS = frozenset({"sv", "cx"})


# Prefixes some handler owns; anything else is answered as an expired button.
KNOWN_PREFIXES = ("L1:", "Q1:", "C1:", "O1:", "X1:", "F1:", "bk1:", "M1:", "B1:", "W1:", "Y1:", "V1:", "K1:", "Z1:")
MEMBER_PATTERN = r"^[MBWYV]1:"
UNKNOWN_PATTERN = "^(?!(" + "|".join(KNOWN_PREFIXES) + "))"


def _key(key: OccurrenceKey) -> str:
    return f"{key.schedule_id}:{int(key.original_start.timestamp())}"


def _parse_key(schedule: str, seconds: str) -> OccurrenceKey:
    return OccurrenceKey(int(schedule), datetime.fromtimestamp(int(seconds), timezone.utc))


def parse(data: str | None) -> Callback | None:
    """The button's meaning, or None for anything expired, truncated or forged."""
    if not data or len(data) > 64:
        return None
    tag, _, rest = data.partition(":")
    fields = rest.split(":") if rest else []
    try:
        parsed = _PARSERS[tag](fields)
    except (KeyError, ValueError, IndexError, OverflowError, OSError):
        return None
    # One button, one spelling: `F1:sp:00` or `B1:+5:…` are not what any button carries.
    return parsed if parsed.encode() == data else None


def _list(fields: list[str]) -> ListPage:
    first, last, mine, page = fields
    if mine not in ("0", "1") or int(page) < 0:
        raise ValueError("bad list page")
    return ListPage(date.fromordinal(int(first)), date.fromordinal(int(last)), mine == "1", int(page))


def _quick(fields: list[str]) -> QuickPick:
    word, mine = fields
    if word not in ("today", "tomorrow", "week", "nextweek") or mine not in ("0", "1"):
        raise ValueError("bad quick pick")
    return QuickPick(word, mine == "1")


def _card(fields: list[str]) -> OpenCard:
    schedule, seconds = fields
    return OpenCard(_parse_key(schedule, seconds))


def _override(fields: list[str]) -> StartOverride:
    schedule, seconds, version = fields
    return StartOverride(_parse_key(schedule, seconds), int(version))


def _cancel(fields: list[str]) -> StartCancel:
    schedule, seconds, version = fields
    return StartCancel(_parse_key(schedule, seconds), int(version))


def _step(fields: list[str]) -> Step:
    action, *rest = fields
    if action not in STEP_ACTIONS:
        raise ValueError("unknown step")
    if action in _KEYED_STEPS:
        schedule, seconds, version = rest
        return Step(action, int(version), _parse_key(schedule, seconds))
    if len(rest) > 1:
        raise ValueError("too many fields")
    return Step(action, int(rest[0]) if rest else None)


def _member_view(fields: list[str]) -> MemberView:
    view, page = fields
    if view not in MEMBER_VIEWS:
        raise ValueError("unknown view")
    return MemberView(view, _page(page))


def _book(fields: list[str]) -> BookSession:
    schedule, seconds, page = fields
    return BookSession(_parse_key(schedule, seconds), _page(page))


def _join(fields: list[str]) -> JoinWaitlist:
    schedule, seconds, page = fields
    return JoinWaitlist(_parse_key(schedule, seconds), _page(page))


def _cancel_booking(fields: list[str]) -> CancelBooking:
    booking, confirmed = fields
    if confirmed not in ("0", "1"):
        raise ValueError("bad confirmation")
    return CancelBooking(_id(booking), confirmed == "1")


def _leave(fields: list[str]) -> LeaveWaitlist:
    (entry,) = fields
    return LeaveWaitlist(_id(entry))


def _page(text: str) -> int:
    page = int(text)
    if not 0 <= page < 1000:
        raise ValueError("bad page")
    return page


def _id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise ValueError("bad id")
    return int(text)


_PARSERS = {
    f"L{VERSION}": _list,
    f"Q{VERSION}": _quick,
    f"C{VERSION}": _card,
    f"O{VERSION}": _override,
    f"X{VERSION}": _cancel,
    f"F{VERSION}": _step,
    f"M{VERSION}": _member_view,
    f"B{VERSION}": _book,
    f"W{VERSION}": _join,
    f"Y{VERSION}": _cancel_booking,
    f"V{VERSION}": _leave,
    f"K{VERSION}": lambda fields: ShowBookings(_parse_key(*fields)),
    f"Z{VERSION}": lambda fields: StaffCancelBooking(*astuple(_cancel_booking(fields))),
}
