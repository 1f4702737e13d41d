"""How an admin types a schedule's recurrence on one line, turned into an RRULE — and
back, so `/schedules` shows a rule in the words `/schedule_add` takes:

once | daily | weekly mon,thu | monthly      optionally: every 2, until 2027-06-30, for 10

`to_rrule` writes its parts in one order (FREQ, BYDAY, INTERVAL, UNTIL, COUNT), so
words → rule → words → rule gives the same rule again.

The words are the syntax (English in every language, like the command names); only the
errors about them are translated, in the language of the admin who typed the line.
"""

from __future__ import annotations

from datetime import date

from bot.i18n import _

WEEKDAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
DAY_WORDS = {code: word for word, code in WEEKDAYS.items()}
EXAMPLE = "weekly mon,thu until 2027-06-30"
ONCE = "FREQ=DAILY;COUNT=1"
_ORDER = ("FREQ", "BYDAY", "INTERVAL", "UNTIL", "COUNT")
_OPTION_KEYS = {"every": "INTERVAL", "until": "UNTIL", "for": "COUNT"}
_END_OF_DAY = "T235959"  # an end date covers its whole day, in the studio's wall-clock time


class RecurrenceError(ValueError):
    pass


def to_rrule(text: str) -> str:
    words = text.lower().replace(", ", ",").split()
    if not words:
        raise RecurrenceError(
            _("Say when it repeats, e.g. “{example}”, “daily for 10” or “once”.").format(example=EXAMPLE)
        )
    kind, rest = words[0], words[1:]
    if kind == "once":
        if rest:
            raise RecurrenceError(_("“once” takes nothing more."))
        return ONCE
    if kind not in ("daily", "weekly", "monthly"):
        raise RecurrenceError(
            _("“{kind}” is not a recurrence: use once, daily, weekly or monthly, e.g. “{example}”.").format(
                kind=kind, example=EXAMPLE
            )
        )
    parts = {"FREQ": kind.upper()}
    if kind == "weekly" and rest and rest[0] not in _OPTION_KEYS:
        days = [_weekday(day) for day in rest.pop(0).split(",") if day]
        if not days:
            raise RecurrenceError(_("Name the days it repeats on, e.g. “{example}”.").format(example=EXAMPLE))
        parts["BYDAY"] = ",".join(days)
    parts.update(_options(rest))
    return ";".join(f"{key}={parts[key]}" for key in _ORDER if key in parts)


def _weekday(word: str) -> str:
    code = WEEKDAYS.get(word[:3])
    if code is None:
        raise RecurrenceError(_("“{word}” is not a weekday: use mon, tue, wed, thu, fri, sat, sun.").format(word=word))
    return code


def _options(words: list[str]) -> dict[str, str]:
    parts: dict[str, str] = {}
    while words:
        if len(words) < 2:
            raise RecurrenceError(
                _("“{word}” needs a value, e.g. “every 2”, “until 2027-06-30” or “for 10”.").format(word=words[0])
            )
        key, value, words = words[0], words[1], words[2:]
        if _OPTION_KEYS.get(key) in parts:
            raise RecurrenceError(_("“{word}” is given twice; say it once.").format(word=key))
        if key == "every" and value.isascii() and value.isdigit() and 0 < int(value) <= 52:
            parts["INTERVAL"] = str(int(value))
        elif key == "until":
            parts["UNTIL"] = _until(value)
        elif key == "for" and value.isascii() and value.isdigit() and 0 < int(value) <= 1000:
            parts["COUNT"] = str(int(value))
        else:
            raise RecurrenceError(
                _("I cannot read “{words}”: use every N, until YYYY-MM-DD or for N (sessions).").format(
                    words=f"{key} {value}"
                )
            )
    if "UNTIL" in parts and "COUNT" in parts:
        raise RecurrenceError(_("Give either an end date (until) or a number of sessions (for), not both."))
    return parts


def _until(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise RecurrenceError(_("“{value}” is not a date like 2027-06-30.").format(value=value)) from None
    return f"{day:%Y%m%d}{_END_OF_DAY}"


# -- and back ------------------------------------------------------------------------------


def to_words(rrule: str) -> str | None:
    """The words `to_rrule` takes for this rule (`weekly tue,thu until 2027-06-30`), or
    None for a rule those words cannot say (one written by other means)."""
    parts = _parts(rrule)
    if parts is None or set(parts) - set(_ORDER):
        return None
    if parts == _parts(ONCE):
        return "once"
    kind = parts.get("FREQ", "").lower()
    if kind not in ("daily", "weekly", "monthly") or ("BYDAY" in parts and kind != "weekly"):
        return None
    words: list[str | None] = [kind]
    if "BYDAY" in parts:
        days = [DAY_WORDS.get(code) for code in parts["BYDAY"].split(",")]
        words.append(None if None in days else ",".join(day for day in days if day))
    words += _option_words(parts)
    return None if None in words else " ".join(word for word in words if word)


def _parts(rrule: str) -> dict[str, str] | None:
    parts: dict[str, str] = {}
    for part in rrule.upper().removeprefix("RRULE:").split(";"):
        key, equals, value = part.partition("=")
        if not equals or key in parts:
            return None
        parts[key] = value
    return parts


def _option_words(parts: dict[str, str]) -> list[str | None]:
    words: list[str | None] = []
    if "INTERVAL" in parts:
        words.append(f"every {parts['INTERVAL']}" if _count(parts["INTERVAL"], 52) else None)
    if "UNTIL" in parts:
        words.append(_until_words(parts["UNTIL"]))
    if "COUNT" in parts:
        words.append(f"for {parts['COUNT']}" if _count(parts["COUNT"], 1000) else None)
    return words


def _count(text: str, most: int) -> bool:
    """What the words allow: plain digits, 1 … most, written as `to_rrule` writes them."""
    return text.isascii() and text.isdigit() and 0 < int(text) <= most and str(int(text)) == text


def _until_words(value: str) -> str | None:
    day, end, rest = value.partition(_END_OF_DAY)
    if not end or rest or len(day) != 8 or not (day.isascii() and day.isdigit()):
        return None
    try:
        return f"until {date(int(day[:4]), int(day[4:6]), int(day[6:])).isoformat()}"
    except ValueError:
        return None
