"""Texts of the member flows (SPEC §3): `/my` and `/book`, in the studio's time zone.
HTML; titles and names escaped. Every text in the reader's language (bot/i18n.py):
translated when drawn, never at import."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import i18n
from bot.i18n import N_, _, ngettext, pgettext
from bot.render import Page, calendar_day, clock, escape
from bot.render import day_and_clock as moment
from bot.texts import EXPIRED_BUTTON as EXPIRED_BUTTON  # the handlers read it here
from domain.errors import AlreadyBooked, DomainError
from domain.member_view import (
    BookedSession,
    MemberOverview,
    Offer,
    PassView,
    WaitingPlace,
)
from domain.occurrence import Occurrence

# Shown with `_(...)` where they are sent.
ONLY_MEMBERS = N_("Only members of this studio can book sessions. Ask the studio's admin for an invite link.")
FAILED = N_("That did not work; nothing was changed. Please try again in a moment.")
ALREADY_BOOKED = N_("You are already booked on this session.")
NO_SUCH_BOOKING = N_("That is not one of your upcoming bookings (any more). Nothing was changed.")
DEADLINE_PASSED = N_("The deadline to cancel this booking has passed; ask the staff. Nothing was changed.")
ENROLLED = N_(
    "This is a course place that came with your pass; only the staff cancel it. Ask them. Nothing was changed."
)
BOOK_HINT = N_(
    "Tap 📅 to book (one session of your pass is used); a full session offers ⏳ its waitlist, which costs nothing."
)


def when(occurrence: Occurrence, zone: ZoneInfo) -> str:
    return f"{moment(occurrence.start, zone)}–{clock(occurrence.end, zone)}"


def short(occurrence: Occurrence, zone: ZoneInfo) -> str:
    """For button labels: `Yoga Tue 01 Dec 18:00`."""
    return f"{occurrence.title[:16]} {moment(occurrence.start, zone)}"


def sessions_left(left: int | None) -> str:
    if left is None:
        return _("unlimited")
    return ngettext("{n} session left", "{n} sessions left", left).format(n=left)


def place(position: int) -> str:
    """A place in a waitlist's line, `3rd` in English. Each English suffix is its own
    message, so a language without them translates all four alike (`3.`, `№ 3`)."""
    if 10 <= position % 100 <= 20:
        return pgettext("place in line", "{n}th").format(n=position)
    suffix = position % 10
    if suffix == 1:
        return pgettext("place in line", "{n}st").format(n=position)
    if suffix == 2:
        return pgettext("place in line", "{n}nd").format(n=position)
    if suffix == 3:
        return pgettext("place in line", "{n}rd").format(n=position)
    return pgettext("place in line", "{n}th").format(n=position)


def error_text(error: DomainError) -> str:
    if isinstance(error, AlreadyBooked):
        return _(ALREADY_BOOKED)
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
        empty = _("No upcoming bookings. Send /book to book a session.")
        _section(lines, _("<b>Your bookings</b>"), bookings or [empty])
    if waiting := [_waiting_line(e, zone) for e in shown if isinstance(e, WaitingPlace)]:
        _section(lines, _("<b>Your waitlist places</b>"), waiting)
    passes = [_pass_line(e, zone) for e in shown if isinstance(e, PassView)]
    if passes or (last and not view.passes):
        _section(lines, _("<b>Your passes</b>"), passes or [_("No current pass. Ask the studio for one.")])
    if page is not None and page.pages > 1:
        lines += ["", _("Page {number}/{pages}").format(number=page.number + 1, pages=page.pages)]
    lines += ["", _("Times are in the studio's time zone ({zone}).").format(zone=zone.key)]
    return "\n".join(lines)


def _section(lines: list[str], heading: str, items: list[str]) -> None:
    lines += ["", heading, *items] if lines else [heading, *items]


def _booking_line(number: int, booked: BookedSession, zone: ZoneInfo) -> str:
    values = {"number": number, "when": when(booked.occurrence, zone), "title": escape(booked.occurrence.title)}
    if booked.enrolled:
        line = _("{number}. {when} · <b>{title}</b> · course place from your pass; the staff cancel it if needed")
    elif not booked.cancellable:
        line = _("{number}. {when} · <b>{title}</b> · the deadline to cancel has passed; ask the staff")
    else:
        line = "{number}. {when} · <b>{title}</b>"  # no words to translate
    return line.format(**values)


def _waiting_line(waiting: WaitingPlace, zone: ZoneInfo) -> str:
    return _("• {when} · <b>{title}</b> · you are {place} in line").format(
        when=when(waiting.occurrence, zone), title=escape(waiting.occurrence.title), place=place(waiting.position)
    )


def _pass_line(view: PassView, zone: ZoneInfo) -> str:
    name, expiry = escape(view.name), calendar_day(view.pass_.expires_at, zone)
    left = view.pass_.sessions_left
    if view.enrolled is None:
        return _("• {name}: {left}, valid until {expiry}").format(name=name, left=sessions_left(left), expiry=expiry)
    booked = ngettext("{n} session booked", "{n} sessions booked", view.enrolled).format(n=view.enrolled)
    if left == 0:
        return _("• {name}: enrolled: {booked}, valid until {expiry}").format(name=name, booked=booked, expiry=expiry)
    # sessions to spare besides the course: a refund of a cancelled session, say
    return _("• {name}: enrolled: {booked}, {left}, valid until {expiry}").format(
        name=name, booked=booked, left=sessions_left(left), expiry=expiry
    )


def not_cancellable(booked: BookedSession | None) -> str:
    """Why a Cancel button is refused for the member: not theirs, a course, or too late."""
    if booked is None:
        return _(NO_SUCH_BOOKING)
    return _(ENROLLED) if booked.enrolled else _(DEADLINE_PASSED)


def confirm_cancel(booked: BookedSession, zone: ZoneInfo) -> str:
    question = _("Cancel your booking for <b>{title}</b>, {when}?").format(
        title=escape(booked.occurrence.title), when=when(booked.occurrence, zone)
    )
    consequence = _("The session goes back to your pass. Your spot goes to the next on the waitlist, if anyone waits.")
    return f"{question}\n\n{consequence}"


def cancelled(occurrence: Occurrence | None, zone: ZoneInfo) -> str:
    if occurrence is None:
        return _("Cancelled. The session went back to your pass.")
    return _("Cancelled: {title}, {start}. The session went back to your pass.").format(
        title=occurrence.title, start=moment(occurrence.start, zone)
    )


def booked(occurrence: Occurrence | None, zone: ZoneInfo) -> str:
    if occurrence is None:
        return _("Booked. One session of your pass was used.")
    return _("Booked: {title}, {start}. One session of your pass was used.").format(
        title=occurrence.title, start=moment(occurrence.start, zone)
    )


def joined(waiting: WaitingPlace, zone: ZoneInfo) -> str:
    return _(
        "You are {place} on the waitlist of {title}, {start}. Nothing was deducted; if a spot frees up before "
        "the booking deadline, you are booked and told."
    ).format(
        place=place(waiting.position), title=waiting.occurrence.title, start=moment(waiting.occurrence.start, zone)
    )


def left(occurrence: Occurrence | None, zone: ZoneInfo) -> str:
    if occurrence is None:
        return _("You left the waitlist. Nothing was deducted.")
    return _("You left the waitlist of {title}, {start}. Nothing was deducted.").format(
        title=occurrence.title, start=moment(occurrence.start, zone)
    )


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
    heading = ngettext(
        "<b>Sessions you can book</b> (next {n} day)", "<b>Sessions you can book</b> (next {n} days)", days
    )
    lines.append(heading.format(n=days))
    if not page:
        lines += [
            "",
            _(
                "Nothing to book in the next days: you hold every open session already, or no pass of "
                "yours covers one. Send /my to see your bookings and passes."
            ),
        ]
        return "\n".join(lines)
    lines.append("")
    lines += [_offer_line(offset + i + 1, offer, zone) for i, offer in enumerate(page)]
    span = {"first": offset + 1, "last": offset + len(page), "total": total}
    if pages > 1:
        footer = _("Sessions {first}–{last} of {total} · page {number}/{pages}").format(
            **span, number=page_number + 1, pages=pages
        )
    else:
        footer = _("Sessions {first}–{last} of {total}").format(**span)
    lines += ["", footer, _(BOOK_HINT)]
    return "\n".join(lines)


def _offer_line(number: int, offer: Offer, zone: ZoneInfo) -> str:
    """`1. Tue 01 Dec 18:00–19:00 · Yoga · 3 spots free`: the session, then its state."""
    occurrence = offer.occurrence
    line = f"{number}. {when(occurrence, zone)} · <b>{escape(occurrence.title)}</b> · "
    if offer.waiting_position is not None:
        return line + _("full · you are {place} on the waitlist").format(place=place(offer.waiting_position))
    if offer.full:
        return line + _("full · waitlist open")
    free = occurrence.capacity - occurrence.booked
    return line + ngettext("{n} spot free", "{n} spots free", free).format(n=free)


# -- a reminder's "Open in /my" (bot/members/handlers.py open_booking) ------------


def opened(booked: BookedSession | None, zone: ZoneInfo) -> str:
    if booked is None:
        return _("That booking is no longer ahead: it was cancelled, or the session is over.")
    occurrence = booked.occurrence
    what = _("Your booking: {title}, {start}.").format(title=occurrence.title, start=moment(occurrence.start, zone))
    if booked.enrolled:
        then = _("A course place: the staff cancel it.")
    elif not booked.cancellable:
        then = _("The deadline to cancel has passed; ask the staff.")
    else:
        then = _("Cancel it below if you cannot come.")
    return f"{what} {then}"
