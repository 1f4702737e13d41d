"""`/sessions [range] [mine]`, its pages and the Mine / All toggle (SPEC §2.1). Viewing
changes nothing."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import TraineryContext
from bot.i18n import _
from bot.ranges import RangeError, parse_range, quick_range
from bot.render import escape, page_of
from bot.replies import answer, show
from bot.sessions import keyboards, texts
from bot.sessions.access import staff, staff_press, today
from bot.user_state import ListView
from domain.listing import DateRange
from domain.roles import Person
from domain.sessions.listing import sessions_screen

PAGE_SIZE = 8


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
        await show(update, context, _(texts.WHICH_SESSIONS), keyboards.quick_picks())
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
