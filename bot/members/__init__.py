"""What members do (SPEC §3): `/my`, `/book`, cancelling, the waitlist, and the
"Book again" button of their notices."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from bot.context import TraineryApplication
from bot.members import book_again, handlers


def register(application: TraineryApplication) -> None:
    handlers.register(application)  # /my, /book and their buttons
    application.add_handler(CallbackQueryHandler(book_again.book_again, pattern=book_again.PATTERN))
