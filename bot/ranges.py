"""`/sessions [range] [mine]` arguments (SPEC §6.1): quick words, a date, or two dates,
all in the studio's own calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

QUICK_WORDS = ("today", "tomorrow", "week", "nextweek")
MAX_DAYS = 366
EXAMPLES = "/sessions week, /sessions 2026-12-01, /sessions 2026-12-01 2026-12-14 mine"


class RangeError(ValueError):
    """Arguments that are not a range; the message says what would be."""


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
    words = [arg.strip().lower() for arg in args if arg.strip()]
    mine = "mine" in words
    words = [word for word in words if word != "mine"]
    if not words:
        return None if not mine else RangeRequest(*quick_range("week", today), mine=True)
    if len(words) == 1 and words[0] in QUICK_WORDS:
        return RangeRequest(*quick_range(words[0], today), mine=mine)
    if len(words) > 2:
        raise RangeError(f"That is more than a range. Examples: {EXAMPLES}")
    days = [_date(word) for word in words]
    first, last = days[0], days[-1]
    if last < first:
        raise RangeError(f"The range ends before it starts ({first} … {last}); give the earlier date first.")
    if (last - first).days >= MAX_DAYS:
        raise RangeError(f"That range is longer than {MAX_DAYS} days; pick a shorter one.")
    return RangeRequest(first, last, mine)


def _date(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise RangeError(
            f"I could not read “{word[:40]}” as a range: use today, tomorrow, week, nextweek, "
            f"or dates like 2026-12-01. Examples: {EXAMPLES}"
        ) from None


def parse_time(text: str) -> tuple[int, int] | None:
    """ "18:30", "18.30", "1830" or "18" as (hour, minute); None when it is not a time."""
    cleaned = text.strip().replace(".", ":").replace("h", ":")
    if ":" in cleaned:
        hours, _, minutes = cleaned.partition(":")
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
