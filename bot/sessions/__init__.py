"""What trainers and admins do with sessions (SPEC §2): the list (`listing`), the card,
the change conversation (`change`: override and cancel) and staff bookings, each
with the texts and keyboards of this feature."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.context import TraineryApplication
from bot.sessions import card, change, listing, staff_book, staff_bookings


def register(application: TraineryApplication) -> None:
    # The conversation comes first: while a change is open it takes its own buttons
    # and typed answers; list and card buttons fall through to the handlers below.
    application.add_handler(change.conversation())
    application.add_handler(CommandHandler("sessions", listing.sessions_command))
    list_buttons = callbacks.pattern(callbacks.ListPage | callbacks.QuickPick)
    application.add_handler(CallbackQueryHandler(listing.list_pressed, pattern=list_buttons))
    application.add_handler(CallbackQueryHandler(card.card_pressed, pattern=callbacks.OpenCard.pattern()))
    application.add_handler(
        CallbackQueryHandler(
            staff_bookings.bookings_pressed, pattern=callbacks.pattern(callbacks.ShowBookings | callbacks.BookingsPage)
        )
    )
    application.add_handler(
        CallbackQueryHandler(staff_bookings.cancel_pressed, pattern=callbacks.StaffCancelBooking.pattern())
    )
    staff_book_buttons = callbacks.pattern(callbacks.StaffBookPick | callbacks.StaffBookMember)
    application.add_handler(CallbackQueryHandler(staff_book.book_pressed, pattern=staff_book_buttons))
    application.add_handler(CallbackQueryHandler(change.stale_button, pattern=callbacks.Step.pattern()))
    application.add_handler(CommandHandler("cancel", change.stop_outside))
