"""Who is acting: the person behind a Telegram user, found in one unit of work. Owners
named in the settings get their person (with the owner role) the first time they write."""

from __future__ import annotations

from telegram import Update

from bot.context import TraineryContext
from domain.roles import Person
from domain.setup.people import identify


async def acting_person(update: Update, context: TraineryContext) -> Person | None:
    user = update.effective_user
    if user is None:
        return None
    owner = user.id in context.settings.owner_ids
    return await identify(context.studio, user.id, user.full_name, configured_owner=owner)
