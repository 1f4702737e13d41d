"""What people type for days and ranges, read in the studio's own calendar: the
`/sessions [range] [mine]` arguments (SPEC §6.1) — the quick words and the labels of
their buttons, a date, two dates, or "A - B" — and a day typed at the date step.

Days are typed as `2026-12-01`, `1.12.2026`, `1.12.26`, `01.12.` or `1.12`. A day
without a year is the one nearest today in a listing (last week's 28.11 as well as
next month's 5.1), and the next one from today when picking a new date.

The quick words are read in English, Ukrainian and German whatever the reader's
language (`/sessions heute` works for someone reading English: people type the word
they think of), in any case; the errors are in the reader's language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from bot.i18n import N_, _, ngettext

QUICK_WORDS = ("today", "tomorrow", "week", "nextweek")
# The words of SPEC §6.1 and the labels of the quick-pick buttons, spaces or not, in
# every language we speak (lowercase; typed ones are compared in lowercase).
QUICK_PHRASES = {
    "today": "today",
    "tomorrow": "tomorrow",
    "week": "week",
    "this week": "week",
    "thisweek": "week",
    "nextweek": "nextweek",
    "next week": "nextweek",
    # Ukrainian
    "сьогодні": "today",
    "завтра": "tomorrow",
    "тиждень": "week",
    "цей тиждень": "week",
    "цейтиждень": "week",
    "наступнийтиждень": "nextweek",
    "наступний тиждень": "nextweek",
    # German (ä also as ae, for keyboards without it)
    "heute": "today",
    "morgen": "tomorrow",
    "woche": "week",
    "diese woche": "week",
    "diesewoche": "week",
    "nächstewoche": "nextweek",
    "nächste woche": "nextweek",
    "naechstewoche": "nextweek",
    "naechste woche": "nextweek",
}
MINE_WORDS = frozenset({"mine", "мої", "meine"})  # only the sessions the trainer leads
MAX_DAYS = 366
EXAMPLES = N_("/sessions week, /sessions next week, /sessions 1.12, /sessions 1.12 - 14.12 mine")
DAY_EXAMPLES = N_("9.2, 09.02.2027 or 2027-02-09")

_ISO = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_DOTTED = r"([0-9]{1,2})\.([0-9]{1,2})(?:\.([0-9]{4}|[0-9]{2})?)?"
_DAY = r"(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}\.[0-9]{1,2}(?:\.(?:[0-9]{4}|[0-9]{2})?)?)"  # either, uncaptured
# Between the two days of a range: a dash with spaces on either side or none, or spaces.
_BETWEEN = re.compile(r"\s*[–—]\s*|\s+-\s*|\s*-\s+|\s+")
_JOINED = re.compile(rf"({_DAY})-({_DAY})")  # 1.12-14.12, 2026-12-01-2026-12-14


class RangeError(ValueError):
    """Arguments that are not a range; the message says what would be."""


class DayError(ValueError):
    """A typed day that is not one; the message says what would be."""


@dataclass(frozen=True)
class RangeRequest:
    first: date
    last: date
    mine: bool


def quick_range(word: str, today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    ranges = {
        "today": (today, today),
        "tomorrow": (today + timedelta(days=1), today + timedelta(days=1)),
        "week": (monday, monday + timedelta(days=6)),
        "nextweek": (monday + timedelta(days=7), monday + timedelta(days=13)),
    }
    return ranges[word]


def parse_range(args: list[str], today: date) -> RangeRequest | None:
    """None when no range was given (the bot then offers the quick picks)."""
    words = [_folded(arg) for arg in args if arg.strip()]
    mine = any(word in MINE_WORDS for word in words)
    text = " ".join(word for word in words if word not in MINE_WORDS)
    if not text:
        return None if not mine else RangeRequest(*quick_range("week", today), mine=True)
    if text in QUICK_PHRASES:
        return RangeRequest(*quick_range(QUICK_PHRASES[text], today), mine=mine)
    parts = _range_parts(text)
    if len(parts) > 2:
        raise RangeError(_("That is more than a range. Examples: {examples}").format(examples=_(EXAMPLES)))
    first = _listed_day(parts[0], today, ahead=False)
    last = _listed_day(parts[-1], first, ahead=True)  # a yearless end: the next such day from the first
    if last < first:
        raise RangeError(
            _("The range ends before it starts ({first} … {last}); give the earlier date first.").format(
                first=first, last=last
            )
        )
    if (last - first).days >= MAX_DAYS:
        raise RangeError(
            ngettext(
                "That range is longer than {days} day; pick a shorter one.",
                "That range is longer than {days} days; pick a shorter one.",
                MAX_DAYS,
            ).format(days=MAX_DAYS)
        )
    return RangeRequest(first, last, mine)


def _folded(word: str) -> str:
    """A typed word as the phrases are written: composed (an ä typed as a + ¨ is ä), lowercase."""
    return unicodedata.normalize("NFC", word.strip()).lower()


def _range_parts(text: str) -> list[str]:
    parts: list[str] = []
    for part in _BETWEEN.split(text):
        joined = _JOINED.fullmatch(part)
        parts += [joined[1], joined[2]] if joined else [part] if part else []
    return parts or [text]


def _listed_day(word: str, around: date, *, ahead: bool) -> date:
    try:
        return parse_day(word, around, ahead=ahead)
    except DayError:
        raise RangeError(
            _(
                "I could not read “{word}” as a date or range: use today, tomorrow, this week, next week, "
                "a date like 1.12 or 2026-12-01, or two like 1.12 - 14.12. Examples: {examples}"
            ).format(word=word[:40], examples=_(EXAMPLES))
        ) from None


def parse_day(text: str, around: date, *, ahead: bool = True) -> date:
    """A typed day. Without a year it is the next such day from `around` on (`ahead`),
    or the one nearest `around`. Raises DayError for anything else."""
    cleaned = text.strip()
    iso, dotted = re.fullmatch(_ISO, cleaned), re.fullmatch(_DOTTED, cleaned)
    if iso:
        year, month, day = (int(group) for group in iso.groups())
        return _day(year, month, day, cleaned)
    if not dotted:
        raise DayError(
            _("“{typed}” is not a date: type it like {examples}.").format(typed=cleaned[:40], examples=_(DAY_EXAMPLES))
        )
    day, month = int(dotted[1]), int(dotted[2])
    if dotted[3] is not None:
        year = int(dotted[3])
        return _day(year + 2000 if len(dotted[3]) == 2 else year, month, day, cleaned)
    _day(2000, month, day, cleaned)  # a day of some year (2000 had a 29 February)
    return _yearless(day, month, around, ahead)


def _day(year: int, month: int, day: int, typed: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DayError(
            _("There is no day “{typed}” in the calendar: type it like {examples}.").format(
                typed=typed[:40], examples=_(DAY_EXAMPLES)
            )
        ) from None


def _yearless(day: int, month: int, around: date, ahead: bool) -> date:
    """The day.month in the years about `around` (29 February comes every four)."""
    found = []
    for year in range(max(around.year - 4, date.min.year), min(around.year + 5, date.max.year + 1)):
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    if ahead:
        later = [candidate for candidate in found if candidate >= around]
        if later:
            return min(later)
    elif found:
        return min(found, key=lambda candidate: (abs((candidate - around).days), -candidate.toordinal()))
    raise DayError(
        _("“{day}.{month}” is too far from {around}: type the year too, like {examples}.").format(
            day=day, month=month, around=around, examples=_(DAY_EXAMPLES)
        )
    )


def parse_time(text: str) -> tuple[int, int] | None:
    """ "18:30", "18.30", "1830" or "18" as (hour, minute); None when it is not a time."""
    cleaned = text.strip().replace(".", ":").replace("h", ":")
    if ":" in cleaned:
        hours, _colon, minutes = cleaned.partition(":")
    elif _digits(cleaned) and len(cleaned) in (3, 4):
        hours, minutes = cleaned[:-2], cleaned[-2:]
    else:
        hours, minutes = cleaned, "0"
    if not (_digits(hours) and _digits(minutes) and len(hours) <= 2 and len(minutes) <= 2):
        return None
    hour, minute = int(hours), int(minutes)
    return (hour, minute) if hour < 24 and minute < 60 else None


def _digits(text: str) -> bool:
    """0-9 only: str.isdigit() also accepts '²' and other digits int() refuses."""
    return text.isascii() and text.isdigit()


def parse_capacity(text: str) -> int | None:
    cleaned = text.strip()
    if not _digits(cleaned) or len(cleaned) > 6:
        return None
    value = int(cleaned)
    return value if value > 0 else None
