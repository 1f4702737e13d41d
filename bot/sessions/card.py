"""The occurrence card (SPEC §2.1): details, overrides next to the schedule's defaults,
and only the actions the viewer may take (checked again when they run)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import TraineryContext
from bot.i18n import error_text
from bot.render import escape
from bot.replies import answer, show
from bot.sessions import keyboards, texts
from bot.sessions.access import staff_press
from domain.errors import DomainError
from domain.occurrence import OccurrenceKey
from domain.roles import Person
from domain.sessions.card import session_card


async def card_pressed(update: Update, context: TraineryContext) -> None:
    pressed = await staff_press(update, context, callbacks.OpenCard)
    if pressed is not None:
        await answer(update)
        await show_card(update, context, pressed[0], pressed[1].key)


async def show_card(
    update: Update, context: TraineryContext, person: Person, key: OccurrenceKey, note: str | None = None
) -> None:
    try:
        card = await session_card(context.studio, person.id, key)
    except DomainError as error:
        await show(update, context, escape(error_text(error)))
        return
    occurrence, now = card.occurrence, context.studio.now()
    changeable = card.staff_of_it and occurrence.start > now
    text = texts.card(occurrence, card.directory, context.settings.zone, note, card.waiting)
    if not changeable:  # a card without Change and Cancel says why, and who may
        text += "\n\n" + texts.no_actions(occurrence, card.directory, now)
    bookings = card.staff_of_it and occurrence.booked > 0
    substitute = changeable and len(card.directory.active_trainers()) > 1
    book = changeable and occurrence.booked < occurrence.capacity
    markup = keyboards.card(
        occurrence, changeable, context.state.last_list, bookings=bookings, substitute=substitute, book=book
    )
    await show(update, context, text, markup)
