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
from bot.members.texts import short
from domain.member_view import BookedSession, MemberOverview, Offer


def overview(view: MemberOverview, zone: ZoneInfo) -> Markup:
    rows = [
        [Button(f"✖ Cancel {i + 1}. {short(b.occurrence, zone)}", callback_data=CancelBooking(b.booking.id).encode())]
        for i, b in enumerate(view.bookings)
        if b.cancellable
    ]
    rows += [
        [Button(f"Leave waitlist: {short(w.occurrence, zone)}", callback_data=LeaveWaitlist(w.entry.id).encode())]
        for w in view.waiting
    ]
    rows.append(
        [
            Button("📅 Book a session", callback_data=MemberView("book").encode()),
            Button("↻ Refresh", callback_data=MemberView("my").encode()),
        ]
    )
    return Markup(rows)


def confirm_cancel(booked: BookedSession) -> Markup:
    return Markup(
        [
            [
                Button(
                    "✖ Yes, cancel my booking", callback_data=CancelBooking(booked.booking.id, confirmed=True).encode()
                )
            ],
            [Button("◀ Keep it", callback_data=MemberView("my").encode())],
        ]
    )


def offers(page: list[Offer], offset: int, page_number: int, pages: int, zone: ZoneInfo) -> Markup:
    rows = []
    for i, offer in enumerate(page):
        label = f"{offset + i + 1}. {short(offer.occurrence, zone)}"
        if not offer.full:
            rows.append(
                [Button(f"📅 Book {label}", callback_data=BookSession(offer.occurrence.key, page_number).encode())]
            )
        elif offer.waiting_position is None:
            rows.append(
                [
                    Button(
                        f"⏳ Join waitlist {label}",
                        callback_data=JoinWaitlist(offer.occurrence.key, page_number).encode(),
                    )
                ]
            )
    paging = []
    if page_number > 0:
        paging.append(Button("◀ Previous", callback_data=MemberView("book", page_number - 1).encode()))
    if page_number + 1 < pages:
        paging.append(Button("Next ▶", callback_data=MemberView("book", page_number + 1).encode()))
    if paging:
        rows.append(paging)
    rows.append([Button("My bookings", callback_data=MemberView("my").encode())])
    return Markup(rows)
