"""Whose language (SPEC §3): each update is answered in the language of the person
who sent it — their own choice in /settings, else Telegram's `language_code` when it
is one of ours, else the studio's default (TRAINERY_LANGUAGE)."""

from __future__ import annotations

from telegram import Update

from bot import i18n
from bot.context import TraineryContext


async def for_update(update: Update, context: TraineryContext) -> None:
    """First of every update (group -2): sets the language of its task (bot/i18n.py)."""
    user = update.effective_user
    i18n.use(user.language_code if user is not None else None)
