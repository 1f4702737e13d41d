"""What people read in a timed notice (issue 13; README "What people are told, and
when"): a member's reminder before a booked session, a trainer's day, and the two
pass warnings. Rendered when sent, in the studio's zone, from the payload stored when
the notice fell due (domain/reminders/due.py). All text is HTML, names escaped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.callbacks import OpenBooking
from bot.render import calendar_day, clock, escape, full_moment, plural
from domain.notifications import NotificationKind

TIMED_HEADINGS: dict[NotificationKind, str] = {
    NotificationKind.REMINDER: "Reminder",
    NotificationKind.TRAINER_DAY: "Your sessions today",
    NotificationKind.PASS_LAST_SESSION: "One session left on your pass",
    NotificationKind.PASS_EXPIRING: "Your pass expires soon",
}
OPEN_IN_MY = "📋 Open in /my"
Buttons = tuple[tuple[str, str], ...]  # (label, callback data)


def render_timed(
    kind: NotificationKind, payload: dict[str, Any], zone: ZoneInfo, now: datetime | None
) -> tuple[str, Buttons]:
    if kind is NotificationKind.REMINDER:
        return reminder(payload, zone, now)
    if kind is NotificationKind.TRAINER_DAY:
        return trainer_day(payload, zone), ()
    return pass_warning(kind, payload, zone), ()


def reminder(payload: dict[str, Any], zone: ZoneInfo, now: datetime | None) -> tuple[str, Buttons]:
    start = _instant(payload["start"])
    lines = [
        f"<b>Reminder</b>: {escape(str(payload['title']))}",
        f"{full_moment(start, zone)} · {escape(str(payload['space']))} · with {escape(str(payload['trainer']))}",
        "",
    ]
    until = _instant(payload["cancel_until"])
    if payload.get("closed"):
        lines.append("It is a place in a course: the staff cancel it. Ask them if you cannot come.")
    elif now is None or now <= until:
        lines.append(
            f"Cannot come? Cancel it in /my until {full_moment(until, zone, same_day_as=start)} (the booking deadline)."
        )
    else:
        lines.append(
            f"It can no longer be cancelled: the booking deadline was {full_moment(until, zone, same_day_as=start)}. "
            "Ask the staff if you cannot come."
        )
    lines.append("Reminders can be switched off in /settings.")
    return "\n".join(lines), ((OPEN_IN_MY, OpenBooking(int(payload["booking_id"])).encode()),)


def trainer_day(payload: dict[str, Any], zone: ZoneInfo) -> str:
    day = date.fromisoformat(str(payload["day"]))
    lines = [f"<b>Your sessions today</b>, {day:%a} {day.day} {day:%b %Y}", ""]
    for session in payload["sessions"]:
        start, end = _instant(session["start"]), _instant(session["end"])
        lines.append(
            f"• {clock(start, zone)}–{clock(end, zone)} <b>{escape(str(session['title']))}</b> · "
            f"{escape(str(session['space']))} · {session['booked']}/{session['capacity']} booked"
        )
    lines += ["", "Cards and bookings: /sessions today. This list can be switched off in /settings."]
    return "\n".join(lines)


def pass_warning(kind: NotificationKind, payload: dict[str, Any], zone: ZoneInfo) -> str:
    name = escape(str(payload["title"]))
    expiry = calendar_day(_instant(payload["expires_at"]), zone)
    left = payload.get("sessions_left")
    if kind is NotificationKind.PASS_LAST_SESSION:
        return (
            f"<b>One session left on your pass</b>: {name}\n"
            f"It is valid until {expiry}. Ask the studio for a new pass when you need one."
        )
    if left is None:
        return f"<b>Your pass expires soon</b>: {name}\nIt is valid until {expiry}. Book sessions in /book until then."
    return (
        f"<b>Your pass expires soon</b>: {name}\n"
        f"It is valid until {expiry}, with {plural(int(left), 'session')} left. Book them in /book before then."
    )


def _instant(iso: str) -> datetime:
    value = datetime.fromisoformat(iso)
    if value.tzinfo is None:
        raise ValueError(f"a notification time without its zone: {iso!r}")
    return value
