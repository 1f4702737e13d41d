"""How an admin types a schedule's recurrence on one line, turned into an RRULE:

once | daily | weekly mon,thu | monthly      optionally: every 2, until 2027-06-30, for 10
"""

from __future__ import annotations

from datetime import date

WEEKDAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
EXAMPLE = "weekly mon,thu until 2027-06-30"


class RecurrenceError(ValueError):
    pass


def to_rrule(text: str) -> str:
    words = text.lower().replace(", ", ",").split()
    if not words:
        raise RecurrenceError(f"Say when it repeats, e.g. “{EXAMPLE}”, “daily for 10” or “once”.")
    kind, rest = words[0], words[1:]
    if kind == "once":
        if rest:
            raise RecurrenceError("“once” takes nothing more.")
        return "FREQ=DAILY;COUNT=1"
    if kind not in ("daily", "weekly", "monthly"):
        raise RecurrenceError(f"“{kind}” is not a recurrence: use once, daily, weekly or monthly, e.g. “{EXAMPLE}”.")
    parts = [f"FREQ={kind.upper()}"]
    if kind == "weekly" and rest and rest[0] not in ("every", "until", "for"):
        parts.append("BYDAY=" + ",".join(_weekday(day) for day in rest.pop(0).split(",") if day))
    parts += _options(rest)
    return ";".join(parts)


def _weekday(word: str) -> str:
    code = WEEKDAYS.get(word[:3])
    if code is None:
        raise RecurrenceError(f"“{word}” is not a weekday: use mon, tue, wed, thu, fri, sat, sun.")
    return code


def _options(words: list[str]) -> list[str]:
    parts: list[str] = []
    while words:
        if len(words) < 2:
            raise RecurrenceError(f"“{words[0]}” needs a value, e.g. “every 2”, “until 2027-06-30” or “for 10”.")
        key, value, words = words[0], words[1], words[2:]
        if key == "every" and value.isascii() and value.isdigit() and 0 < int(value) <= 52:
            parts.append(f"INTERVAL={int(value)}")
        elif key == "until":
            parts.append(f"UNTIL={_until(value)}")
        elif key == "for" and value.isascii() and value.isdigit() and 0 < int(value) <= 1000:
            parts.append(f"COUNT={int(value)}")
        else:
            raise RecurrenceError(f"I cannot read “{key} {value}”: use every N, until YYYY-MM-DD or for N (sessions).")
    if any(p.startswith("UNTIL") for p in parts) and any(p.startswith("COUNT") for p in parts):
        raise RecurrenceError("Give either an end date (until) or a number of sessions (for), not both.")
    return parts


def _until(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise RecurrenceError(f"“{value}” is not a date like 2027-06-30.") from None
    return f"{day:%Y%m%d}T235959"  # the whole last day, in the studio's wall-clock time
