"""What a member reads (SPEC §2.2, §2.3, §3): the notification for one change, in the
studio's time zone — what changed (before → after), and what it means for their
booking and pass — plus a "Book again" button where they may book again.

Rendered when sent, from the payload stored with the change (ISO UTC times, names of
spaces and trainers). All text is HTML: names, titles and reasons are escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import i18n
from bot.i18n import N_, _, ngettext
from bot.members.book_again import BookAgain
from bot.notify.timed_texts import TIMED_HEADINGS, Buttons, render_timed
from bot.render import calendar_day, escape
from bot.render import full_moment as moment_of
from domain.notifications import TRAINER_KINDS, NotificationKind
from domain.occurrence import OccurrenceKey

# Marked, not translated: /undelivered shows them with `_()` in the reader's language.
HEADINGS: dict[NotificationKind, str] = {
    NotificationKind.UPDATED: N_("Training updated"),
    NotificationKind.RESCHEDULED: N_("Training rescheduled"),
    NotificationKind.CANCELLED: N_("Training cancelled"),
    NotificationKind.BOOKING_CANCELLED: N_("Your booking was cancelled"),
    NotificationKind.WAITLIST_PROMOTED: N_("A spot opened up — you are booked"),
    # Trainers' notices have their own first line (`trainer_text`); these name them in /undelivered.
    NotificationKind.TRAINER_SUBSTITUTE: N_("You lead this session"),
    NotificationKind.TRAINER_REPLACED: N_("Someone else leads your session"),
    NotificationKind.TRAINER_CHANGED: N_("Your session was changed"),
    NotificationKind.TRAINER_CANCELLED: N_("Your session was cancelled"),
    NotificationKind.TRAINER_SCHEDULE_LEAD: N_("You lead this schedule's sessions"),
    NotificationKind.TRAINER_SCHEDULE_REPLACED: N_("Someone else leads your schedule's sessions"),
    NotificationKind.TRAINER_SCHEDULE_CHANGED: N_("Your schedule was changed"),
    NotificationKind.TRAINER_SCHEDULE_ENDED: N_("Your schedule ends"),
    NotificationKind.BOOKED_BY_STAFF: N_("You are booked"),
    **TIMED_HEADINGS,
}
BOOK_AGAIN = N_("Book again")
# What members are told about; capacity changes do not concern a booked member.
SHOWN_CHANGES = ("time", "duration", "space", "trainer")  # duration: a schedule edited from a date on
# One line per changed field, the field's name in it (a translator may reorder the line).
CHANGE_LINES = {
    "time": N_("Time: {before} → {after}"),
    "duration": N_("Duration: {before} min → {after} min"),
    "space": N_("Space: {before} → {after}"),
    "trainer": N_("Trainer: {before} → {after}"),
}


@dataclass(frozen=True)
class Notice:
    """A rendered message: its text and its buttons' labels are already in the reader's
    language (render runs inside the reader's language; the send may not)."""

    text: str
    book_again: BookAgain | None = None
    buttons: Buttons = field(default=())  # (label, callback data), one a row

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        rows = [[InlineKeyboardButton(label, callback_data=data)] for label, data in self.buttons]
        return InlineKeyboardMarkup(rows) if rows else None


def render(kind: NotificationKind, payload: dict[str, Any], zone: ZoneInfo, now: datetime | None = None) -> Notice:
    """The message for one notification, as sent at `now`, in the current language;
    raises on a payload it cannot read. "Book again" comes only while the member could
    still book (the payload says until when); the press is checked again
    (bot/members/book_again.py)."""
    if kind in TRAINER_KINDS:
        return Notice(trainer_text(kind, payload, zone))
    if kind in TIMED_HEADINGS:
        text, buttons = render_timed(kind, payload, zone, now)
        return Notice(text, buttons=buttons)
    title = escape(str(payload["title"]))
    lines = [f"<b>{_(HEADINGS[kind])}</b>: {title}"]
    changes = [c for c in payload.get("changes", []) if c.get("field") in SHOWN_CHANGES]
    if not any(c["field"] == "time" for c in changes):
        lines.append(moment(payload["start"], zone))
    lines += [_change_line(change, zone) for change in changes]
    if reason := payload.get("reason"):
        lines.append(_("Reason: {reason}").format(reason=escape(i18n.reason(str(reason)))))
    lines.append("")
    lines.append(_meaning(kind, payload, zone))
    rebook = kind is NotificationKind.BOOKING_CANCELLED and bool(payload.get("rebook"))
    until = _instant(payload["rebook_until"]) if rebook and payload.get("rebook_until") else None
    if rebook and until is not None and now is not None and now > until:
        lines.append(too_late(until, zone))
        rebook = False
    elif rebook:
        lines.append(_rebook_line(until, zone))
    if not rebook:
        return Notice("\n".join(lines))
    again = BookAgain(occurrence_key(payload))
    return Notice("\n".join(lines), again, ((_(BOOK_AGAIN), again.encode()),))


def _rebook_line(until: datetime | None, zone: ZoneInfo) -> str:
    line = _("You can book this session again below.")
    if until is None:
        return line
    open_until = _("Booking is open until {moment}.").format(moment=moment_of(until, zone))
    return f"{line} {open_until}"


def too_late(until: datetime, zone: ZoneInfo) -> str:
    return _("Booking it again closed at {moment} (the booking deadline); ask the staff.").format(
        moment=moment_of(until, zone)
    )


def _meaning(kind: NotificationKind, payload: dict[str, Any], zone: ZoneInfo) -> str:
    if kind is NotificationKind.UPDATED:
        return _("Your booking is kept; your pass is unchanged.")
    if kind is NotificationKind.RESCHEDULED:
        return _("Your booking is kept for the new time; your pass is unchanged.")
    if kind is NotificationKind.WAITLIST_PROMOTED:
        first = _("You were next on the waitlist, so you are booked.")
        return f"{first} {used_line(payload.get('pass') or {})}"
    if kind is NotificationKind.BOOKED_BY_STAFF:
        by = escape(str(payload.get("by") or _("The studio")))
        first = _("{by} booked you onto this session.").format(by=by)
        return f"{first} {used_line(payload.get('pass') or {})}"
    if payload.get("waitlisted"):  # a cancelled session's waitlist (domain/waitlist.py)
        return _("You were on its waitlist; you are off it now. Nothing was deducted from your pass.")
    first = _("Your booking is cancelled.")
    return f"{first} {refund_line(payload.get('refund') or {}, zone)}"


def used_line(pass_: dict[str, Any]) -> str:
    left = pass_.get("sessions_left")
    if left is None:
        return _("Your pass is unlimited. See /my to cancel before the booking deadline.")
    return ngettext(
        "One session was used from your pass: {n} session left. See /my to cancel before the booking deadline.",
        "One session was used from your pass: {n} sessions left. See /my to cancel before the booking deadline.",
        int(left),
    ).format(n=int(left))


def refund_line(refund: dict[str, Any], zone: ZoneInfo) -> str:
    left = refund.get("sessions_left")
    if until := refund.get("extended_until"):  # the studio's pass extension (TRAINERY_PASS_EXTENSION_DAYS)
        runs = _("Your pass now runs until {day}.").format(day=calendar_day(_instant(until), zone))
        return f"{_returned(left)} {runs}"
    if left is None:
        return _("Your pass is unlimited, so it is unchanged.")
    return _returned(left)


def _returned(left: Any) -> str:
    if left is None:
        return _("Your pass is unlimited, so no session was used.")
    return ngettext(
        "The session went back to your pass: {n} session left.",
        "The session went back to your pass: {n} sessions left.",
        int(left),
    ).format(n=int(left))


def _change_line(change: dict[str, Any], zone: ZoneInfo) -> str:
    line = _(CHANGE_LINES[change["field"]])
    if change["field"] == "time":
        before, after = _instant(change["before"]), _instant(change["after"])
        return line.format(before=moment_of(before, zone), after=moment_of(after, zone, same_day_as=before))
    if change["field"] == "duration":
        return line.format(before=int(change["before"]), after=int(change["after"]))
    return line.format(before=escape(str(change["before"])), after=escape(str(change["after"])))


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
        if payload.get("again"):
            head = _("<b>You lead {title} again</b>, {start}, {space} — instead of {instead}")
        else:
            head = _("<b>You lead {title}</b>, {start}, {space} — instead of {instead}")
        instead = escape(str(payload["trainer_before"]))
        lines = [head.format(title=title, start=moment(payload["start"], zone), space=space, instead=instead)]
        lines += [_change_line(change, zone) for change in changes]
        lines += ["", _("Changed by {by}.").format(by=by)]
    elif kind is NotificationKind.TRAINER_REPLACED:
        was = moved["before"] if moved else payload["start"]  # the time they knew it by
        lead = escape(str(payload["trainer_after"]))
        lines = [_("<b>{lead} leads your {title}</b>, {start}").format(lead=lead, title=title, start=moment(was, zone))]
        lines += [_change_line(change, zone) for change in changes]
        lines += ["", _("Changed by {by}. You no longer lead this session.").format(by=by)]
    elif kind is NotificationKind.TRAINER_CHANGED:
        lines = [_("<b>Your session was changed</b>: {title}").format(title=title)]
        if moved is None:
            lines.append(moment(payload["start"], zone))
        lines += [_change_line(change, zone) for change in changes]
        if _nobody_booked(payload):
            lines += ["", _("Changed by {by}. You still lead it.").format(by=by)]
        else:
            lines += ["", _("Changed by {by}. You still lead it; its booked members are told.").format(by=by)]
    else:
        lines = [
            _("<b>Your session was cancelled</b>: {title}").format(title=title),
            f"{moment(payload['start'], zone)}, {space}",
        ]
        if reason := payload.get("reason"):
            lines.append(_("Reason: {reason}").format(reason=escape(i18n.reason(str(reason)))))
        if _nobody_booked(payload):
            ended = _("Cancelled by {by}. Nobody was booked.")
        else:
            ended = _("Cancelled by {by}. Its booked members are told and their passes refunded.")
        lines += ["", ended.format(by=by)]
    if as_member := payload.get("as_member"):
        also = _("You are also booked on it as a member.")
        lines.append(f"{also} {_meaning(NotificationKind(as_member['kind']), as_member, zone)}")
    return "\n".join(lines)


def _nobody_booked(payload: dict[str, Any]) -> bool:
    """Whether no member was booked, so none is told (older payloads do not say: some were)."""
    return payload.get("booked") == 0


# -- a schedule edited from a date on, or ended: one message per trainer -----------------


def _since(payload: dict[str, Any], zone: ZoneInfo, key: str = "since") -> str:
    """A day of the payload (`Tue 08 Dec 2026`), through render's dates (its noon, in the zone)."""
    day = date.fromisoformat(str(payload[key]))
    return calendar_day(datetime.combine(day, time(12), tzinfo=zone), zone)


def _schedule_changes(payload: dict[str, Any]) -> list[str]:
    """Its time (wall clock), space and duration, before → after."""
    lines = []
    for change in payload.get("changes", []):
        if change.get("field") not in CHANGE_LINES:
            continue
        before, after = (escape(str(change[side])) for side in ("before", "after"))
        lines.append(_(CHANGE_LINES[change["field"]]).format(before=before, after=after))
    return lines


def _schedule_lead(payload: dict[str, Any], zone: ZoneInfo) -> str:
    title, others = escape(str(payload["title"])), [escape(str(name)) for name in payload.get("others", [])]
    since = _since(payload, zone)
    if others:
        head = _("<b>You lead {title} from {since} on</b> — instead of {others}").format(
            title=title, since=since, others=", ".join(others)
        )
    else:
        head = _("<b>You lead {title} from {since} on</b>").format(title=title, since=since)
    by = escape(str(payload["by"]))
    return "\n".join(
        [
            head,
            *_schedule_changes(payload),
            "",
            _(
                "Changed by {by}. A session given to another trainer on its own keeps them; /sessions shows yours."
            ).format(by=by),
        ]
    )


def _schedule_replaced(payload: dict[str, Any], zone: ZoneInfo) -> str:
    title, lead = escape(str(payload["title"])), ", ".join(escape(str(n)) for n in payload.get("others", []))
    by = escape(str(payload["by"]))
    return "\n".join(
        [
            _("<b>{lead} leads your {title} from {since} on</b>").format(
                lead=lead, title=title, since=_since(payload, zone)
            ),
            *_schedule_changes(payload),
            "",
            _(
                "Changed by {by}. You no longer lead its sessions from that day, except any given to you on their own."
            ).format(by=by),
        ]
    )


def _schedule_changed(payload: dict[str, Any], zone: ZoneInfo) -> str:
    title, by = escape(str(payload["title"])), escape(str(payload["by"]))
    return "\n".join(
        [
            _("<b>Your {title} changes from {since} on</b>").format(title=title, since=_since(payload, zone)),
            *_schedule_changes(payload),
            "",
            _("Changed by {by}. You still lead it; members booked on its sessions are told.").format(by=by),
        ]
    )


def _schedule_ended(payload: dict[str, Any], zone: ZoneInfo) -> str:
    title, first = escape(str(payload["title"])), moment(str(payload["first"]), zone)
    count = payload.get("count")
    if count is None:  # the rule would have run on without end
        yours = _("Your sessions after it are cancelled, from {first} on.").format(first=first)
    elif int(count) == 1:
        yours = _("Your 1 session after it is cancelled: {first}.").format(first=first)
    else:  # the singular is for languages whose "one" form also counts 21, 31, …
        yours = ngettext(
            "Your {n} session after it is cancelled, the first {first}.",
            "Your {n} sessions after it are cancelled, the first {first}.",
            int(count),
        ).format(n=int(count), first=first)
    held = int(payload.get("held", 0))
    if held:
        booked = ngettext(
            "Members held {n} of them: they are told, their bookings refunded.",
            "Members held {n} of them: they are told, their bookings refunded.",
            held,
        ).format(n=held)
    else:
        booked = _("None of them was booked.")
    ended = _("Ended by {by}.").format(by=escape(str(payload["by"])))
    return "\n".join(
        [
            _("<b>{title} ends on {day}</b>").format(title=title, day=_since(payload, zone, "last_day")),
            yours,
            "",
            f"{ended} {booked}",
        ]
    )


SCHEDULE_TEXTS = {
    NotificationKind.TRAINER_SCHEDULE_LEAD: _schedule_lead,
    NotificationKind.TRAINER_SCHEDULE_REPLACED: _schedule_replaced,
    NotificationKind.TRAINER_SCHEDULE_CHANGED: _schedule_changed,
    NotificationKind.TRAINER_SCHEDULE_ENDED: _schedule_ended,
}
