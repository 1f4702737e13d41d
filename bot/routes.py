"""Which handler takes which update: each feature registers its own, in an order
that matters only twice — the change conversation first (inside `sessions`), and
the fallbacks last."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import admin, callbacks, members, sessions, settings_screen, welcome
from bot.context import TraineryApplication
from bot.members import book_again
from bot.sessions import change


def register(application: TraineryApplication) -> None:
    application.add_handler(CommandHandler("start", welcome.start))
    application.add_handler(CommandHandler("help", welcome.help_command))
    sessions.register(application)
    members.register(application)
    admin.register(application)
    settings_screen.register(application)


def register_fallbacks(application: TraineryApplication) -> None:
    """Registered after every other handler of group 0, so they get only what
    nothing else took: a button nobody owns, an unknown command, stray text."""
    application.add_handler(
        CallbackQueryHandler(change.unknown_button, pattern=callbacks.unknown_pattern(book_again.PREFIX))
    )
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.VIA_BOT, welcome.not_understood))
