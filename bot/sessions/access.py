"""Who may use the session screens: staff only, every press of an expected kind; and
the studio's today, for ranges and pickers."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from telegram import Update

from bot import callbacks
from bot.actor import acting_person
from bot.context import TraineryContext
from bot.i18n import _
from bot.replies import answer, show
from bot.sessions import texts
from domain.roles import Person

T = TypeVar("T")


def today(context: TraineryContext) -> date:
    return context.studio.today()


async def staff(update: Update, context: TraineryContext) -> Person | None:
    """The acting person if they may see sessions; otherwise they are told and None."""
    person = await acting_person(update, context)
    if person is None or not person.is_staff:
        await answer(update, _(texts.ONLY_STAFF), alert=True)
        if update.callback_query is None:
            await show(update, context, _(texts.ONLY_STAFF))
        return None
    return person


async def staff_press(
    update: Update, context: TraineryContext, kinds: type[T] | tuple[type[T], ...]
) -> tuple[Person, T] | None:
    """A staff button press of the expected kinds; anything else is answered (not
    staff, or an expired or forged button) and None."""
    data = callbacks.parse(update.callback_query.data if update.callback_query else None)
    person = await staff(update, context)
    if person is None:
        return None
    if not isinstance(data, kinds):
        await answer(update, _(texts.EXPIRED_BUTTON), alert=True)
        return None
    return person, data
