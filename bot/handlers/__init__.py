"""The bot's handlers, one module per command family; `register` wires them."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.context import TraineryApplication
from bot.handlers import start


def register(application: TraineryApplication) -> None:
    application.add_handler(CommandHandler("start", start.start))
    application.add_handler(CommandHandler("help", start.help_command))
