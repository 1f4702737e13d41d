"""Texts of the member flows (SPEC §3): `/my` and `/book`, in the studio's time zone.
HTML; titles and names escaped."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import i18n
from bot.render import Page, calendar_day, escape, ordinal, plural
from bot.render import day_and_clock as moment
from domain.errors import AlreadyBooked, DomainError
from domain.member_view import (
    BookedSession,
    MemberOverview,
    Offer,
    PassView,
    WaitingPlace,
)
from domain.occurrence import Occurrence

ONLY_MEMBERS = "Only members of this studio can book sessions. Ask the studio's admin for an invite link."
EXPIRED_BUTTON = "This button has expired. Nothing was changed."
FAILED = "That did not work; nothing was changed. Please try again in a moment."
ALREADY_BOOKED = "You are already booked on this session."
NO_SUCH_BOOKING = "That is not one of your upcoming bookings (any more). Nothing was changed."
DEADLINE_PASSED = "The deadline to cancel this booking has passed; ask the staff. Nothing was changed."
ENROLLED = "This is a course place that came with your pass; only the staff cancel it. Ask them. Nothing was changed."
BOOK_HINT = (
    "Tap 📅 to book (one session of your pass is used); a full session offers ⏳ its waitlist, which costs nothing."
)


def when(occurrence: Occurrence, zone: ZoneInfo) -> str:
    end = occurrence.end.astimezone(zone).strftime("%H:%M")
    return f"{moment(occurrence.start, zone)}–{end}"


def short(occurrence: Occurrence, zone: ZoneInfo) -> str:
    """For button labels: `Yoga Tue 01 Dec 18:00`."""
    return f"{occurrence.title[:16]} {moment(occurrence.start, zone)}"


def sessions_left(left: int | None) -> str:
    if left is None:
        return "unlimited"
    return f"{plural(left, 'session')} left"


def error_text(error: DomainError) -> str:
    if isinstance(error, AlreadyBooked):
        return ALREADY_BOOKED
    return i18n.error_text(error)


# -- /my --------------------------------------------------------------------------

# /my is one list — the bookings, then the waitlist places, then the passes — shown
# MY_PAGE_SIZE entries a page under their headings. The longest entry is a booking:
# "999. " + "Tue 01 Dec 18:00–19:00" + a 100-character title + the deadline remark,
# 181 characters; 15 of them, three headings, a note naming a session and the
# footer stay under 4,096, and 15 buttons and four more under 100.
MY_PAGE_SIZE = 15
Entry = BookedSession | WaitingPlace | PassView


def entries(view: MemberOverview) -> list[Entry]:
    return [*view.bookings, *view.waiting, *view.passes]


def overview(view: MemberOverview, zone: ZoneInfo, note: str | None = None, page: Page[Entry] | None = None) -> str:
    """Page `page` of /my (all of it when None); a section with nothing in it says so
    where it would begin: no bookings on the first page, no pass on the last."""
    shown = list(page.items) if page is not None else entries(view)
    first, last = page is None or page.number == 0, page is None or not page.has_next
    offset = page.offset if page is not None else 0  # the bookings come first
    lines = [f"<i>{escape(note)}</i>"] if note else []
    bookings = [_booking_line(offset + i + 1, e, zone) for i, e in enumerate(shown) if isinstance(e, BookedSession)]
    if bookings or (first and not view.bookings):
        _section(lines, "Your bookings", bookings or ["No upcoming bookings. Send /book to book a session."])
    if waiting := [_waiting_line(e, zone) for e in shown if isinstance(e, WaitingPlace)]:
        _section(lines, "Your waitlist places", waiting)
    passes = [_pass_line(e, zone) for e in shown if isinstance(e, PassView)]
    if passes or (last and not view.passes):
        _section(lines, "Your passes", passes or ["No current pass. Ask the studio for one."])
    if page is not None and page.pages > 1:
        lines += ["", f"Page {page.number + 1}/{page.pages}"]
    lines += ["", f"Times are in the studio's time zone ({zone.key})."]
    return "\n".join(lines)


def _section(lines: list[str], heading: str, items: list[str]) -> None:
    lines += ["", f"<b>{heading}</b>", *items] if lines else [f"<b>{heading}</b>", *items]


def _booking_line(number: int, booked: BookedSession, zone: ZoneInfo) -> str:
    line = f"{number}. {when(booked.occurrence, zone)} · <b>{escape(booked.occurrence.title)}</b>"
    if booked.enrolled:
        line += " · course place from your pass; the staff cancel it if needed"
    elif not booked.cancellable:
        line += " · the deadline to cancel has passed; ask the staff"
    return line


def _waiting_line(place: WaitingPlace, zone: ZoneInfo) -> str:
    return (
        f"• {when(place.occurrence, zone)} · <b>{escape(place.occurrence.title)}</b> · "
        f"you are {ordinal(place.position)} in line"
    )


def _pass_line(view: PassView, zone: ZoneInfo) -> str:
    expiry = calendar_day(view.pass_.expires_at, zone)
    if view.enrolled is None:
        return f"• {escape(view.name)}: {sessions_left(view.pass_.sessions_left)}, valid until {expiry}"
    left = view.pass_.sessions_left
    spare = f", {sessions_left(left)}" if left != 0 else ""  # a refund of a cancelled session, say
    return f"• {escape(view.name)}: enrolled: {plural(view.enrolled, 'session')} booked{spare}, valid until {expiry}"


def not_cancellable(booked: BookedSession | None) -> str:
    """Why a Cancel button is refused for the member: not theirs, a course, or too late."""
    if booked is None:
        return NO_SUCH_BOOKING
    return ENROLLED if booked.enrolled else DEADLINE_PASSED


def confirm_cancel(booked: BookedSession, zone: ZoneInfo) -> str:
    return (
        f"Cancel your booking for <b>{escape(booked.occurrence.title)}</b>, {when(booked.occurrence, zone)}?\n\n"
        "The session goes back to your pass. Your spot goes to the next on the waitlist, if anyone waits."
    )


def cancelled(occurrence: Occurrence | None, zone: ZoneInfo) -> str:
    what = f" {occurrence.title}, {moment(occurrence.start, zone)}" if occurrence else ""
    return f"Cancelled:{what}. The session went back to your pass."


def booked(occurrence: Occurrence | None, zone: ZoneInfo) -> str:
    what = f" {occurrence.title}, {moment(occurrence.start, zone)}" if occurrence else ""
    return f"Booked:{what}. One session of your pass was used."


def joined(place: WaitingPlace, zone: ZoneInfo) -> str:
    return (
        f"You are {ordinal(place.position)} on the waitlist of {place.occurrence.title}, "
        f"{moment(place.occurrence.start, zone)}. Nothing was deducted; if a spot frees up before "
        "the booking deadline, you are booked and told."
    )


def left(occurrence: Occurrence | None, zone: ZoneInfo) -> str:
    what = f" of {occurrence.title}, {moment(occurrence.start, zone)}" if occurrence else ""
    return f"You left the waitlist{what}. Nothing was deducted."


# -- /book ------------------------------------------------------------------------


def offers(
    page: list[Offer],
    offset: int,
    total: int,
    page_number: int,
    pages: int,
    days: int,
    zone: ZoneInfo,
    note: str | None = None,
) -> str:
    lines = [f"<i>{escape(note)}</i>", ""] if note else []
    lines.append(f"<b>Sessions you can book</b> (next {plural(days, 'day')})")
    if not page:
        lines += [
            "",
            "Nothing to book in the next days: you hold every open session already, or no pass of "
            "yours covers one. Send /my to see your bookings and passes.",
        ]
        return "\n".join(lines)
    lines.append("")
    lines += [_offer_line(offset + i + 1, offer, zone) for i, offer in enumerate(page)]
    footer = f"Sessions {offset + 1}–{offset + len(page)} of {total}"
    if pages > 1:
        footer += f" · page {page_number + 1}/{pages}"
    lines += ["", footer, BOOK_HINT]
    return "\n".join(lines)


def _offer_line(number: int, offer: Offer, zone: ZoneInfo) -> str:
    occurrence = offer.occurrence
    line = f"{number}. {when(occurrence, zone)} · <b>{escape(occurrence.title)}</b> · "
    if offer.waiting_position is not None:
        return line + f"full · you are {ordinal(offer.waiting_position)} on the waitlist"
    if offer.full:
        return line + "full · waitlist open"
    return line + f"{plural(occurrence.capacity - occurrence.booked, 'spot')} free"


# -- a reminder's "Open in /my" (bot/members/handlers.py open_booking) ------------


def opened(booked: BookedSession | None, zone: ZoneInfo) -> str:
    if booked is None:
        return "That booking is no longer ahead: it was cancelled, or the session is over."
    occurrence = booked.occurrence
    what = f"Your booking: {occurrence.title}, {moment(occurrence.start, zone)}."
    if booked.enrolled:
        return f"{what} A course place: the staff cancel it."
    if not booked.cancellable:
        return f"{what} The deadline to cancel has passed; ask the staff."
    return f"{what} Cancel it below if you cannot come."
