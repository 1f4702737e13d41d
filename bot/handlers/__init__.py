"""The bot's handlers, one module per command family; `register` wires them."""

from __future__ import annotations

from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.context import TraineryApplication
from bot.delivery import book_again
from bot.handlers import admin, demo, inline, member, session_changes, sessions, staff_bookings, start


def register(application: TraineryApplication) -> None:
    application.add_handler(CommandHandler("start", start.start))
    application.add_handler(CommandHandler("help", start.help_command))
    # The conversation comes first: while a change is open it takes its own buttons
    # and typed answers; list and card buttons fall through to the handlers below.
    application.add_handler(session_changes.conversation())
    application.add_handler(CommandHandler("sessions", sessions.sessions_command))
    application.add_handler(
        CallbackQueryHandler(sessions.list_pressed, pattern=callbacks.pattern(callbacks.ListPage | callbacks.QuickPick))
    )
    application.add_handler(CallbackQueryHandler(sessions.card_pressed, pattern=callbacks.OpenCard.pattern()))
    application.add_handler(
        CallbackQueryHandler(staff_bookings.bookings_pressed, pattern=callbacks.ShowBookings.pattern())
    )
    application.add_handler(
        CallbackQueryHandler(staff_bookings.cancel_pressed, pattern=callbacks.StaffCancelBooking.pattern())
    )
    application.add_handler(CallbackQueryHandler(session_changes.stale_button, pattern=callbacks.Step.pattern()))
    application.add_handler(CommandHandler("cancel", session_changes.stop_outside))
    member.register(application)  # /my, /book and their buttons
    admin.register(application)
    application.add_handler(CommandHandler("demo", demo.demo))
    application.add_handler(InlineQueryHandler(inline.inline_names))


def register_fallbacks(application: TraineryApplication) -> None:
    """Registered after every other handler of group 0, so they get only what
    nothing else took: a button nobody owns, an unknown command, stray text."""
    application.add_handler(
        CallbackQueryHandler(session_changes.unknown_button, pattern=callbacks.unknown_pattern(book_again.PREFIX))
    )
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.VIA_BOT, start.not_understood))
