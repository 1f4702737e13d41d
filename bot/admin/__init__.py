"""What admins and owners do (SPEC §4): the one-line setup commands, inline name
search, the demo studio and `/undelivered`."""

from __future__ import annotations

from telegram.ext import CommandHandler, InlineQueryHandler

from bot.admin import commands, demo, edits, inline, undelivered
from bot.context import TraineryApplication


def register(application: TraineryApplication) -> None:
    commands.register(application)
    edits.register(application)
    application.add_handler(CommandHandler("demo", demo.demo))
    application.add_handler(CommandHandler("undelivered", undelivered.undelivered))
    application.add_handler(InlineQueryHandler(inline.inline_names))
