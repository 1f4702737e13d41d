"""Staff cancelling a member's booking (SPEC §3, issue 6): from the session card, the
list of who is booked, then a confirmation. Staff may do it at any time, deadline or
not; the pass session is refunded, the member told and the waitlist moves up — all in
the domain's one transaction (Studio.cancel_booking)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import TraineryContext
from bot.render import escape
from bot.replies import answer, show
from bot.sessions import keyboards, texts
from bot.sessions.access import staff_press
from domain.bookings.cancel import cancel_booking
from domain.errors import DomainError
from domain.occurrence import OccurrenceKey
from domain.roles import Person
from domain.sessions.card import booking_on, bookings_on
from domain.setup.names import person_labels


async def bookings_pressed(update: Update, context: TraineryContext) -> None:
    pressed = await staff_press(update, context, callbacks.ShowBookings)
    if pressed is not None:
        await show_bookings(update, context, pressed[0], pressed[1].key)


async def show_bookings(
    update: Update, context: TraineryContext, person: Person, key: OccurrenceKey, note: str | None = None
) -> None:
    try:
        occurrence, booked = await bookings_on(context.studio, person.id, key)
    except DomainError as error:
        await answer(update, error.text, alert=True)
        return
    await answer(update)
    zone = context.settings.zone
    lines = [f"<b>Bookings</b> — {texts.headline(occurrence, zone)}", ""]
    names = person_labels(member for _, member in booked)  # two of one name: `Anna Berg #14`
    lines += [f"{n}. {escape(names[member.id])}" for n, (_, member) in enumerate(booked, 1)] or ["Nobody is booked."]
    lines.append("\nTap a name to cancel that booking; the pass session is refunded.")
    if note:
        lines.insert(0, f"<i>{escape(note)}</i>\n")
    buttons = [(booking.id, names[member.id]) for booking, member in booked]
    await show(update, context, "\n".join(lines), keyboards.staff_bookings(occurrence, buttons))


async def cancel_pressed(update: Update, context: TraineryContext) -> None:
    pressed = await staff_press(update, context, callbacks.StaffCancelBooking)
    if pressed is None:
        return
    person, data = pressed
    try:
        occurrence, booking, member = await booking_on(context.studio, person.id, data.booking_id)
        if not data.confirmed:
            await answer(update)
            text = (
                f"Cancel <b>{escape(member.name)}</b>'s booking on {texts.headline(occurrence, context.settings.zone)}?\n\n"
                "Their pass gets the session back, they are told, and the first on the waitlist moves up."
            )
            await show(update, context, text, keyboards.staff_cancel_confirm(occurrence, booking.id))
            return
        await cancel_booking(context.studio, person.id, booking.id)
    except DomainError as error:  # a double tap, or someone else was first
        await answer(update, error.text, alert=True)
        return
    await show_bookings(update, context, person, occurrence.key, f"{member.name}'s booking was cancelled and refunded.")
