"""Callback data: short, versioned, and parsed in one place (STYLE: buttons carry no
authority — every action they name is checked again by the domain when it runs).

Each button's data is declared once, as a class whose fields are the data:

    class OpenCard(CallbackData, prefix="C"):
        key: OccurrenceKey

Its encoding (`C1:<schedule id>:<unix seconds>`), its parsing (`parse`) and the
pattern that routes its presses to a handler (`OpenCard.pattern()`, `pattern(A | B)`,
and `unknown_pattern()` for everything else) all follow from that declaration. A
payload is `<prefix><version>:<fields>`, the fields joined by ":"; a declaration whose
data could outgrow Telegram's 64 bytes is refused at import. Anything that does not
parse — expired, truncated, forged, or spelled other than the bot spells it — is None.

Field types: `int` (digits, 0 ≤ value < `Below(n)`, or up to 18 digits), `bool` (0 or
1), `date` (its ordinal), `OccurrenceKey` (`<schedule id>:<unix seconds>`), `str` from
a declared `OneOf(...)` set, and `X | None = None` after the other fields, left out
when None. A rule across fields goes in `valid()`, which parsing checks too.

The wire format of a declared button never changes: buttons in old messages keep
working across restarts (tests/test_callback_wire_format.py pins it). A new meaning
gets a new prefix or version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from itertools import combinations
from types import NoneType, UnionType
from typing import (
    Annotated,
    Any,
    ClassVar,
    Self,
    Union,
    cast,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

from bot.i18n import LANGUAGES
from bot.ranges import MAX_DAYS, QUICK_WORDS
from domain.occurrence import OccurrenceKey

VERSION = "1"
MAX_BYTES = 64  # Telegram's limit on callback data
ID_LIMIT = 10**18  # ids and versions: at most 18 digits
_SECONDS_LIMIT = 10**12  # unix seconds: up to the year 9999 fits in 12 digits


@dataclass(frozen=True)
class Below:
    """The bound of an int field: 0 ≤ value < limit."""

    limit: int


class OneOf:
    """The words a str field may hold."""

    def __init__(self, choices: Iterable[str]) -> None:
        self.choices = frozenset(choices)
        if not self.choices or any(not re.fullmatch(r"[a-z0-9]+", word) for word in self.choices):
            raise TypeError(f"OneOf needs short lowercase words, not {sorted(self.choices)}")


# -- how one field is written: `width` tokens between the colons -------------------------


class _Codec:
    width = 1  # tokens
    longest = 1  # characters, with the colons between its tokens

    def write(self, value: Any) -> list[str]:
        return [str(value)]

    def read(self, tokens: Sequence[str]) -> object:
        """The value; ValueError when the tokens are not one of this field."""
        raise NotImplementedError


class _Int(_Codec):
    def __init__(self, limit: int) -> None:
        self.limit, self.longest = limit, len(str(limit - 1))

    def read(self, tokens: Sequence[str]) -> int:
        return _number(tokens[0], self.limit)


class _Bool(_Codec):
    def write(self, value: Any) -> list[str]:
        return ["1" if value else "0"]

    def read(self, tokens: Sequence[str]) -> bool:
        if tokens[0] not in ("0", "1"):
            raise ValueError("not 0 or 1")
        return tokens[0] == "1"


class _Date(_Codec):
    longest = len(str(date.max.toordinal()))

    def write(self, value: Any) -> list[str]:
        return [str(value.toordinal())]

    def read(self, tokens: Sequence[str]) -> date:
        return date.fromordinal(_number(tokens[0], date.max.toordinal() + 1))


class _Key(_Codec):
    width = 2
    longest = len(str(ID_LIMIT - 1)) + 1 + len(str(_SECONDS_LIMIT - 1))

    def write(self, value: Any) -> list[str]:
        return [str(value.schedule_id), str(int(value.original_start.timestamp()))]

    def read(self, tokens: Sequence[str]) -> OccurrenceKey:
        schedule, seconds = tokens
        start = datetime.fromtimestamp(_number(seconds, _SECONDS_LIMIT), UTC)
        return OccurrenceKey(_number(schedule, ID_LIMIT), start)


class _Choice(_Codec):
    def __init__(self, choices: frozenset[str]) -> None:
        self.choices, self.longest = choices, max(map(len, choices))

    def read(self, tokens: Sequence[str]) -> str:
        if tokens[0] not in self.choices:
            raise ValueError("not one of the choices")
        return tokens[0]


def _number(token: str, limit: int) -> int:
    """Plain digits below `limit`: not `+5`, ` 5`, `-0` or `²`."""
    if not (token.isascii() and token.isdigit()) or len(token) > len(str(limit)):
        raise ValueError("not a number")
    value = int(token)
    if value >= limit:
        raise ValueError("out of range")
    return value


@dataclass(frozen=True)
class _Field:
    name: str
    codec: _Codec
    optional: bool  # `X | None = None`: left out of the data when None

    @classmethod
    def of(cls, name: str, hint: Any, default: object) -> _Field:
        optional = False
        if get_origin(hint) in (Union, UnionType):
            others = [arg for arg in get_args(hint) if arg is not NoneType]
            if len(others) != 1 or default is not None:
                raise TypeError(f"{name}: only `X | None = None` may be optional")
            hint, optional = others[0], True
        meta: tuple[Any, ...] = ()
        if get_origin(hint) is Annotated:
            hint, *rest = get_args(hint)
            meta = tuple(rest)
        return cls(name, _codec_of(name, hint, meta), optional)


def _codec_of(name: str, hint: Any, meta: tuple[Any, ...]) -> _Codec:
    kind = (hint, tuple(type(item) for item in meta))
    if kind == (int, ()):
        return _Int(ID_LIMIT)
    if kind == (int, (Below,)) and meta[0].limit > 0:
        return _Int(meta[0].limit)
    if kind == (str, (OneOf,)):
        return _Choice(meta[0].choices)
    plain: dict[Any, type[_Codec]] = {bool: _Bool, date: _Date, OccurrenceKey: _Key}
    if not meta and hint in plain:
        return plain[hint]()
    raise TypeError(f"{name}: callback data has no field of type {hint!r} {meta!r}")


def _shapes(specs: tuple[_Field, ...]) -> dict[int, tuple[_Field, ...]]:
    """Which fields a payload of so many tokens carries: all required ones, and the
    optional ones whose widths add up. Two ways to add up would make data ambiguous."""
    required = tuple(spec for spec in specs if not spec.optional)
    optional = [spec for spec in specs if spec.optional]
    if specs[: len(required)] != required:
        raise TypeError("optional fields come after the others")
    shapes: dict[int, tuple[_Field, ...]] = {}
    for count in range(len(optional) + 1):
        for present in combinations(optional, count):
            width = sum(spec.codec.width for spec in required + present)
            if width in shapes:
                raise TypeError(f"ambiguous optional fields: {[spec.name for spec in optional]}")
            shapes[width] = required + present
    return shapes


_REGISTRY: dict[str, type[CallbackData]] = {}


@dataclass_transform(frozen_default=True)
class CallbackData:
    """A button's data. A subclass is a frozen dataclass; its `prefix` (a letter or
    two) and the module's VERSION open its data, its fields follow in declaration
    order, or in `layout` when the data lists them otherwise."""

    tag: ClassVar[str]
    _fields: ClassVar[tuple[_Field, ...]]
    _shapes: ClassVar[dict[int, tuple[_Field, ...]]]

    def __init_subclass__(cls, *, prefix: str, layout: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True)(cls)
        tag = f"{prefix}{VERSION}"
        if not re.fullmatch(r"[A-Za-z]{1,3}", prefix) or tag in _REGISTRY:
            raise TypeError(f"{cls.__name__}: prefix {prefix!r} is taken or not a short word")
        hints = get_type_hints(cls, include_extras=True)
        declared = {field.name: field for field in fields(cls)}  # type: ignore[arg-type]
        names = tuple(layout) or tuple(declared)
        if sorted(names) != sorted(declared):
            raise TypeError(f"{cls.__name__}: layout {names} is not its fields {tuple(declared)}")
        specs = tuple(_Field.of(name, hints[name], declared[name].default) for name in names)
        longest = len(tag) + sum(1 + spec.codec.longest for spec in specs)
        if longest > MAX_BYTES:
            raise TypeError(f"{cls.__name__}: its data could take {longest} bytes, over {MAX_BYTES}")
        cls.tag, cls._fields, cls._shapes = tag, specs, _shapes(specs)
        _REGISTRY[tag] = cls

    def valid(self) -> bool:
        """A rule across fields that a forged button could break; parsing checks it."""
        return True

    def encode(self) -> str:
        parts = [self.tag]
        for spec in self._fields:
            value = getattr(self, spec.name)
            if not (spec.optional and value is None):
                parts += spec.codec.write(value)
        return ":".join(parts)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """This button's meaning, or None for anything else (see `parse` below)."""
        parsed = _parse(data)
        return parsed if isinstance(parsed, cls) else None

    @classmethod
    def pattern(cls, *choices: str) -> str:
        """The regex that routes these buttons to a handler; with `choices`, only those
        whose first field is one of them (`Step.pattern("cap", "spc")`)."""
        if not choices:
            return f"^{re.escape(cls.tag)}:"
        first = cls._fields[0].codec
        if not isinstance(first, _Choice) or not first.choices.issuperset(choices):
            raise ValueError(f"{cls.__name__} has no first field with {choices}")
        return f"^{re.escape(cls.tag)}:(?:{'|'.join(map(re.escape, choices))})(?::|$)"

    @classmethod
    def _read(cls, tokens: list[str]) -> Self:
        values: dict[str, object] = {}
        at = 0
        for spec in cls._shapes[len(tokens)]:
            values[spec.name] = spec.codec.read(tokens[at : at + spec.codec.width])
            at += spec.codec.width
        return cls(**values)


# -- the trainer flows (bot/sessions/) ----------------


class ListPage(CallbackData, prefix="L"):
    """A page of `/sessions`: a range as one may type it (bot/ranges.py) — in order and
    at most MAX_DAYS days — so a forged one cannot ask for centuries."""

    first: date
    last: date
    mine: bool
    page: Annotated[int, Below(100_000)]  # past the end shows the last page

    def valid(self) -> bool:
        return self.first <= self.last and (self.last - self.first).days < MAX_DAYS


class QuickPick(CallbackData, prefix="Q"):
    word: Annotated[str, OneOf(QUICK_WORDS)]
    mine: bool


class OpenCard(CallbackData, prefix="C"):
    key: OccurrenceKey


class StartOverride(CallbackData, prefix="O"):
    key: OccurrenceKey
    version: int


class StartCancel(CallbackData, prefix="X"):
    key: OccurrenceKey
    version: int


class StartSubstitute(CallbackData, prefix="Su"):
    """The card's Substitute: the trainer picker at once, then the review."""

    key: OccurrenceKey
    version: int


STEP_ACTIONS = frozenset(
    {"cap", "spc", "trn", "dt", "tgl", "rv", "back", "quit", "sp", "tr", "d", "wk", "skip", "sv", "cx"}
)
KEYED_STEPS = frozenset({"sv", "cx"})  # carry the session and its version


class Step(CallbackData, prefix="F", layout=("action", "key", "arg")):
    """A button inside an override or cancel conversation: `F1:rv`, `F1:sp:<space id>`.
    Saving and confirming also name the session and its version
    (`F1:sv:<schedule id>:<seconds>:<version>`), so a late or double tap finds the
    fresh card."""

    action: Annotated[str, OneOf(STEP_ACTIONS)]
    arg: int | None = None
    key: OccurrenceKey | None = None

    def valid(self) -> bool:
        keyed = self.action in KEYED_STEPS
        return (self.key is not None) == keyed and (self.arg is not None or not keyed)


# -- the member flows (bot/members/) --------------------------------------

MEMBER_VIEWS = frozenset({"my", "book"})
MEMBER_PAGES = Below(1000)


class MemberView(CallbackData, prefix="M"):
    """Show `/my` or a page of `/book` again."""

    view: Annotated[str, OneOf(MEMBER_VIEWS)]
    page: Annotated[int, MEMBER_PAGES] = 0


class BookSession(CallbackData, prefix="B"):
    """Book the member who pressed on this session; `page` is the /book page to show after."""

    key: OccurrenceKey
    page: Annotated[int, MEMBER_PAGES] = 0


class JoinWaitlist(CallbackData, prefix="W"):
    key: OccurrenceKey
    page: Annotated[int, MEMBER_PAGES] = 0


class CancelBooking(CallbackData, prefix="Y"):
    """Ask first (`confirmed` False), then cancel the presser's own booking."""

    booking_id: int
    confirmed: bool = False


class LeaveWaitlist(CallbackData, prefix="V"):
    entry_id: int


class OpenBooking(CallbackData, prefix="Rb"):
    """A reminder's button: `/my` at the page that shows this booking of the presser's."""

    booking_id: int


class ShowBookings(CallbackData, prefix="K"):
    """Staff: the members booked on a session, each with a cancel button."""

    key: OccurrenceKey


class StaffCancelBooking(CallbackData, prefix="Z"):
    """Staff: ask first (`confirmed` False), then cancel a member's booking."""

    booking_id: int
    confirmed: bool = False


class BookingsPage(CallbackData, prefix="KP"):
    """Staff: a page of the members booked on a session (`ShowBookings` is its first)."""

    key: OccurrenceKey
    page: Annotated[int, Below(10_000)]  # past the end shows the last page


class StaffBookPick(CallbackData, prefix="SB"):
    """Staff: a page of the members who could be booked onto a session (issue 14)."""

    key: OccurrenceKey
    page: Annotated[int, Below(10_000)] = 0  # past the end shows the last page


class StaffBookMember(CallbackData, prefix="SBM"):
    """Staff: review (`confirmed` False), then book this member onto the session."""

    key: OccurrenceKey
    member_id: int
    confirmed: bool = False


# -- the admin lists (bot/admin/) ------------------------------------------

ADMIN_LISTS = frozenset({"spaces", "trainers", "members", "admins", "templates", "schedules"})


class AdminListPage(CallbackData, prefix="A"):
    """A page of `/spaces`, `/trainers`, `/members`, `/admins`, `/templates` or `/schedules`."""

    what: Annotated[str, OneOf(ADMIN_LISTS)]
    page: Annotated[int, Below(10_000)]  # past the end shows the last page


class PassesPage(CallbackData, prefix="P"):
    """A page of `/passes <member>`; the member by id, as names may be long."""

    member_id: int
    page: Annotated[int, Below(10_000)]


class ScheduleCard(CallbackData, prefix="Sc"):
    """A schedule's card, opened from `/schedules`: what it is, with Edit / End / Skip a date."""

    schedule_id: int


SCHEDULE_ACTIONS = frozenset({"edit", "end", "skip"})


class ScheduleAction(CallbackData, prefix="Sa"):
    """Edit, End or Skip a date on a schedule's card: the command to send, filled in
    (the command does the change, checked by the domain)."""

    schedule_id: int
    action: Annotated[str, OneOf(SCHEDULE_ACTIONS)]


class ConfirmInvites(CallbackData, prefix="IR"):
    """Confirm of a `/invite_member` review: the review by its number in the chat's data
    (the names do not fit in a button); a stale or second tap finds none, creating nothing."""

    review: Annotated[int, Below(10**9)]


# -- /settings (bot/settings_screen.py) ------------------------------------------------

SETTINGS = frozenset({"rem", "day"})  # reminders, the trainer's day (bot/settings_screen.py)


class SwitchSetting(CallbackData, prefix="Pf"):
    """Switch one of the presser's own settings on or off (a repeat press changes nothing)."""

    setting: Annotated[str, OneOf(SETTINGS)]
    on: bool


class ChooseLanguage(CallbackData, prefix="Lg"):
    """The presser's own language, from /settings or /language (bot/settings_screen.py)."""

    language: Annotated[str, OneOf(frozenset(LANGUAGES))]


MemberCallback = MemberView | BookSession | JoinWaitlist | CancelBooking | LeaveWaitlist
StaffCallback = ShowBookings | StaffCancelBooking | BookingsPage | StaffBookPick | StaffBookMember
AdminCallback = AdminListPage | PassesPage | ConfirmInvites
ScheduleCallback = ScheduleCard | ScheduleAction
Callback = (
    ListPage
    | QuickPick
    | OpenCard
    | StartOverride
    | StartCancel
    | StartSubstitute
    | Step
    | MemberCallback
    | StaffCallback
    | AdminCallback
    | ScheduleCallback
    | OpenBooking
    | SwitchSetting
    | ChooseLanguage
)


def parse(data: str | None) -> Callback | None:
    """The button's meaning, or None for anything expired, truncated or forged."""
    return cast("Callback | None", _parse(data))


def _parse(data: str | None) -> CallbackData | None:
    if not data or len(data) > MAX_BYTES or not data.isascii():
        return None
    tag, _, rest = data.partition(":")
    kind = _REGISTRY.get(tag)
    if kind is None:
        return None
    try:
        parsed = kind._read(rest.split(":") if rest else [])
    except (KeyError, ValueError, OverflowError, OSError):
        return None
    # One button, one spelling: `F1:sp:00` or `B1:+5:…` are not what any button carries.
    return parsed if parsed.valid() and parsed.encode() == data else None


def declared() -> tuple[type[CallbackData], ...]:
    """Every kind of button, in the order declared."""
    return tuple(_REGISTRY.values())


def pattern(*kinds: type[CallbackData] | UnionType) -> str:
    """The regex that routes any of these buttons to one handler: `pattern(ListPage | QuickPick)`."""
    tags = [kind.tag for kind in _kinds(kinds)]
    return "^(?:" + "|".join(map(re.escape, tags)) + "):"


def unknown_pattern(*others: str) -> str:
    """The regex for presses that no declared button owns, nor one of the `others`
    prefixes (data a module declares and parses itself, like `bk1:`)."""
    prefixes = [f"{kind.tag}:" for kind in declared()] + list(others)
    return "^(?!(?:" + "|".join(map(re.escape, prefixes)) + "))"


def _kinds(kinds: Iterable[type[CallbackData] | UnionType]) -> list[type[CallbackData]]:
    found: list[type[CallbackData]] = []
    for kind in kinds:
        members = get_args(kind) if isinstance(kind, UnionType) else (kind,)
        for member in members:
            if not (isinstance(member, type) and issubclass(member, CallbackData)) or member is CallbackData:
                raise TypeError(f"{member!r} is not declared callback data")
            found.append(member)
    return found
