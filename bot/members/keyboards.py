"""Inline keyboards of the member flows. Every button's data comes from bot.callbacks."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from bot.callbacks import (
    BookSession,
    CancelBooking,
    JoinWaitlist,
    LeaveWaitlist,
    MemberView,
)
from bot.i18n import _
from bot.members.texts import Entry, short
from bot.render import Page, page_row
from domain.member_view import BookedSession, Offer, WaitingPlace


def overview(page: Page[Entry], zone: ZoneInfo) -> Markup:
    """A button for each cancellable booking and waitlist place of this page of /my."""
    rows = [
        [Button(_cancel_label(n, short(e.occurrence, zone)), callback_data=CancelBooking(e.booking.id).encode())]
        for n, e in enumerate(page.items, page.offset + 1)
        if isinstance(e, BookedSession) and e.cancellable
    ]
    rows += [
        [Button(_leave_label(short(e.occurrence, zone)), callback_data=LeaveWaitlist(e.entry.id).encode())]
        for e in page.items
        if isinstance(e, WaitingPlace)
    ]
    if paging := page_row(page.number, page.pages, lambda n: MemberView("my", n).encode()):
        rows.append(paging)
    rows.append(
        [
            Button(_("📅 Book a session"), callback_data=MemberView("book").encode()),
            Button(_("↻ Refresh"), callback_data=MemberView("my", page.number).encode()),
        ]
    )
    return Markup(rows)


def confirm_cancel(booked: BookedSession, page: int = 0) -> Markup:
    return Markup(
        [
            [
                Button(
                    _("✖ Yes, cancel my booking"),
                    callback_data=CancelBooking(booked.booking.id, confirmed=True).encode(),
                )
            ],
            [Button(_("◀ Keep it"), callback_data=MemberView("my", page).encode())],
        ]
    )


def offers(page: list[Offer], offset: int, page_number: int, pages: int, zone: ZoneInfo) -> Markup:
    rows = []
    for i, offer in enumerate(page):
        label = {"number": offset + i + 1, "session": short(offer.occurrence, zone)}
        if not offer.full:
            rows.append(
                [
                    Button(
                        _("📅 Book {number}. {session}").format(**label),
                        callback_data=BookSession(offer.occurrence.key, page_number).encode(),
                    )
                ]
            )
        elif offer.waiting_position is None:
            rows.append(
                [
                    Button(
                        _("⏳ Join waitlist {number}. {session}").format(**label),
                        callback_data=JoinWaitlist(offer.occurrence.key, page_number).encode(),
                    )
                ]
            )
    if paging := page_row(page_number, pages, lambda n: MemberView("book", n).encode()):
        rows.append(paging)
    rows.append([Button(_("My bookings"), callback_data=MemberView("my").encode())])
    return Markup(rows)


def _cancel_label(number: int, session: str) -> str:
    return _("✖ Cancel {number}. {session}").format(number=number, session=session)


def _leave_label(session: str) -> str:
    return _("Leave waitlist: {session}").format(session=session)
