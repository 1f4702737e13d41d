"""Texts of the trainer flows (SPEC §2): the session list, the card, the override
and cancel conversations, their reviews and outcomes. HTML; people's words escaped.

Every sentence is an English message id translated where it is shown (bot/i18n.py):
constants are `N_`-marked and shown with `_()`; counted words use `ngettext`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot import i18n
from bot.i18n import N_, _, ngettext
from bot.render import Page, calendar_day, clock, day, day_and_clock, escape, span
from bot.texts import EXPIRED_BUTTON as EXPIRED_BUTTON  # its tests read it here
from bot.user_state import OverrideDraft
from domain.cancellation import CancelReview
from domain.delivery import ACCOUNT_DELETED, BLOCKED, CHAT_NOT_FOUND, NO_LINKED_CHAT, Receipt
from domain.directory import Directory
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import Occurrence
from domain.override import Change, OverrideReview, OverrideWarning, WarningKind
from domain.schedule import Schedule
from domain.trainer_notices import member_notices_of, trainer_notices_of

NOTIFICATION_NAMES = {
    NotificationKind.UPDATED: N_("“Training updated”"),
    NotificationKind.RESCHEDULED: N_("“Training rescheduled”"),
    NotificationKind.CANCELLED: N_("“Training cancelled”"),
    NotificationKind.BOOKING_CANCELLED: N_("“Your booking was cancelled” (with the refund)"),
    NotificationKind.WAITLIST_PROMOTED: N_(
        "“A spot opened up — you are booked” (booked from the waitlist, one pass session used)"
    ),
    NotificationKind.BOOKED_BY_STAFF: N_("“You are booked” (one pass session used)"),
}
# The fields an override changes, as the list marks them (`✎ capacity, space`).
FIELD_NAMES = {"time": N_("date and time"), "capacity": N_("capacity"), "space": N_("space"), "trainer": N_("trainer")}
# A review's or outcome's line per changed field (`describe_change`).
CHANGE_LINES = {
    "time": N_("• date and time: {before} → <b>{after}</b>"),
    "capacity": N_("• capacity: {before} → <b>{after}</b>"),
    "space": N_("• space: {before} → <b>{after}</b>"),
    "trainer": N_("• trainer: {before} → <b>{after}</b>"),
}

ONLY_STAFF = N_("Only trainers and admins can see the sessions. Ask the studio's admin if that should be you.")
NOT_YOURS = N_("Only an admin or the trainer who leads this session can change it.")
STOPPED = N_("Stopped. Nothing was changed.")
TIMED_OUT = N_("This change timed out after 10 minutes without an answer. Nothing was changed.")
LOST_IN_RESTART = N_(
    "The bot was restarted by a newer version that could not read your change in progress. "
    "Nothing was changed; open the session again to start over."
)
USE_BUTTONS = N_("Please use the buttons above, or send /cancel to stop.")
ASK_CAPACITY = N_("Type the new capacity for this session only, as a whole number (e.g. <code>12</code>).")
BAD_CAPACITY = N_("That is not a capacity. Type a whole number above zero, e.g. <code>12</code>, or /cancel.")
BAD_TIME = N_("That is not a time. Type it as HH:MM, e.g. <code>18:30</code>, or /cancel.")
PICK_SOMETHING = N_("Pick something to change first.")
CHANGED_SINCE = N_("This session changed since you opened it; here it is now.")
NEW_WARNINGS = N_("Something changed since your review: check the warnings below and save again.")
SAVED = N_("Saved")
CANCELLED = N_("Cancelled")
SAVED_ALREADY = N_("Already saved — nothing was changed twice.")
CANCELLED_ALREADY = N_("Already cancelled — nothing was changed twice.")
ASK_REASON = N_("Type a reason members will see (e.g. <code>Trainer is ill</code>), or tap “No reason”.")
ASK_OVERRIDE_REASON = N_(
    "Existing bookings will be cancelled and refunded. Type a reason the members will read "
    "(e.g. <code>Moved to the big hall, fewer spots</code>), or tap “No reason”."
)
CHANGE_IN_PROGRESS = N_("✎ Change in progress — see below.")
CANCELLING = N_("❌ Cancelling — see below.")
ALREADY_CANCELLED = N_("This session is already cancelled.")
NOTHING_TO_STOP = N_("Nothing to stop: no change is open.")
WHICH_SESSIONS = N_("Which sessions?")


def calendar_date(moment: date) -> str:
    """A day without an hour (`Tue 01 Dec 2026`), as bot.render writes any day with its year."""
    return calendar_day(datetime.combine(moment, time(12), tzinfo=UTC), ZoneInfo("UTC"))


def when(occurrence: Occurrence, zone: ZoneInfo) -> str:
    start, end = occurrence.start, occurrence.end
    return f"{calendar_day(start, zone)}, {clock(start, zone)}–{clock(end, zone)}"


def headline(occurrence: Occurrence, zone: ZoneInfo) -> str:
    return f"<b>{escape(occurrence.title)}</b> · {when(occurrence, zone)}"


def session_line(number: int, occurrence: Occurrence, names: Directory, zone: ZoneInfo) -> str:
    parts = [
        day_and_clock(occurrence.start, zone),
        ("🔒 " if occurrence.schedule.private else "") + f"<b>{escape(occurrence.title)}</b>",
        escape(names.space_name(occurrence.space_id)),
        escape(names.trainer_name(occurrence.trainer_id)),
        f"{occurrence.booked}/{occurrence.capacity}",
    ]
    line = f"{number}. " + " · ".join(parts)
    if occurrence.cancelled:
        return f"{line} · " + _("❌ cancelled")
    if occurrence.overridden:
        return f"{line} · ✎ {', '.join(_(FIELD_NAMES[f]) for f in occurrence.overridden)}"
    return line


def listing(
    first: date,
    last: date,
    mine: bool,
    page: list[Occurrence],
    offset: int,
    total: int,
    page_number: int,
    pages: int,
    names: Directory,
    zone: ZoneInfo,
) -> str:
    days = day(first, zone) if first == last else f"{day(first, zone)} – {calendar_date(last)}"
    title = (_("<b>Sessions {days}</b> (you lead)") if mine else _("<b>Sessions {days}</b> (all)")).format(days=days)
    if not page:
        return f"{title}\n\n" + _("No sessions in this range.")
    lines = [session_line(offset + i + 1, o, names, zone) for i, o in enumerate(page)]
    footer = span(Page(page, page_number, pages, total, offset), _("Sessions"))
    return "\n".join([title, "", *lines, "", footer, _("Tap a number to open the session.")])


def card(occurrence: Occurrence, names: Directory, zone: ZoneInfo, note: str | None = None, waiting: int = 0) -> str:
    schedule = occurrence.schedule
    lines = [headline(occurrence, zone)]
    if occurrence.cancelled:
        reason = occurrence.record.cancel_reason
        cancelled = _("❌ <b>Cancelled</b>: {reason}") if reason else _("❌ <b>Cancelled</b>")
        lines.append(cancelled.format(reason=escape(i18n.reason(reason or ""))))
    space, default_space = names.space_name(occurrence.space_id), names.space_name(schedule.default_space_id)
    lines.append(
        _with_default(_("Space: {value}"), _("Space: <b>{value}</b> (schedule: {default})"), space, default_space)
    )
    trainer = names.trainer_name(occurrence.trainer_id)
    default_trainer = names.trainer_name(schedule.default_trainer_id)
    lines.append(
        _with_default(
            _("Trainer: {value}"), _("Trainer: <b>{value}</b> (schedule: {default})"), trainer, default_trainer
        )
    )
    capacity, default_capacity = str(occurrence.capacity), str(schedule.default_capacity)
    lines.append(
        _with_default(
            _("Capacity: {value}"), _("Capacity: <b>{value}</b> (schedule: {default})"), capacity, default_capacity
        )
    )
    if "time" in occurrence.overridden:
        lines.append(_("Moved from {when}").format(when=day_and_clock(occurrence.key.original_start, zone)))
    booked = _("Booked: {booked}/{capacity} · waitlist: {waiting}") if waiting else _("Booked: {booked}/{capacity}")
    lines.append(booked.format(booked=occurrence.booked, capacity=occurrence.capacity, waiting=waiting))
    lines.append(_kind(schedule))
    if note:
        lines.insert(0, f"<i>{escape(note)}</i>\n")
    return "\n".join(lines)


def _kind(schedule: Schedule) -> str:
    if schedule.private:
        return _("🔒 Private session (1:1): members do not see it in /book; staff book its member here")
    return _("Closed schedule (members enrolled by pass)") if schedule.closed else _("Open schedule")


def no_actions(occurrence: Occurrence, names: Directory, now: datetime) -> str:
    """Why a card offers no Change or Cancel: the session's state, or else that the
    viewer does not lead it — and who may act on it."""
    if occurrence.cancelled:
        return _("<i>A cancelled session stays as it is: nothing more can be changed.</i>")
    if occurrence.end <= now:
        return _("<i>This session is over, so it can no longer be changed.</i>")
    if occurrence.start <= now:
        return _("<i>This session has started, so it can no longer be changed.</i>")
    leader = escape(names.trainer_name(occurrence.trainer_id))
    return _("<i>Led by {leader}; only {leader} or an admin can change it.</i>").format(leader=leader)


def _with_default(same: str, different: str, value: str, default: str) -> str:
    """`same` (`Space: {value}`) when the session keeps its schedule's value, else
    `different`, which names the schedule's too."""
    if value == default:
        return same.format(value=escape(value))
    return different.format(value=escape(value), default=escape(default))


def override_menu(
    occurrence: Occurrence, draft: OverrideDraft, names: Directory, zone: ZoneInfo, note: str | None = None
) -> str:
    lines = [_("Change {session} — this session only.").format(session=headline(occurrence, zone))]
    picked = _picked(occurrence, draft, names, zone)
    lines.append("\n".join(["", _("<b>Picked so far</b>"), *picked]) if picked else "\n" + _("Nothing picked yet."))
    lines.append("\n" + _("What do you want to change? Then tap Review."))
    if note:
        lines.insert(0, f"⚠️ {escape(note)}\n")
    return "\n".join(lines)


def _picked(occurrence: Occurrence, draft: OverrideDraft, names: Directory, zone: ZoneInfo) -> list[str]:
    picked = []
    if draft.capacity is not None:
        picked.append(_("• capacity: {before} → {after}").format(before=occurrence.capacity, after=draft.capacity))
    if draft.space_id is not None:
        before, after = names.space_name(occurrence.space_id), names.space_name(draft.space_id)
        picked.append(_("• space: {before} → {after}").format(before=escape(before), after=escape(after)))
    if draft.trainer_id is not None:
        before, after = names.trainer_name(occurrence.trainer_id), names.trainer_name(draft.trainer_id)
        picked.append(_("• trainer: {before} → {after}").format(before=escape(before), after=escape(after)))
    if draft.start is not None:
        before, after = day_and_clock(occurrence.start, zone), day_and_clock(draft.start, zone)
        picked.append(_("• time: {before} → {after}").format(before=before, after=after))
    if draft.cancel_bookings:
        picked.append(_("• cancel existing bookings (passes refunded)"))
        picked.append(f"  {_reason_line(draft.reason)}")
    return picked


def _reason_line(reason: str | None) -> str:
    if reason:
        return _("Reason members are told: “{reason}”").format(reason=escape(reason))
    return _("No reason given to members.")


def pick_space() -> str:
    return _("Which space should this session use?")


def pick_trainer() -> str:
    return _("Who leads this session?")


def pick_substitute(occurrence: Occurrence, names: Directory, zone: ZoneInfo) -> str:
    leader = escape(names.trainer_name(occurrence.trainer_id))
    return _("Who substitutes for {leader} at {session}? You see the review next.").format(
        leader=leader, session=headline(occurrence, zone)
    )


def pick_date(current: datetime, zone: ZoneInfo) -> str:
    return _(
        "Pick the new date (now {day}), or type it, e.g. <code>9.2</code> or "
        "<code>2027-02-09</code>. You type the time next."
    ).format(day=day(current, zone))


OR_PICK = N_("Or pick a day above.")


def day_out_of_reach(picked: date, today: date, furthest: date) -> str:
    # Days as people type them (bot/ranges.py reads 09.02.2027): digits, the same in every language.
    if picked < today:
        return _("{day} is in the past. Type a day from today on, or pick one above.").format(day=f"{picked:%d.%m.%Y}")
    return _("{day} is too far ahead: a session moves to {furthest} at the latest. Or pick a day above.").format(
        day=f"{picked:%d.%m.%Y}", furthest=f"{furthest:%d.%m.%Y}"
    )


def ask_time(picked: date, current: datetime, zone: ZoneInfo) -> str:
    return _("New date: {day}. Type the start time as HH:MM (now {now}), e.g. <code>{now}</code>.").format(
        day=day(picked, zone), now=clock(current, zone)
    )


def describe_change(change: Change, names: Directory, zone: ZoneInfo) -> str:
    if change.field == "time":
        before, after = (day_and_clock(v, zone) for v in (change.before, change.after))
    elif change.field == "space":
        before, after = (escape(names.space_name(v)) for v in (change.before, change.after))
    elif change.field == "trainer":
        before, after = (escape(names.trainer_name(v)) for v in (change.before, change.after))
    else:
        before, after = str(change.before), str(change.after)
    return _(CHANGE_LINES[change.field]).format(before=before, after=after)


def describe_warning(warning: OverrideWarning, review: OverrideReview, zone: ZoneInfo) -> str:
    if warning.kind is WarningKind.CAPACITY_BELOW_BOOKINGS:
        kept = review.before.booked - len(review.cancelled_bookings)
        return ngettext(
            "⚠️ {n} member is booked but the capacity becomes {capacity}: the booking is kept, "
            "and no new bookings are taken until there is room.",
            "⚠️ {n} members are booked but the capacity becomes {capacity}: their bookings are kept, "
            "and no new bookings are taken until there is room.",
            kept,
        ).format(n=kept, capacity=review.after.capacity)
    other = warning.other
    busy = (
        f"{escape(other.title)} {day_and_clock(other.start, zone)}–{clock(other.end, zone)}"
        if other
        else _("another session")
    )
    if warning.kind is WarningKind.SPACE_BUSY:
        return _("⚠️ The space is already busy then: {busy}.").format(busy=busy)
    return _("⚠️ The trainer is already busy then: {busy}.").format(busy=busy)


def consequences(notified: dict[NotificationKind, int], cancelled: int, refunded: int, *, done: bool) -> list[str]:
    lines = []
    if cancelled:
        lines.append(_cancelled_line(cancelled, refunded, done=done))
    for kind, count in notified.items():
        if kind not in NOTIFICATION_NAMES:  # a trainer's notice: named one by one (`trainers_told`)
            continue
        if done:
            told = ngettext("• {n} member is told: {notice}", "• {n} members are told: {notice}", count)
        else:
            told = ngettext("• {n} member will be told: {notice}", "• {n} members will be told: {notice}", count)
        lines.append(told.format(n=count, notice=_(NOTIFICATION_NAMES[kind])))
    if not any(kind in NOTIFICATION_NAMES for kind in notified):
        lines.append(_("• No member is notified.") if done else _("• No member will be notified."))
    return lines


def _cancelled_line(cancelled: int, refunded: int, *, done: bool) -> str:
    """`• 3 bookings were cancelled, 3 pass sessions refunded`."""
    bookings = ngettext("{n} booking", "{n} bookings", cancelled).format(n=cancelled)
    sessions = ngettext("{n} pass session", "{n} pass sessions", refunded).format(n=refunded)
    if done:
        line = ngettext(
            "• {bookings} was cancelled, {sessions} refunded",
            "• {bookings} were cancelled, {sessions} refunded",
            cancelled,
        )
    else:
        line = ngettext(
            "• {bookings} will be cancelled, {sessions} refunded",
            "• {bookings} will be cancelled, {sessions} refunded",
            cancelled,
        )
    return line.format(bookings=bookings, sessions=sessions)


# What a trainer is told, by notice (SPEC §3.1): (after it was sent, before it is).
TRAINER_TOLD = {
    NotificationKind.TRAINER_SUBSTITUTE: (
        N_("• {name} is told that they now lead it"),
        N_("• {name} will be told that they now lead it"),
    ),
    NotificationKind.TRAINER_REPLACED: (
        N_("• {name} is told that {lead} leads it instead"),
        N_("• {name} will be told that {lead} leads it instead"),
    ),
    NotificationKind.TRAINER_CHANGED: (
        N_("• {name} is told that their session changed"),
        N_("• {name} will be told that their session changed"),
    ),
    NotificationKind.TRAINER_CANCELLED: (
        N_("• {name} is told that their session is cancelled"),
        N_("• {name} will be told that their session is cancelled"),
    ),
    # A schedule's edit or end (domain/trainer_notices.py): one message per trainer.
    NotificationKind.TRAINER_SCHEDULE_LEAD: (
        N_("• {name} is told that they lead it from {since} on"),
        N_("• {name} will be told that they lead it from {since} on"),
    ),
    NotificationKind.TRAINER_SCHEDULE_REPLACED: (
        N_("• {name} is told that {lead} leads it from {since} on"),
        N_("• {name} will be told that {lead} leads it from {since} on"),
    ),
    NotificationKind.TRAINER_SCHEDULE_CHANGED: (
        N_("• {name} is told that it changes from {since} on"),
        N_("• {name} will be told that it changes from {since} on"),
    ),
    NotificationKind.TRAINER_SCHEDULE_ENDED: (
        N_("• {name} is told that their sessions after it are cancelled"),
        N_("• {name} will be told that their sessions after it are cancelled"),
    ),
}


def trainers_told(notifications: tuple[NotificationDraft, ...], *, done: bool) -> list[str]:
    """One line per trainer told (SPEC §3.1), by name as the directory shows it."""
    lines = []
    for draft in trainer_notices_of(notifications):
        payload = draft.payload
        lead = payload.get("trainer_after") or ", ".join(payload.get("others", []))
        since = calendar_date(date.fromisoformat(payload["since"])) if "since" in payload else ""
        sent, coming = TRAINER_TOLD[draft.kind]
        line = _(sent if done else coming).format(
            name=escape(str(payload["recipient"])), lead=escape(str(lead)), since=since
        )
        if payload.get("as_member"):
            line = _("{line} (and about their booking)").format(line=line)
        lines.append(line)
    return lines


def members_told(notifications: tuple[NotificationDraft, ...]) -> int:
    return len(member_notices_of(notifications))


def review(review: OverrideReview, names: Directory, zone: ZoneInfo) -> str:
    session = headline(review.before, zone)
    lines = [_("<b>Review</b> — {session}").format(session=session), "", _("<b>What changes</b>")]
    lines += [describe_change(change, names, zone) for change in review.changes] or [_("• nothing but the bookings")]
    lines += ["", _("<b>Who is told</b>")]
    lines += trainers_told(review.notifications, done=False)
    lines += consequences(review.notified, len(review.cancelled_bookings), review.refunded_passes, done=False)
    if review.cancelled_bookings:
        lines.append(f"• {_reason_line(review.request.reason)}")
    if review.warnings:
        lines += ["", *(describe_warning(w, review, zone) for w in review.warnings)]
        lines.append("\n" + _("Save anyway? The warnings above need your confirmation."))
    else:
        lines.append("\n" + _("Save this change?"))
    return "\n".join(lines)


def override_outcome(saved: OverrideReview, names: Directory, zone: ZoneInfo) -> str:
    lines = [_("✅ <b>Saved</b> — {session}").format(session=headline(saved.after, zone)), ""]
    lines += [describe_change(change, names, zone) for change in saved.changes]
    lines += trainers_told(saved.notifications, done=True)
    lines += consequences(saved.notified, len(saved.cancelled_bookings), saved.refunded_passes, done=True)
    return "\n".join(lines)


def cancel_prompt(occurrence: Occurrence, zone: ZoneInfo) -> str:
    return _("Cancel {session}?").format(session=headline(occurrence, zone)) + "\n\n" + _(ASK_REASON)


def cancel_confirm(plan: CancelReview, zone: ZoneInfo) -> str:
    occurrence = plan.occurrence
    if plan.reason:
        reason = _("Reason shown to members: “{reason}”").format(reason=escape(i18n.reason(plan.reason)))
    else:
        reason = _("No reason given.")
    count = len(plan.cancelled_bookings)
    lines = [_("<b>Cancel</b> {session}?").format(session=headline(occurrence, zone)), "", reason, ""]
    told = members_told(plan.notifications)
    lines += trainers_told(plan.notifications, done=False)
    lines += consequences({NotificationKind.CANCELLED: told} if told else {}, count, plan.refunded_passes, done=False)
    lines += _waitlist_cleared(plan, done=False)
    lines.append("\n" + _("Other sessions of this schedule are not affected."))
    return "\n".join(lines)


def cancel_outcome(done: CancelReview, zone: ZoneInfo) -> str:
    occurrence = done.occurrence
    if done.already_cancelled:
        return _("{session} was already cancelled. Nothing changed, nothing refunded twice.").format(
            session=headline(occurrence, zone)
        )
    count = len(done.cancelled_bookings)
    lines = [_("❌ <b>Cancelled</b> — {session}").format(session=headline(occurrence, zone)), ""]
    told = members_told(done.notifications)
    lines += trainers_told(done.notifications, done=True)
    lines += consequences({NotificationKind.CANCELLED: told} if told else {}, count, done.refunded_passes, done=True)
    lines += _waitlist_cleared(done, done=True)
    return "\n".join(lines)


def _waitlist_cleared(review: CancelReview, *, done: bool) -> list[str]:
    if not review.waitlisted:
        return []
    count = len(review.waitlisted)
    if done:
        line = ngettext(
            "• {n} member on the waitlist was taken off it (nothing deducted)",
            "• {n} members on the waitlist were taken off it (nothing deducted)",
            count,
        )
    else:
        line = ngettext(
            "• {n} member on the waitlist will be taken off it (nothing deducted)",
            "• {n} members on the waitlist will be taken off it (nothing deducted)",
            count,
        )
    return [line.format(n=count)]


# -- delivery receipts on the outcome screen (bot/sessions/receipts.py) -----------------

UNREACHED = (BLOCKED, NO_LINKED_CHAT, CHAT_NOT_FOUND, ACCOUNT_DELETED)  # the reasons told apart
NAMES_SHOWN = 5  # names per reason; the rest are counted


def _unreached(reason: str | None, count: int) -> str:
    """Why `count` people were not reached, as the receipt says it: `{n} … ({names})`."""
    if reason == BLOCKED:
        return ngettext("{n} blocked the bot ({names})", "{n} blocked the bot ({names})", count)
    if reason == NO_LINKED_CHAT:
        return ngettext("{n} has no linked chat ({names})", "{n} have no linked chat ({names})", count)
    if reason == CHAT_NOT_FOUND:
        return ngettext(
            "{n} has a chat Telegram does not know ({names})", "{n} have chats Telegram does not know ({names})", count
        )
    if reason == ACCOUNT_DELETED:
        return ngettext("{n} deleted their account ({names})", "{n} deleted their accounts ({names})", count)
    return ngettext("{n} could not be reached ({names})", "{n} could not be reached ({names})", count)


def receipt_line(receipt: Receipt, *, gave_up: bool = False) -> str:
    """`📬 12 of 14 delivered, 1 blocked the bot (Anna Berg), 1 has no linked chat (Ben Cole)`."""
    parts = [_("{delivered} of {total} delivered").format(delivered=receipt.delivered, total=receipt.total)]
    by_reason: dict[str | None, list[str]] = {}
    for reason, name in receipt.failed:
        by_reason.setdefault(reason if reason in UNREACHED else None, []).append(name)
    for why, names in by_reason.items():
        shown = ", ".join(escape(name) for name in names[:NAMES_SHOWN])
        if len(names) > NAMES_SHOWN:
            shown = _("{names} and {n} more").format(names=shown, n=len(names) - NAMES_SHOWN)
        parts.append(_unreached(why, len(names)).format(n=len(names), names=shown))
    pending = receipt.pending
    if pending and gave_up:
        parts.append(ngettext("{n} still being retried", "{n} still being retried", pending).format(n=pending))
    elif pending:
        parts.append(ngettext("{n} on the way…", "{n} on the way…", pending).format(n=pending))
    return "📬 " + ", ".join(parts)


def with_receipt(outcome: str, receipt: Receipt, *, gave_up: bool = False) -> str:
    return f"{outcome}\n\n{receipt_line(receipt, gave_up=gave_up)}"
