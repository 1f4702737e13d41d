"""What a member reads (SPEC §2.2, §2.3, §3): the notification for one change, in the
studio's time zone — what changed (before → after), and what it means for their
booking and pass — plus a "Book again" button where they may book again.

Rendered when sent, from the payload stored with the change (ISO UTC times, names of
spaces and trainers). All text is HTML: names, titles and reasons are escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.members.book_again import BookAgain
from bot.notify.timed_texts import TIMED_HEADINGS, Buttons, render_timed
from bot.render import calendar_day, escape, plural
from bot.render import full_moment as moment_of
from domain.notifications import TRAINER_KINDS, NotificationKind
from domain.occurrence import OccurrenceKey

HEADINGS: dict[NotificationKind, str] = {
    NotificationKind.UPDATED: "Training updated",
    NotificationKind.RESCHEDULED: "Training rescheduled",
    NotificationKind.CANCELLED: "Training cancelled",
    NotificationKind.BOOKING_CANCELLED: "Your booking was cancelled",
    NotificationKind.WAITLIST_PROMOTED: "A spot opened up — you are booked",
    # Trainers' notices have their own first line (`trainer_text`); these name them in /undelivered.
    NotificationKind.TRAINER_SUBSTITUTE: "You lead this session",
    NotificationKind.TRAINER_REPLACED: "Someone else leads your session",
    NotificationKind.TRAINER_CHANGED: "Your session was changed",
    NotificationKind.TRAINER_CANCELLED: "Your session was cancelled",
    NotificationKind.TRAINER_SCHEDULE_LEAD: "You lead this schedule's sessions",
    NotificationKind.TRAINER_SCHEDULE_REPLACED: "Someone else leads your schedule's sessions",
    NotificationKind.TRAINER_SCHEDULE_CHANGED: "Your schedule was changed",
    NotificationKind.TRAINER_SCHEDULE_ENDED: "Your schedule ends",
    NotificationKind.BOOKED_BY_STAFF: "You are booked",
    **TIMED_HEADINGS,
}
BOOK_AGAIN = "Book again"
# What members are told about; capacity changes do not concern a booked member.
SHOWN_CHANGES = ("time", "duration", "space", "trainer")  # duration: a schedule edited from a date on
FIELD_NAMES = {"time": "Time", "duration": "Duration", "space": "Space", "trainer": "Trainer"}


@dataclass(frozen=True)
class Notice:
    text: str
    book_again: BookAgain | None = None
    buttons: Buttons = ()  # (label, callback data), one a row

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        rows = [[InlineKeyboardButton(label, callback_data=data)] for label, data in self.buttons]
        if self.book_again is not None:
            rows.insert(0, [InlineKeyboardButton(BOOK_AGAIN, callback_data=self.book_again.encode())])
        return InlineKeyboardMarkup(rows) if rows else None


def render(kind: NotificationKind, payload: dict[str, Any], zone: ZoneInfo, now: datetime | None = None) -> Notice:
    """The message for one notification, as sent at `now`; raises on a payload it cannot
    read. "Book again" comes only while the member could still book (the payload says
    until when); the press is checked again (bot/members/book_again.py)."""
    if kind in TRAINER_KINDS:
        return Notice(trainer_text(kind, payload, zone))
    if kind in TIMED_HEADINGS:
        text, buttons = render_timed(kind, payload, zone, now)
        return Notice(text, buttons=buttons)
    title = escape(str(payload["title"]))
    lines = [f"<b>{HEADINGS[kind]}</b>: {title}"]
    changes = [c for c in payload.get("changes", []) if c.get("field") in SHOWN_CHANGES]
    if not any(c["field"] == "time" for c in changes):
        lines.append(moment(payload["start"], zone))
    lines += [_change_line(change, zone) for change in changes]
    if reason := payload.get("reason"):
        lines.append(f"Reason: {escape(str(reason))}")
    lines.append("")
    lines.append(_meaning(kind, payload, zone))
    rebook = kind is NotificationKind.BOOKING_CANCELLED and bool(payload.get("rebook"))
    until = _instant(payload["rebook_until"]) if rebook and payload.get("rebook_until") else None
    if rebook and until is not None and now is not None and now > until:
        lines.append(too_late(until, zone))
        rebook = False
    elif rebook:
        lines.append(
            "You can book this session again below."
            + (f" Booking is open until {moment_of(until, zone)}." if until else "")
        )
    return Notice("\n".join(lines), BookAgain(occurrence_key(payload)) if rebook else None)


def too_late(until: datetime, zone: ZoneInfo) -> str:
    return f"Booking it again closed at {moment_of(until, zone)} (the booking deadline); ask the staff."


def _meaning(kind: NotificationKind, payload: dict[str, Any], zone: ZoneInfo) -> str:
    if kind is NotificationKind.UPDATED:
        return "Your booking is kept; your pass is unchanged."
    if kind is NotificationKind.RESCHEDULED:
        return "Your booking is kept for the new time; your pass is unchanged."
    if kind is NotificationKind.WAITLIST_PROMOTED:
        return "You were next on the waitlist, so you are booked. " + used_line(payload.get("pass") or {})
    if kind is NotificationKind.BOOKED_BY_STAFF:
        by = escape(str(payload.get("by") or "The studio"))
        return f"{by} booked you onto this session. " + used_line(payload.get("pass") or {})
    if payload.get("waitlisted"):  # a cancelled session's waitlist (domain/waitlist.py)
        return "You were on its waitlist; you are off it now. Nothing was deducted from your pass."
    return "Your booking is cancelled. " + refund_line(payload.get("refund") or {}, zone)


def used_line(pass_: dict[str, Any]) -> str:
    left = pass_.get("sessions_left")
    if left is None:
        return "Your pass is unlimited. See /my to cancel before the booking deadline."
    return f"One session was used from your pass: {plural(int(left), 'session')} left. See /my to cancel before the booking deadline."


def refund_line(refund: dict[str, Any], zone: ZoneInfo) -> str:
    left = refund.get("sessions_left")
    if left is None:
        line = "Your pass is unlimited, so no session was used."
    else:
        line = f"The session went back to your pass: {plural(int(left), 'session')} left."
    if until := refund.get("extended_until"):  # the studio's pass extension (TRAINERY_PASS_EXTENSION_DAYS)
        line += f" Your pass now runs until {calendar_day(_instant(until), zone)}."
    elif left is None:
        line = "Your pass is unlimited, so it is unchanged."
    return line


def _change_line(change: dict[str, Any], zone: ZoneInfo) -> str:
    name = FIELD_NAMES[change["field"]]
    if change["field"] == "time":
        before, after = _instant(change["before"]), _instant(change["after"])
        return f"{name}: {moment_of(before, zone)} → {moment_of(after, zone, same_day_as=before)}"
    if change["field"] == "duration":
        return f"{name}: {int(change['before'])} min → {int(change['after'])} min"
    return f"{name}: {escape(str(change['before']))} → {escape(str(change['after']))}"


def moment(iso: str, zone: ZoneInfo) -> str:
    """An instant of a notification's payload, as `Tue 1 Dec 2026, 18:00`."""
    return moment_of(_instant(iso), zone)


def occurrence_key(payload: dict[str, Any]) -> OccurrenceKey:
    return OccurrenceKey(int(payload["schedule_id"]), _instant(payload["original_start"]))


def _instant(iso: str) -> datetime:
    value = datetime.fromisoformat(iso)
    if value.tzinfo is None:
        raise ValueError(f"a notification time without its zone: {iso!r}")
    return value


# -- what a trainer reads (SPEC §3.1; planned in domain/trainer_notices.py) -------------


def trainer_text(kind: NotificationKind, payload: dict[str, Any], zone: ZoneInfo) -> str:
    """A trainer's notice: the headline the issue asked for, what else changed, who
    changed it, and — for a trainer booked on the session — what became of the booking."""
    if kind in SCHEDULE_TEXTS:
        return SCHEDULE_TEXTS[kind](payload, zone)
    title = escape(str(payload["title"]))
    changes = [c for c in payload.get("changes", []) if c.get("field") in SHOWN_CHANGES]
    moved = next((c for c in changes if c["field"] == "time"), None)
    by = escape(str(payload["by"]))
    space = escape(str(payload["space"]))
    if kind is NotificationKind.TRAINER_SUBSTITUTE:
        again = " again" if payload.get("again") else ""
        instead = escape(str(payload["trainer_before"]))
        lines = [f"<b>You lead {title}{again}</b>, {moment(payload['start'], zone)}, {space} — instead of {instead}"]
        lines += [_change_line(change, zone) for change in changes]
        lines += ["", f"Changed by {by}."]
    elif kind is NotificationKind.TRAINER_REPLACED:
        was = moved["before"] if moved else payload["start"]  # the time they knew it by
        lead = escape(str(payload["trainer_after"]))
        lines = [f"<b>{lead} leads your {title}</b>, {moment(was, zone)}"]
        lines += [_change_line(change, zone) for change in changes]
        lines += ["", f"Changed by {by}. You no longer lead this session."]
    elif kind is NotificationKind.TRAINER_CHANGED:
        lines = [f"<b>Your session was changed</b>: {title}"]
        if moved is None:
            lines.append(moment(payload["start"], zone))
        lines += [_change_line(change, zone) for change in changes]
        lines += ["", f"Changed by {by}. You still lead it{_members_told(payload, '; its booked members are told')}."]
    else:
        lines = [f"<b>Your session was cancelled</b>: {title}", f"{moment(payload['start'], zone)}, {space}"]
        if reason := payload.get("reason"):
            lines.append(f"Reason: {escape(str(reason))}")
        told = _members_told(payload, " Its booked members are told and their passes refunded.", " Nobody was booked.")
        lines += ["", f"Cancelled by {by}.{told}"]
    if as_member := payload.get("as_member"):
        lines.append(
            "You are also booked on it as a member. " + _meaning(NotificationKind(as_member["kind"]), as_member, zone)
        )
    return "\n".join(lines)


def _members_told(payload: dict[str, Any], told: str, nobody: str = "") -> str:
    """What members hear of it, when any were booked (older payloads do not say: told)."""
    return nobody if payload.get("booked") == 0 else told


# -- a schedule edited from a date on, or ended: one message per trainer -----------------


def _since(payload: dict[str, Any], key: str = "since") -> str:
    return f"{date.fromisoformat(str(payload[key])):%a %d %b %Y}"


def _schedule_changes(payload: dict[str, Any]) -> list[str]:
    """Its time (wall clock), space and duration, before → after."""
    lines = []
    for change in payload.get("changes", []):
        if change.get("field") not in FIELD_NAMES:
            continue
        unit = " min" if change["field"] == "duration" else ""
        before, after = (escape(str(change[side])) + unit for side in ("before", "after"))
        lines.append(f"{FIELD_NAMES[change['field']]}: {before} → {after}")
    return lines


def _schedule_lead(payload: dict[str, Any], zone: ZoneInfo) -> str:
    title, others = escape(str(payload["title"])), [escape(str(name)) for name in payload.get("others", [])]
    instead = f" — instead of {', '.join(others)}" if others else ""
    return "\n".join(
        [
            f"<b>You lead {title} from {_since(payload)} on</b>{instead}",
            *_schedule_changes(payload),
            "",
            f"Changed by {escape(str(payload['by']))}. A session given to another trainer on its own keeps them; "
            "/sessions shows yours.",
        ]
    )


def _schedule_replaced(payload: dict[str, Any], zone: ZoneInfo) -> str:
    title, lead = escape(str(payload["title"])), ", ".join(escape(str(n)) for n in payload.get("others", []))
    return "\n".join(
        [
            f"<b>{lead} leads your {title} from {_since(payload)} on</b>",
            *_schedule_changes(payload),
            "",
            f"Changed by {escape(str(payload['by']))}. You no longer lead its sessions from that day, "
            "except any given to you on their own.",
        ]
    )


def _schedule_changed(payload: dict[str, Any], zone: ZoneInfo) -> str:
    title = escape(str(payload["title"]))
    return "\n".join(
        [
            f"<b>Your {title} changes from {_since(payload)} on</b>",
            *_schedule_changes(payload),
            "",
            f"Changed by {escape(str(payload['by']))}. You still lead it; members booked on its sessions are told.",
        ]
    )


def _schedule_ended(payload: dict[str, Any], zone: ZoneInfo) -> str:
    title, first = escape(str(payload["title"])), moment(str(payload["first"]), zone)
    count = payload.get("count")
    if count is None:  # the rule would have run on without end
        yours = f"Your sessions after it are cancelled, from {first} on."
    else:
        yours = f"Your {plural(int(count), 'session')} after it {'is' if count == 1 else 'are'} cancelled"
        yours += f": {first}." if count == 1 else f", the first {first}."
    held = int(payload.get("held", 0))
    if held:
        booked = f"Members held {held} of them: they are told, their bookings refunded."
    else:
        booked = "None of them was booked."
    return "\n".join(
        [
            f"<b>{title} ends on {_since(payload, 'last_day')}</b>",
            yours,
            "",
            f"Ended by {escape(str(payload['by']))}. {booked}",
        ]
    )


SCHEDULE_TEXTS = {
    NotificationKind.TRAINER_SCHEDULE_LEAD: _schedule_lead,
    NotificationKind.TRAINER_SCHEDULE_REPLACED: _schedule_replaced,
    NotificationKind.TRAINER_SCHEDULE_CHANGED: _schedule_changed,
    NotificationKind.TRAINER_SCHEDULE_ENDED: _schedule_ended,
}
