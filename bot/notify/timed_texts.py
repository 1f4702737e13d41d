"""What people read in a timed notice (issue 13; README "What people are told, and
when"): a member's reminder before a booked session, a trainer's day, and the two
pass warnings. Rendered when sent, in the studio's zone, from the payload stored when
the notice fell due (domain/reminders/due.py). All text is HTML, names escaped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.callbacks import OpenBooking
from bot.i18n import N_, _, ngettext
from bot.render import calendar_day, clock, escape, full_moment, whole_day
from domain.notifications import NotificationKind

# Marked, not translated: /undelivered shows them with `_()` in the reader's language.
TIMED_HEADINGS: dict[NotificationKind, str] = {
    NotificationKind.REMINDER: N_("Reminder"),
    NotificationKind.TRAINER_DAY: N_("Your sessions today"),
    NotificationKind.PASS_LAST_SESSION: N_("One session left on your pass"),
    NotificationKind.PASS_EXPIRING: N_("Your pass expires soon"),
}
OPEN_IN_MY = N_("📋 Open in /my")
ASK_THE_STAFF = N_("Ask the staff if you cannot come.")
Buttons = tuple[tuple[str, str], ...]  # (label, callback data), labels in the reader's language


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
        _("<b>Reminder</b>: {title}").format(title=escape(str(payload["title"]))),
        _("{moment} · {space} · with {trainer}").format(
            moment=full_moment(start, zone),
            space=escape(str(payload["space"])),
            trainer=escape(str(payload["trainer"])),
        ),
        "",
    ]
    until = _instant(payload["cancel_until"])
    deadline = full_moment(until, zone, same_day_as=start)
    if payload.get("closed"):
        lines.append(_("It is a place in a course: the staff cancel it. Ask them if you cannot come."))
    elif now is None or now <= until:
        lines.append(
            _("Cannot come? Cancel it in /my until {deadline} (the booking deadline).").format(deadline=deadline)
        )
    else:
        gone = _("It can no longer be cancelled: the booking deadline was {deadline}.").format(deadline=deadline)
        lines.append(f"{gone} {_(ASK_THE_STAFF)}")
    lines.append(_("Reminders can be switched off in /settings."))
    return "\n".join(lines), ((_(OPEN_IN_MY), OpenBooking(int(payload["booking_id"])).encode()),)


def trainer_day(payload: dict[str, Any], zone: ZoneInfo) -> str:
    day = date.fromisoformat(str(payload["day"]))
    lines = [_("<b>Your sessions today</b>, {day}").format(day=whole_day(day)), ""]
    for session in payload["sessions"]:
        start, end = _instant(session["start"]), _instant(session["end"])
        line = _("• {start}–{end} <b>{title}</b> · {space} · {booked}/{capacity} booked")
        lines.append(
            line.format(
                start=clock(start, zone),
                end=clock(end, zone),
                title=escape(str(session["title"])),
                space=escape(str(session["space"])),
                booked=session["booked"],
                capacity=session["capacity"],
            )
        )
    lines += ["", _("Cards and bookings: /sessions today. This list can be switched off in /settings.")]
    return "\n".join(lines)


def pass_warning(kind: NotificationKind, payload: dict[str, Any], zone: ZoneInfo) -> str:
    name = escape(str(payload["title"]))
    expiry = calendar_day(_instant(payload["expires_at"]), zone)
    left = payload.get("sessions_left")
    if kind is NotificationKind.PASS_LAST_SESSION:
        head = _("<b>One session left on your pass</b>: {name}").format(name=name)
        then = _("It is valid until {expiry}. Ask the studio for a new pass when you need one.")
    else:
        head = _("<b>Your pass expires soon</b>: {name}").format(name=name)
        if left is None:
            then = _("It is valid until {expiry}. Book sessions in /book until then.")
        else:
            then = ngettext(
                "It is valid until {expiry}, with {n} session left. Book them in /book before then.",
                "It is valid until {expiry}, with {n} sessions left. Book them in /book before then.",
                int(left),
            )
    return f"{head}\n{then.format(expiry=expiry, n=left)}"


def _instant(iso: str) -> datetime:
    value = datetime.fromisoformat(iso)
    if value.tzinfo is None:
        raise ValueError(f"a notification time without its zone: {iso!r}")
    return value
