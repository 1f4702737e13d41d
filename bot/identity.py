"""The roles of whoever wrote (SPEC §1 owner/admin/trainer/member), from the one path
that decides who is acting (`bot.actor.acting_person`): owners named in the settings
hold the owner role there from their first message on."""

from __future__ import annotations

from telegram import Update

from bot.actor import acting_person
from bot.context import TraineryContext
from domain.roles import Role


async def roles_of(update: Update, context: TraineryContext) -> frozenset[Role]:
    person = await acting_person(update, context)
    return person.roles if person is not None and person.active else frozenset()
