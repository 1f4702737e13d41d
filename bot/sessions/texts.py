"""Texts of the trainer flows (SPEC §2): the session list, the card, the override
and cancel conversations, their reviews and outcomes. HTML; people's words escaped."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.render import agree, clock, day, escape, plural
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
    NotificationKind.UPDATED: "“Training updated”",
    NotificationKind.RESCHEDULED: "“Training rescheduled”",
    NotificationKind.CANCELLED: "“Training cancelled”",
    NotificationKind.BOOKING_CANCELLED: "“Your booking was cancelled” (with the refund)",
    NotificationKind.WAITLIST_PROMOTED: "“A spot opened up — you are booked” (booked from the waitlist, one pass session used)",
    NotificationKind.BOOKED_BY_STAFF: "“You are booked” (one pass session used)",
}
FIELD_NAMES = {"time": "date and time", "capacity": "capacity", "space": "space", "trainer": "trainer"}

ONLY_STAFF = "Only trainers and admins can see the sessions. Ask the studio's admin if that should be you."
NOT_YOURS = "Only an admin or the trainer who leads this session can change it."
EXPIRED_BUTTON = "This button has expired. Nothing was changed."
STOPPED = "Stopped. Nothing was changed."
TIMED_OUT = "This change timed out after 10 minutes without an answer. Nothing was changed."
LOST_IN_RESTART = (
    "The bot was restarted by a newer version that could not read your change in progress. "
    "Nothing was changed; open the session again to start over."
)
USE_BUTTONS = "Please use the buttons above, or send /cancel to stop."
ASK_CAPACITY = "Type the new capacity for this session only, as a whole number (e.g. <code>12</code>)."
BAD_CAPACITY = "That is not a capacity. Type a whole number above zero, e.g. <code>12</code>, or /cancel."
BAD_TIME = "That is not a time. Type it as HH:MM, e.g. <code>18:30</code>, or /cancel."
PICK_SOMETHING = "Pick something to change first."
CHANGED_SINCE = "This session changed since you opened it; here it is now."
NEW_WARNINGS = "Something changed since your review: check the warnings below and save again."
SAVED = "Saved"
CANCELLED = "Cancelled"
SAVED_ALREADY = "Already saved — nothing was changed twice."
CANCELLED_ALREADY = "Already cancelled — nothing was changed twice."
ASK_REASON = "Type a reason members will see (e.g. <code>Trainer is ill</code>), or tap “No reason”."
ASK_OVERRIDE_REASON = (
    "Existing bookings will be cancelled and refunded. Type a reason the members will read "
    "(e.g. <code>Moved to the big hall, fewer spots</code>), or tap “No reason”."
)


def when(occurrence: Occurrence, zone: ZoneInfo) -> str:
    return f"{day(occurrence.start, zone)} {occurrence.start.astimezone(zone):%Y}, {clock(occurrence.start, zone)}–{clock(occurrence.end, zone)}"


def headline(occurrence: Occurrence, zone: ZoneInfo) -> str:
    return f"<b>{escape(occurrence.title)}</b> · {when(occurrence, zone)}"


def session_line(number: int, occurrence: Occurrence, names: Directory, zone: ZoneInfo) -> str:
    parts = [
        f"{day(occurrence.start, zone)} {clock(occurrence.start, zone)}",
        ("🔒 " if occurrence.schedule.private else "") + f"<b>{escape(occurrence.title)}</b>",
        escape(names.space_name(occurrence.space_id)),
        escape(names.trainer_name(occurrence.trainer_id)),
        f"{occurrence.booked}/{occurrence.capacity}",
    ]
    line = f"{number}. " + " · ".join(parts)
    if occurrence.cancelled:
        return f"{line} · ❌ cancelled"
    if occurrence.overridden:
        return f"{line} · ✎ {', '.join(FIELD_NAMES[f] for f in occurrence.overridden)}"
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
    span = day(first, zone) if first == last else f"{day(first, zone)} – {day(last, zone)} {last:%Y}"
    whose = "you lead" if mine else "all"
    title = f"<b>Sessions {span}</b> ({whose})"
    if not page:
        return f"{title}\n\nNo sessions in this range."
    lines = [session_line(offset + i + 1, o, names, zone) for i, o in enumerate(page)]
    footer = f"Sessions {offset + 1}–{offset + len(page)} of {total}" + (
        f" · page {page_number + 1}/{pages}" if pages > 1 else ""
    )
    return "\n".join([title, "", *lines, "", footer, "Tap a number to open the session."])


def card(occurrence: Occurrence, names: Directory, zone: ZoneInfo, note: str | None = None, waiting: int = 0) -> str:
    schedule = occurrence.schedule
    lines = [headline(occurrence, zone)]
    if occurrence.cancelled:
        reason = occurrence.record.cancel_reason
        lines.append("❌ <b>Cancelled</b>" + (f": {escape(reason)}" if reason else ""))
    lines.append(
        _with_default("Space", names.space_name(occurrence.space_id), names.space_name(schedule.default_space_id))
    )
    lines.append(
        _with_default(
            "Trainer", names.trainer_name(occurrence.trainer_id), names.trainer_name(schedule.default_trainer_id)
        )
    )
    lines.append(_with_default("Capacity", str(occurrence.capacity), str(schedule.default_capacity)))
    if "time" in occurrence.overridden:
        original = occurrence.key.original_start
        lines.append(f"Moved from {day(original, zone)} {clock(original, zone)}")
    lines.append(f"Booked: {occurrence.booked}/{occurrence.capacity}" + (f" · waitlist: {waiting}" if waiting else ""))
    lines.append(_kind(schedule))
    if note:
        lines.insert(0, f"<i>{escape(note)}</i>\n")
    return "\n".join(lines)


def _kind(schedule: Schedule) -> str:
    if schedule.private:
        return "🔒 Private session (1:1): members do not see it in /book; staff book its member here"
    return "Closed schedule (members enrolled by pass)" if schedule.closed else "Open schedule"


def no_actions(occurrence: Occurrence, names: Directory, now: datetime) -> str:
    """Why a card offers no Change or Cancel: the session's state, or else that the
    viewer does not lead it — and who may act on it."""
    if occurrence.cancelled:
        return "<i>A cancelled session stays as it is: nothing more can be changed.</i>"
    if occurrence.start <= now:
        over = "is over" if occurrence.end <= now else "has started"
        return f"<i>This session {over}, so it can no longer be changed.</i>"
    leader = escape(names.trainer_name(occurrence.trainer_id))
    return f"<i>Led by {leader}; only {leader} or an admin can change it.</i>"


def _with_default(label: str, value: str, default: str) -> str:
    if value == default:
        return f"{label}: {escape(value)}"
    return f"{label}: <b>{escape(value)}</b> (schedule: {escape(default)})"


def override_menu(
    occurrence: Occurrence, draft: OverrideDraft, names: Directory, zone: ZoneInfo, note: str | None = None
) -> str:
    lines = [f"Change {headline(occurrence, zone)} — this session only."]
    picked = _picked(occurrence, draft, names, zone)
    lines.append("\n".join(["", "<b>Picked so far</b>", *picked]) if picked else "\nNothing picked yet.")
    lines.append("\nWhat do you want to change? Then tap Review.")
    if note:
        lines.insert(0, f"⚠️ {escape(note)}\n")
    return "\n".join(lines)


def _picked(occurrence: Occurrence, draft: OverrideDraft, names: Directory, zone: ZoneInfo) -> list[str]:
    picked = []
    if draft.capacity is not None:
        picked.append(f"• capacity: {occurrence.capacity} → {draft.capacity}")
    if draft.space_id is not None:
        picked.append(
            f"• space: {escape(names.space_name(occurrence.space_id))} → {escape(names.space_name(draft.space_id))}"
        )
    if draft.trainer_id is not None:
        picked.append(
            f"• trainer: {escape(names.trainer_name(occurrence.trainer_id))} → {escape(names.trainer_name(draft.trainer_id))}"
        )
    if draft.start is not None:
        picked.append(
            f"• time: {day(occurrence.start, zone)} {clock(occurrence.start, zone)} → {day(draft.start, zone)} {clock(draft.start, zone)}"
        )
    if draft.cancel_bookings:
        picked.append("• cancel existing bookings (passes refunded)")
        picked.append(f"  {_reason_line(draft.reason)}")
    return picked


def _reason_line(reason: str | None) -> str:
    return f"Reason members are told: “{escape(reason)}”" if reason else "No reason given to members."


def pick_space() -> str:
    return "Which space should this session use?"


def pick_trainer() -> str:
    return "Who leads this session?"


def pick_substitute(occurrence: Occurrence, names: Directory, zone: ZoneInfo) -> str:
    leader = escape(names.trainer_name(occurrence.trainer_id))
    return f"Who substitutes for {leader} at {headline(occurrence, zone)}? You see the review next."


def pick_date(current: datetime, zone: ZoneInfo) -> str:
    return (
        f"Pick the new date (now {day(current, zone)}), or type it, e.g. <code>9.2</code> or "
        "<code>2027-02-09</code>. You type the time next."
    )


OR_PICK = "Or pick a day above."


def day_out_of_reach(picked: date, today: date, furthest: date) -> str:
    if picked < today:
        return f"{picked:%d.%m.%Y} is in the past. Type a day from today on, or pick one above."
    return f"{picked:%d.%m.%Y} is too far ahead: a session moves to {furthest:%d.%m.%Y} at the latest. {OR_PICK}"


def ask_time(picked: date, current: datetime, zone: ZoneInfo) -> str:
    return (
        f"New date: {day(picked, zone)}. Type the start time as HH:MM "
        f"(now {clock(current, zone)}), e.g. <code>{clock(current, zone)}</code>."
    )


def describe_change(change: Change, names: Directory, zone: ZoneInfo) -> str:
    if change.field == "time":
        before, after = (f"{day(v, zone)} {clock(v, zone)}" for v in (change.before, change.after))
    elif change.field == "space":
        before, after = (escape(names.space_name(v)) for v in (change.before, change.after))
    elif change.field == "trainer":
        before, after = (escape(names.trainer_name(v)) for v in (change.before, change.after))
    else:
        before, after = str(change.before), str(change.after)
    return f"• {FIELD_NAMES[change.field]}: {before} → <b>{after}</b>"


def describe_warning(warning: OverrideWarning, review: OverrideReview, zone: ZoneInfo) -> str:
    if warning.kind is WarningKind.CAPACITY_BELOW_BOOKINGS:
        kept = review.before.booked - len(review.cancelled_bookings)
        return (
            f"⚠️ {plural(kept, 'member')} {agree(kept, 'is', 'are')} booked but the capacity becomes "
            f"{review.after.capacity}: {agree(kept, 'the booking is', 'their bookings are')} kept, "
            "and no new bookings are taken until there is room."
        )
    other = warning.other
    what = "space" if warning.kind is WarningKind.SPACE_BUSY else "trainer"
    busy = (
        f"{escape(other.title)} {day(other.start, zone)} {clock(other.start, zone)}–{clock(other.end, zone)}"
        if other
        else "another session"
    )
    return f"⚠️ The {what} is already busy then: {busy}."


def consequences(notified: dict[NotificationKind, int], cancelled: int, refunded: int, *, done: bool) -> list[str]:
    lines = []
    if cancelled:
        verb = agree(cancelled, "was", "were") if done else "will be"
        lines.append(f"• {plural(cancelled, 'booking')} {verb} cancelled, {plural(refunded, 'pass session')} refunded")
    for kind, count in notified.items():
        if kind not in NOTIFICATION_NAMES:  # a trainer's notice: named one by one (`trainers_told`)
            continue
        verb = agree(count, "is told", "are told") if done else "will be told"
        lines.append(f"• {plural(count, 'member')} {verb}: {NOTIFICATION_NAMES[kind]}")
    if not any(kind in NOTIFICATION_NAMES for kind in notified):
        lines.append("• No member is notified." if done else "• No member will be notified.")
    return lines


TRAINER_TOLD = {
    NotificationKind.TRAINER_SUBSTITUTE: "that they now lead it",
    NotificationKind.TRAINER_REPLACED: "that {lead} leads it instead",
    NotificationKind.TRAINER_CHANGED: "that their session changed",
    NotificationKind.TRAINER_CANCELLED: "that their session is cancelled",
    # A schedule's edit or end (domain/trainer_notices.py): one message per trainer.
    NotificationKind.TRAINER_SCHEDULE_LEAD: "that they lead it from {since} on",
    NotificationKind.TRAINER_SCHEDULE_REPLACED: "that {lead} leads it from {since} on",
    NotificationKind.TRAINER_SCHEDULE_CHANGED: "that it changes from {since} on",
    NotificationKind.TRAINER_SCHEDULE_ENDED: "that their sessions after it are cancelled",
}


def trainers_told(notifications: tuple[NotificationDraft, ...], *, done: bool) -> list[str]:
    """One line per trainer told (SPEC §3.1), by name as the directory shows it."""
    lines = []
    for draft in trainer_notices_of(notifications):
        payload = draft.payload
        lead = payload.get("trainer_after") or ", ".join(payload.get("others", []))
        since = f"{date.fromisoformat(payload['since']):%a %d %b %Y}" if "since" in payload else ""
        what = TRAINER_TOLD[draft.kind].format(lead=escape(str(lead)), since=since)
        booking = " (and about their booking)" if payload.get("as_member") else ""
        verb = "is told" if done else "will be told"
        lines.append(f"• {escape(str(payload['recipient']))} {verb} {what}{booking}")
    return lines


def members_told(notifications: tuple[NotificationDraft, ...]) -> int:
    return len(member_notices_of(notifications))


def review(review: OverrideReview, names: Directory, zone: ZoneInfo) -> str:
    lines = [f"<b>Review</b> — {headline(review.before, zone)}", "", "<b>What changes</b>"]
    lines += [describe_change(change, names, zone) for change in review.changes] or ["• nothing but the bookings"]
    lines += ["", "<b>Who is told</b>"]
    lines += trainers_told(review.notifications, done=False)
    lines += consequences(review.notified, len(review.cancelled_bookings), review.refunded_passes, done=False)
    if review.cancelled_bookings:
        lines.append(f"• {_reason_line(review.request.reason)}")
    if review.warnings:
        lines += ["", *(describe_warning(w, review, zone) for w in review.warnings)]
        lines.append("\nSave anyway? The warnings above need your confirmation.")
    else:
        lines.append("\nSave this change?")
    return "\n".join(lines)


def override_outcome(saved: OverrideReview, names: Directory, zone: ZoneInfo) -> str:
    lines = [f"✅ <b>Saved</b> — {headline(saved.after, zone)}", ""]
    lines += [describe_change(change, names, zone) for change in saved.changes]
    lines += trainers_told(saved.notifications, done=True)
    lines += consequences(saved.notified, len(saved.cancelled_bookings), saved.refunded_passes, done=True)
    return "\n".join(lines)


def cancel_prompt(occurrence: Occurrence, zone: ZoneInfo) -> str:
    return f"Cancel {headline(occurrence, zone)}?\n\n{ASK_REASON}"


def cancel_confirm(plan: CancelReview, zone: ZoneInfo) -> str:
    occurrence = plan.occurrence
    reason = f"Reason shown to members: “{escape(plan.reason)}”" if plan.reason else "No reason given."
    count = len(plan.cancelled_bookings)
    lines = [f"<b>Cancel</b> {headline(occurrence, zone)}?", "", reason, ""]
    told = members_told(plan.notifications)
    lines += trainers_told(plan.notifications, done=False)
    lines += consequences({NotificationKind.CANCELLED: told} if told else {}, count, plan.refunded_passes, done=False)
    lines += _waitlist_cleared(plan, done=False)
    lines.append("\nOther sessions of this schedule are not affected.")
    return "\n".join(lines)


def cancel_outcome(done: CancelReview, zone: ZoneInfo) -> str:
    occurrence = done.occurrence
    if done.already_cancelled:
        return f"{headline(occurrence, zone)} was already cancelled. Nothing changed, nothing refunded twice."
    count = len(done.cancelled_bookings)
    lines = [f"❌ <b>Cancelled</b> — {headline(occurrence, zone)}", ""]
    told = members_told(done.notifications)
    lines += trainers_told(done.notifications, done=True)
    lines += consequences({NotificationKind.CANCELLED: told} if told else {}, count, done.refunded_passes, done=True)
    lines += _waitlist_cleared(done, done=True)
    return "\n".join(lines)


def _waitlist_cleared(review: CancelReview, *, done: bool) -> list[str]:
    if not review.waitlisted:
        return []
    count = len(review.waitlisted)
    verb = agree(count, "was", "were") if done else "will be"
    return [f"• {plural(count, 'member')} on the waitlist {verb} taken off it (nothing deducted)"]


# -- delivery receipts on the outcome screen (bot/sessions/receipts.py) -----------------

# Why a person was not reached, as the receipt says it: (one, several).
UNREACHED = {
    BLOCKED: ("blocked the bot", "blocked the bot"),
    NO_LINKED_CHAT: ("has no linked chat", "have no linked chat"),
    CHAT_NOT_FOUND: ("has a chat Telegram does not know", "have chats Telegram does not know"),
    ACCOUNT_DELETED: ("deleted their account", "deleted their accounts"),
}
OTHER_FAILURE = ("could not be reached", "could not be reached")
NAMES_SHOWN = 5  # names per reason; the rest are counted


def receipt_line(receipt: Receipt, *, gave_up: bool = False) -> str:
    """`📬 12 of 14 delivered, 1 blocked the bot (Anna Berg), 1 has no linked chat (Ben Cole)`."""
    parts = [f"{receipt.delivered} of {receipt.total} delivered"]
    by_reason: dict[tuple[str, str], list[str]] = {}
    for reason, name in receipt.failed:
        by_reason.setdefault(UNREACHED.get(reason, OTHER_FAILURE), []).append(name)
    for (one, several), names in by_reason.items():
        shown = ", ".join(escape(name) for name in names[:NAMES_SHOWN])
        more = f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
        parts.append(f"{len(names)} {agree(len(names), one, several)} ({shown}{more})")
    if receipt.pending and gave_up:
        parts.append(f"{receipt.pending} still being retried")
    elif receipt.pending:
        parts.append(f"{receipt.pending} on the way…")
    return "📬 " + ", ".join(parts)


def with_receipt(outcome: str, receipt: Receipt, *, gave_up: bool = False) -> str:
    return f"{outcome}\n\n{receipt_line(receipt, gave_up=gave_up)}"
