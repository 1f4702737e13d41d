"""`/sessions [range] [mine]`, its pages, the Mine / All toggle and the occurrence
card (SPEC §2.1). Viewing changes nothing; every action is offered only to those
the domain allows, and checked again when it runs."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from telegram import Update

from bot import callbacks, keyboards
from bot import trainer_texts as texts
from bot.actor import acting_person
from bot.context import TraineryContext
from bot.ranges import RangeError, parse_range, quick_range
from bot.render import escape, page_of
from bot.replies import answer, show
from bot.user_state import ListView
from domain.errors import DomainError
from domain.listing import DateRange
from domain.occurrence import OccurrenceKey
from domain.roles import Person
from domain.sessions.card import session_card
from domain.sessions.listing import sessions_screen

PAGE_SIZE = 8
T = TypeVar("T")


def today(context: TraineryContext) -> date:
    return context.studio.today()


async def staff(update: Update, context: TraineryContext) -> Person | None:
    """The acting person if they may see sessions; otherwise they are told and None."""
    person = await acting_person(update, context)
    if person is None or not person.is_staff:
        await answer(update, texts.ONLY_STAFF, alert=True)
        if update.callback_query is None:
            await show(update, context, texts.ONLY_STAFF)
        return None
    return person


async def staff_press(
    update: Update, context: TraineryContext, kinds: type[T] | tuple[type[T], ...]
) -> tuple[Person, T] | None:
    """A staff button press of the expected kind(s); anything else is answered (not
    staff, or an expired or forged button) and None."""
    data = callbacks.parse(update.callback_query.data if update.callback_query else None)
    person = await staff(update, context)
    if person is None:
        return None
    if not isinstance(data, kinds):
        await answer(update, texts.EXPIRED_BUTTON, alert=True)
        return None
    return person, data


async def sessions_command(update: Update, context: TraineryContext) -> None:
    person = await staff(update, context)
    if person is None:
        return
    try:
        request = parse_range(context.args or [], today(context))
    except RangeError as error:
        await show(update, context, escape(str(error)))
        return
    if request is None:
        await show(update, context, "Which sessions?", keyboards.quick_picks())
        return
    await show_list(update, context, person, ListView(request.first, request.last, request.mine))


async def list_pressed(update: Update, context: TraineryContext) -> None:
    pressed = await staff_press(update, context, (callbacks.QuickPick, callbacks.ListPage))
    if pressed is None:
        return
    person, data = pressed
    await answer(update)
    if isinstance(data, callbacks.QuickPick):
        first, last = quick_range(data.word, today(context))
        view = ListView(first, last, data.mine)
    else:
        assert isinstance(data, callbacks.ListPage)  # for the type checker: the other kind asked for
        view = ListView(data.first, data.last, data.mine, data.page)
    await show_list(update, context, person, view)


async def show_list(update: Update, context: TraineryContext, person: Person, view: ListView) -> None:
    studio, zone = context.studio, context.settings.zone
    screen = await sessions_screen(studio, person.id, DateRange(view.first, view.last), mine=view.mine)
    page = page_of(screen.occurrences, view.page, PAGE_SIZE)
    view.page = page.number
    shown = list(page.items)
    text = texts.listing(
        view.first,
        view.last,
        view.mine,
        shown,
        page.offset,
        page.total,
        page.number,
        page.pages,
        screen.directory,
        zone,
    )
    context.state.last_list = view
    await show(update, context, text, keyboards.listing(view, shown, page.offset, page.pages, zone))


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
        await show(update, context, escape(error.text))
        return
    occurrence = card.occurrence
    changeable = card.staff_of_it and occurrence.start > context.studio.now()
    text = texts.card(occurrence, card.directory, context.settings.zone, note, card.waiting)
    bookings = card.staff_of_it and occurrence.booked > 0
    markup = keyboards.card(occurrence, changeable, context.state.last_list, bookings=bookings)
    await show(update, context, text, markup)
