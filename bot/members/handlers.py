"""`/my` and `/book` (SPEC §3, §6.1): a member's bookings, waitlist places and passes,
and the open sessions of the coming days they may book or wait for.

Every press is answered. Buttons carry no authority: each names a session, booking or
waitlist place, and the domain checks it again for the member who pressed — a stale,
forged or double-tapped button changes nothing and says why, then the view is drawn
afresh.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.actor import acting_person
from bot.context import TraineryApplication, TraineryContext
from bot.i18n import _
from bot.members import keyboards, texts
from bot.render import page_of
from bot.replies import answer, show
from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.bookings.views import bookable_page, member_overview
from domain.bookings.waitlist import join_waitlist, leave_waitlist
from domain.errors import DomainError
from domain.member_view import BOOKING_WINDOW, BookedSession, MemberOverview, WaitingPlace
from domain.roles import Person, Role

PAGE_SIZE = 6


def register(application: TraineryApplication) -> None:
    application.add_handler(CommandHandler("my", my_command))
    application.add_handler(CommandHandler("book", book_command))
    application.add_handler(CallbackQueryHandler(member_pressed, pattern=callbacks.pattern(callbacks.MemberCallback)))
    application.add_handler(CallbackQueryHandler(open_booking, pattern=callbacks.OpenBooking.pattern()))


async def member(update: Update, context: TraineryContext) -> Person | None:
    """The acting person if they are a member; otherwise they are told and None."""
    person = await acting_person(update, context)
    if person is None or not person.holds(Role.MEMBER):
        await answer(update, _(texts.ONLY_MEMBERS), alert=True)
        if update.callback_query is None:
            await show(update, context, _(texts.ONLY_MEMBERS))
        return None
    return person


async def my_command(update: Update, context: TraineryContext) -> None:
    person = await member(update, context)
    if person is not None:
        await show_overview(update, context, person)


async def book_command(update: Update, context: TraineryContext) -> None:
    person = await member(update, context)
    if person is not None:
        await show_offers(update, context, person, 0)


async def show_overview(
    update: Update, context: TraineryContext, person: Person, note: str | None = None, *, page: int = 0
) -> None:
    """Page `page` of /my (MY_PAGE_SIZE entries; past the end shows the last)."""
    zone = context.settings.zone
    view = await member_overview(context.studio, person.id)
    shown = page_of(texts.entries(view), page, texts.MY_PAGE_SIZE)
    await show(update, context, texts.overview(view, zone, note, shown), keyboards.overview(shown, zone))


def page_with(view: MemberOverview, entry: BookedSession | WaitingPlace | None) -> int:
    """The page of /my that shows `entry` (0 when it is not there): where to come back to."""
    index = next((i for i, listed in enumerate(texts.entries(view)) if listed is entry), 0)
    return index // texts.MY_PAGE_SIZE


async def open_booking(update: Update, context: TraineryContext) -> None:
    """A reminder's "Open in /my": /my, at the page that shows the booking, as a new
    message below the reminder (the reminder stays as it was)."""
    data = callbacks.OpenBooking.parse(update.callback_query.data if update.callback_query else None)
    person = await member(update, context)
    if person is None:
        return
    if data is None:
        await answer(update, _(texts.EXPIRED_BUTTON), alert=True)
        return
    await answer(update)
    zone = context.settings.zone
    view = await member_overview(context.studio, person.id)
    booked = next((b for b in view.bookings if b.booking.id == data.booking_id), None)
    shown = page_of(texts.entries(view), page_with(view, booked), texts.MY_PAGE_SIZE)
    chat = update.effective_chat
    if chat is not None:
        text = texts.overview(view, zone, texts.opened(booked, zone), shown)
        await context.bot.send_message(chat.id, text, reply_markup=keyboards.overview(shown, zone))


async def show_offers(
    update: Update, context: TraineryContext, person: Person, page: int, note: str | None = None
) -> None:
    zone = context.settings.zone
    offers = await bookable_page(context.studio, person.id, page, PAGE_SIZE)
    shown = list(offers.offers)
    text = texts.offers(
        shown, offers.offset, offers.total, offers.number, offers.pages, BOOKING_WINDOW.days, zone, note
    )
    await show(update, context, text, keyboards.offers(shown, offers.offset, offers.number, offers.pages, zone))


async def member_pressed(update: Update, context: TraineryContext) -> None:
    data = callbacks.parse(update.callback_query.data if update.callback_query else None)
    person = await member(update, context)
    if person is None:
        return
    try:
        if isinstance(data, callbacks.MemberView):
            await answer(update)
            if data.view == "book":
                await show_offers(update, context, person, data.page)
            else:
                await show_overview(update, context, person, page=data.page)
        elif isinstance(data, callbacks.BookSession):
            await book(update, context, person, data)
        elif isinstance(data, callbacks.JoinWaitlist):
            await join(update, context, person, data)
        elif isinstance(data, callbacks.CancelBooking):
            await cancel(update, context, person, data)
        elif isinstance(data, callbacks.LeaveWaitlist):
            await leave(update, context, person, data)
        else:
            await answer(update, _(texts.EXPIRED_BUTTON), alert=True)
    except DomainError as error:
        # Refused: nothing changed. Say why, then show the view as it is now.
        await answer(update, texts.error_text(error)[:200], alert=True)
        if isinstance(data, (callbacks.BookSession, callbacks.JoinWaitlist)):
            await show_offers(update, context, person, data.page)
        else:
            await show_overview(update, context, person)
    except Exception:
        await answer(update, _(texts.FAILED), alert=True)
        raise  # the error handler logs it


async def book(update: Update, context: TraineryContext, person: Person, data: callbacks.BookSession) -> None:
    booking = await book_session(context.studio, person.id, data.key, person.id)
    view = await member_overview(context.studio, person.id)
    occurrence = next((b.occurrence for b in view.bookings if b.booking.id == booking.id), None)
    await answer(update, _("Booked."))
    await show_offers(update, context, person, data.page, texts.booked(occurrence, context.settings.zone))


async def join(update: Update, context: TraineryContext, person: Person, data: callbacks.JoinWaitlist) -> None:
    place = await join_waitlist(context.studio, person.id, data.key, person.id)
    await answer(update, _("On the waitlist."))
    await show_offers(update, context, person, data.page, texts.joined(place, context.settings.zone))


async def cancel(update: Update, context: TraineryContext, person: Person, data: callbacks.CancelBooking) -> None:
    zone = context.settings.zone
    view = await member_overview(context.studio, person.id)
    booked = next((b for b in view.bookings if b.booking.id == data.booking_id), None)
    page = page_with(view, booked)
    if not data.confirmed:
        if booked is None or not booked.cancellable:
            await answer(update, texts.not_cancellable(booked), alert=True)
            await show_overview(update, context, person, page=page)
            return
        await answer(update)
        await show(update, context, texts.confirm_cancel(booked, zone), keyboards.confirm_cancel(booked, page))
        return
    await cancel_booking(context.studio, person.id, data.booking_id)
    await answer(update, _("Cancelled."))
    note = texts.cancelled(booked.occurrence if booked else None, zone)
    await show_overview(update, context, person, note, page=page)


async def leave(update: Update, context: TraineryContext, person: Person, data: callbacks.LeaveWaitlist) -> None:
    view = await member_overview(context.studio, person.id)
    place = next((w for w in view.waiting if w.entry.id == data.entry_id), None)
    await leave_waitlist(context.studio, person.id, data.entry_id)
    await answer(update, _("Left the waitlist."))
    note = texts.left(place.occurrence if place else None, context.settings.zone)
    await show_overview(update, context, person, note, page=page_with(view, place))
