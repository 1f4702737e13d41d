"""Rendering shared by every feature of the bot, written once: escaping for Telegram's
HTML, instants in the studio's zone, counted words, and paging a long list."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")


def escape(text: str) -> str:
    """For text between tags; quotes need no escaping there."""
    return html.escape(text, quote=False)


# -- instants, always in the studio's zone -----------------------------------------


def day(moment: datetime | date, zone: ZoneInfo) -> str:
    """`Tue 01 Dec`."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone)
    return moment.strftime("%a %d %b")


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """`18:00`."""
    return moment.astimezone(zone).strftime("%H:%M")


def day_and_clock(moment: datetime, zone: ZoneInfo) -> str:
    """`Tue 01 Dec 18:00`: compact, for lists and buttons."""
    return f"{day(moment, zone)} {clock(moment, zone)}"


def calendar_day(moment: datetime, zone: ZoneInfo) -> str:
    """`Fri 29 Jan 2027`: a day worth its year, like a pass's expiry."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local:%d %b %Y}"


def full_moment(moment: datetime, zone: ZoneInfo, *, same_day_as: datetime | None = None) -> str:
    """`Tue 1 Dec 2026, 18:00`, for messages read later; only `19:00` after the same day."""
    local = moment.astimezone(zone)
    if same_day_as is not None and same_day_as.astimezone(zone).date() == local.date():
        return local.strftime("%H:%M")
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


# -- counted words -------------------------------------------------------------------


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 member`, `3 members`; `many` where English does not add an s (`1 person`, `2 people`)."""
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def agree(count: int, one: str, many: str) -> str:
    """The verb that goes with a count: `agree(n, "is", "are")`."""
    return one if count == 1 else many


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# -- paging --------------------------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: the items shown, where they start, and how many pages there are."""

    items: Sequence[T]
    number: int  # 0-based, clamped to the pages that exist
    pages: int
    total: int
    offset: int  # of the first item shown, in the whole list

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.pages


def page_of(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Page `number` (0-based) of `items`; a list that shrank since the button was drawn
    shows its last page instead of an empty one."""
    pages = max(1, -(-len(items) // size))
    number = max(0, min(number, pages - 1))
    offset = number * size
    return Page(items[offset : offset + size], number, pages, len(items), offset)


def pages_for(total: int, size: int) -> int:
    """How many pages `total` items fill (at least one)."""
    return max(1, -(-total // size))
