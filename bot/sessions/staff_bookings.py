"""Staff cancelling a member's booking (SPEC §3, issue 6): from the session card, the
list of who is booked, then a confirmation. Staff may do it at any time, deadline or
not; the pass session is refunded, the member told and the waitlist moves up — all in
the domain's one transaction (Studio.cancel_booking).

The list is paged (`PAGE_SIZE` members a page, each with a button), so a session of
any capacity keeps Telegram's limits; a cancellation shows the page it was made on."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import TraineryContext
from bot.i18n import _, error_text
from bot.render import escape, page_of, span
from bot.replies import answer, show
from bot.sessions import keyboards, texts
from bot.sessions.access import staff_press
from domain.bookings.cancel import cancel_booking
from domain.errors import DomainError
from domain.occurrence import OccurrenceKey
from domain.roles import Person
from domain.sessions.card import booking_on, bookings_on
from domain.setup.names import person_labels

# A line is "999. " and a name (at most 100 characters): 20 of them, the session's
# headline (a 100-character title), a note naming a member and the hint stay far
# under 4,096 characters, and 20 buttons and three more under 100.
PAGE_SIZE = 20


async def bookings_pressed(update: Update, context: TraineryContext) -> None:
    pressed = await staff_press(update, context, (callbacks.ShowBookings, callbacks.BookingsPage))
    if pressed is None:
        return
    person, data = pressed
    if isinstance(data, callbacks.BookingsPage):
        await show_bookings(update, context, person, data.key, page=data.page)
    elif isinstance(data, callbacks.ShowBookings):
        await show_bookings(update, context, person, data.key)


async def show_bookings(
    update: Update,
    context: TraineryContext,
    person: Person,
    key: OccurrenceKey,
    note: str | None = None,
    *,
    page: int = 0,
) -> None:
    try:
        occurrence, booked = await bookings_on(context.studio, person.id, key)
    except DomainError as error:
        await answer(update, error_text(error), alert=True)
        return
    await answer(update)
    zone = context.settings.zone
    shown = page_of(booked, page, PAGE_SIZE)
    lines = [_("<b>Bookings</b> — {session}").format(session=texts.headline(occurrence, zone)), ""]
    names = person_labels(member for _booking, member in booked)  # two of one name: `Anna Berg #14`
    lines += [
        f"{n}. {escape(names[member.id])}" for n, (_booking, member) in enumerate(shown.items, shown.offset + 1)
    ] or [_("Nobody is booked.")]
    if shown.pages > 1:
        lines.append(span(shown, _("Bookings")))
    lines.append("\n" + _("Tap a name to cancel that booking; the pass session is refunded."))
    if note:
        lines.insert(0, f"<i>{escape(note)}</i>\n")
    buttons = [(booking.id, names[member.id]) for booking, member in shown.items]
    markup = keyboards.staff_bookings(occurrence, buttons, shown.number, shown.pages)
    await show(update, context, "\n".join(lines), markup)


async def page_of_booking(context: TraineryContext, person: Person, key: OccurrenceKey, booking_id: int) -> int:
    """The page of the list that shows this booking (0 when it is gone)."""
    booked = (await bookings_on(context.studio, person.id, key))[1]
    index = next((i for i, (booking, _member) in enumerate(booked) if booking.id == booking_id), 0)
    return index // PAGE_SIZE


async def cancel_pressed(update: Update, context: TraineryContext) -> None:
    pressed = await staff_press(update, context, callbacks.StaffCancelBooking)
    if pressed is None:
        return
    person, data = pressed
    try:
        occurrence, booking, member = await booking_on(context.studio, person.id, data.booking_id)
        page = await page_of_booking(context, person, occurrence.key, booking.id)
        if not data.confirmed:
            await answer(update)
            session = texts.headline(occurrence, context.settings.zone)
            question = _("Cancel <b>{member}</b>'s booking on {session}?").format(
                member=escape(member.name), session=session
            )
            text = (
                question
                + "\n\n"
                + _("Their pass gets the session back, they are told, and the first on the waitlist moves up.")
            )
            await show(update, context, text, keyboards.staff_cancel_confirm(occurrence, booking.id, page))
            return
        await cancel_booking(context.studio, person.id, booking.id)
    except DomainError as error:  # a double tap, or someone else was first
        await answer(update, error_text(error), alert=True)
        return
    note = _("{member}'s booking was cancelled and refunded.").format(member=member.name)
    await show_bookings(update, context, person, occurrence.key, note, page=page)
