"""Who is acting: the person behind a Telegram user. Owners named in the settings get
their person (with the owner role) the first time they write."""

from __future__ import annotations

from telegram import Update

from bot.context import TraineryContext
from domain.roles import Person, Role


async def acting_person(update: Update, context: TraineryContext) -> Person | None:
    user = update.effective_user
    if user is None:
        return None
    person = await context.studio.person_by_telegram(user.id)
    if user.id in context.settings.owner_ids and (person is None or Role.OWNER not in person.roles):
        person = await context.studio.ensure_owner(user.id, user.full_name)
    return person
