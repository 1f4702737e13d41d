"""Rendering shared by every feature of the bot, written once: escaping for Telegram's
HTML, instants in the studio's zone in the reader's language, Telegram's limits, and
paging a long list. Counted words are `ngettext`'s (bot/i18n.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import i18n
from bot.i18n import _, pgettext

T = TypeVar("T")

# -- Telegram's limits -------------------------------------------------------------------

MAX_TEXT = 4096  # characters of a message's visible text (counted after the HTML is parsed)
MAX_BUTTONS = 100  # inline buttons on one message
_TAG = re.compile(r"<[^>]*>")


def visible_length(text: str) -> int:
    """What Telegram counts against MAX_TEXT: the text without its tags, each entity
    (`&amp;`) one character, trimmed."""
    return len(html.unescape(_TAG.sub("", text)).strip())


def clip(text: str, limit: int) -> str:
    """Plain `text` on one line and at most `limit` characters, cut visibly with "…";
    for what has no bound of its own (a list of titles, a recurrence rule). Escape after."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """For text between tags; quotes need no escaping there."""
    return html.escape(text, quote=False)


# -- instants, always in the studio's zone, in the reader's language ------------------

# Babel (CLDR) patterns per language and shape. English keeps the compact forms it
# always had ("Tue 01 Dec"); Ukrainian and German read as their own calendars do.
_PATTERNS: dict[str, dict[str, str]] = {
    "en": {
        "day": "EEE dd MMM",
        "clock": "HH:mm",
        "day_and_clock": "EEE dd MMM HH:mm",
        "calendar_day": "EEE dd MMM y",
        "full_moment": "EEE d MMM y, HH:mm",
        "whole_day": "EEE d MMM y",
        "short_date": "dd MMM y",
        "date_and_clock": "dd MMM y HH:mm",
        "month": "LLL y",
        "weekday": "EEE",
    },
    "uk": {
        "day": "EEE, dd MMM",
        "clock": "HH:mm",
        "day_and_clock": "EEE, dd MMM HH:mm",
        "calendar_day": "EEE, dd MMM y",
        "full_moment": "EEE, d MMM y, HH:mm",
        "whole_day": "EEE, dd MMM y",
        "short_date": "dd MMM y",
        "date_and_clock": "dd MMM y HH:mm",
        "month": "LLL y",
        "weekday": "EEE",
    },
    "de": {
        "day": "EEE, dd. MMM",
        "clock": "HH:mm",
        "day_and_clock": "EEE, dd. MMM HH:mm",
        "calendar_day": "EEE, dd. MMM y",
        "full_moment": "EEE, d. MMM y, HH:mm",
        "whole_day": "EEE, dd. MMM y",
        "short_date": "dd. MMM y",
        "date_and_clock": "dd MMM y HH:mm",
        "month": "LLL y",
        "weekday": "EEE",
    },
}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)  # parsed once: a list formats dozens of instants


def _formatted(moment: datetime | date, shape: str) -> str:
    """`moment` (already in the studio's zone) in the current language's `shape`."""
    if isinstance(moment, datetime):  # equal instants of other zones or offsets read differently
        return _format(moment, moment.tzinfo, moment.utcoffset(), shape, i18n.current())
    return _format(moment, None, None, shape, i18n.current())


@lru_cache(maxsize=4096)
def _format(moment: datetime | date, zone: tzinfo | None, offset: timedelta | None, shape: str, language: str) -> str:
    """Kept: the same sessions are shown to hundreds of people, and Babel takes a
    CLDR pattern apart each time (a burst of /book spent a tenth of its time here)."""
    # A language added with its catalog alone: English's shapes, its own names of days and months.
    pattern = _PATTERNS.get(language, _PATTERNS[i18n.SOURCE])[shape]
    locale = _locale(language)
    if isinstance(moment, datetime):
        return format_datetime(moment, pattern, tzinfo=zone, locale=locale)
    return format_date(moment, pattern, locale=locale)


def day(moment: datetime | date, zone: ZoneInfo) -> str:
    """`Tue 01 Dec` (`Di., 01. Dez.`, `вт, 01 груд.`)."""
    if isinstance(moment, datetime):
        return _formatted(moment.astimezone(zone), "day")
    return _formatted(moment, "day")


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """`18:00`."""
    return _formatted(moment.astimezone(zone), "clock")


def day_and_clock(moment: datetime, zone: ZoneInfo) -> str:
    """`Tue 01 Dec 18:00`: compact, for lists and buttons."""
    return _formatted(moment.astimezone(zone), "day_and_clock")


def calendar_day(moment: datetime, zone: ZoneInfo) -> str:
    """`Fri 29 Jan 2027`: a day worth its year, like a pass's expiry."""
    return _formatted(moment.astimezone(zone), "calendar_day")


def full_moment(moment: datetime, zone: ZoneInfo, *, same_day_as: datetime | None = None) -> str:
    """`Tue 1 Dec 2026, 18:00`, for messages read later; only `19:00` after the same day."""
    local = moment.astimezone(zone)
    if same_day_as is not None and same_day_as.astimezone(zone).date() == local.date():
        return _formatted(local, "clock")
    return _formatted(local, "full_moment")


def whole_day(day: date) -> str:
    """`Tue 1 Dec 2026`: a day with its year, like the trainer's day heading."""
    return _formatted(day, "whole_day")


def short_date(moment: datetime, zone: ZoneInfo) -> str:
    """`07 Dec 2026`: until when a demo's links work."""
    return _formatted(moment.astimezone(zone).date(), "short_date")


def date_and_clock(moment: datetime, zone: ZoneInfo) -> str:
    """`07 Dec 2026 08:00`: until when an invite link works."""
    return _formatted(moment.astimezone(zone), "date_and_clock")


def month(first_day: date) -> str:
    """`Feb 2027`: a month named on its own."""
    return _formatted(first_day, "month")


def weekday(day: date) -> str:
    """`Tue` (`Di.`, `вт`)."""
    return _formatted(day, "weekday")


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


def span(page: Page[Any], noun: str) -> str:
    """The line under a paged list: `Members 21–40 of 160 · page 2/8`; `noun` comes
    translated from the caller (its list knows what it holds)."""
    first, last = page.offset + 1, page.offset + len(page.items)
    if page.pages == 1:
        return _("{noun} {first}–{last} of {total}").format(noun=noun, first=first, last=last, total=page.total)
    return _("{noun} {first}–{last} of {total} · page {page}/{pages}").format(
        noun=noun, first=first, last=last, total=page.total, page=page.number + 1, pages=page.pages
    )


def page_row(number: int, pages: int, data: Callable[[int], str]) -> list[InlineKeyboardButton]:
    """The buttons that turn the pages of a list, the same everywhere: ◀ Previous and
    Next ▶ where there is a page to go to. `data(n)` is the data of the button that
    shows page n (0-based); empty on a list of one page."""
    row = []
    if number > 0:
        row.append(InlineKeyboardButton(pgettext("button", "◀ Previous"), callback_data=data(number - 1)))
    if number + 1 < pages:
        row.append(InlineKeyboardButton(pgettext("button", "Next ▶"), callback_data=data(number + 1)))
    return row


@dataclass(frozen=True)
class Listing:
    """A list to show a page at a time: a heading, one HTML line per item, and what to
    say when there is none. `size` lines fit a page whatever they hold: each list
    chooses it from its longest possible line (see the README's paging line)."""

    heading: str
    lines: Sequence[str]
    empty: str
    noun: str  # for the span line, translated: "Members 21–40 of 160"
    size: int
    data: Callable[[int], str]  # the callback data of the button that shows page n
    # A button per item that opens it (label, callback data), parallel to `lines`; the
    # page shows those of its items above the page buttons. Empty: a list to read only.
    opens: Sequence[tuple[str, str]] = ()


def listing_page(listing: Listing, number: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `number` (0-based; past the end shows the last) as text and its buttons."""
    if not listing.lines:
        return f"{listing.heading}\n{listing.empty}", None
    page = page_of(listing.lines, number, listing.size)
    text = "\n".join([listing.heading, *page.items])
    opens = listing.opens[page.offset : page.offset + len(page.items)]
    rows = [[InlineKeyboardButton(label, callback_data=data)] for label, data in opens]
    if page.pages == 1:
        return text, InlineKeyboardMarkup(rows) if rows else None
    text += "\n\n" + span(page, listing.noun)
    return text, InlineKeyboardMarkup([*rows, page_row(page.number, page.pages, listing.data)])
