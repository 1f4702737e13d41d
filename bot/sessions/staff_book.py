"""Staff booking a member onto a session from its card (issue 14): ➕ Book a member →
the members who could be booked now (a valid pass that covers the session; paged,
`Anna Berg #14` where names repeat) → a review naming the pass → ✅ Book. The press
names a session and a member, nothing more: the domain checks who may book, the
session and the pass again when it runs (domain/bookings/staff.py)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import TraineryContext
from bot.i18n import N_, _, error_text, ngettext
from bot.render import escape, page_of, span
from bot.replies import answer, show
from bot.sessions import keyboards, texts
from bot.sessions.access import staff_press
from bot.sessions.card import show_card
from domain.bookings.staff import booking_candidates, review_staff_booking, staff_book
from domain.errors import DomainError, NotAllowed
from domain.occurrence import OccurrenceKey
from domain.roles import Person

# As the bookings list (bot/sessions/staff_bookings.py): 20 names of at most 106
# characters and the headline stay far under 4,096 characters and 100 buttons.
PAGE_SIZE = 20
NOT_BOOKED = N_("Not booked — see why below.")


async def book_pressed(update: Update, context: TraineryContext) -> None:
    pressed = await staff_press(update, context, (callbacks.StaffBookPick, callbacks.StaffBookMember))
    if pressed is None:
        return
    person, data = pressed
    if isinstance(data, callbacks.StaffBookPick):
        await show_candidates(update, context, person, data.key, data.page)
    elif isinstance(data, callbacks.StaffBookMember) and data.confirmed:
        await book(update, context, person, data.key, data.member_id)
    elif isinstance(data, callbacks.StaffBookMember):
        await review(update, context, person, data.key, data.member_id)


async def show_candidates(
    update: Update, context: TraineryContext, person: Person, key: OccurrenceKey, page: int = 0
) -> None:
    try:
        found = await booking_candidates(context.studio, person.id, key)
    except DomainError as error:
        await answer(update, error_text(error), alert=True)
        return
    await answer(update)
    occurrence = found.occurrence
    shown = page_of(found.bookable, page, PAGE_SIZE)
    headline = texts.headline(occurrence, context.settings.zone)
    lines = [_("<b>Book a member</b> — {session}").format(session=headline), ""]
    lines += [f"{n}. {escape(c.label)}" for n, c in enumerate(shown.items, shown.offset + 1)] or [
        _("No member holds a valid pass for this session.")
    ]
    if shown.pages > 1:
        lines.append(span(shown, _("Members")))
    if found.without_pass:
        count = found.without_pass
        without = ngettext(
            "{n} member without a valid pass for it is not listed: "
            "an admin grants one with /pass_grant. A guest is added with /guest_add.",
            "{n} members without a valid pass for it are not listed: "
            "an admin grants one with /pass_grant. A guest is added with /guest_add.",
            count,
        )
        lines.append("\n" + without.format(n=count))
    if shown.items:
        lines.append("\n" + _("Tap a name to review the booking; one session of their pass is used."))
    buttons = [(c.member.id, c.label) for c in shown.items]
    await show(update, context, "\n".join(lines), keyboards.book_pick(occurrence, buttons, shown.number, shown.pages))


async def review(update: Update, context: TraineryContext, person: Person, key: OccurrenceKey, member_id: int) -> None:
    try:
        occurrence, candidate = await review_staff_booking(context.studio, person.id, key, member_id)
    except NotAllowed as error:
        await answer(update, error_text(error), alert=True)
        return
    except DomainError as error:
        await answer(update, _(NOT_BOOKED))
        await show_card(update, context, person, key, error_text(error))
        return
    await answer(update)
    pass_, left = candidate.pass_, candidate.pass_.sessions_left
    if left is None:
        used = _("Pass: {name} — one session is used (unlimited).")
    else:
        used = ngettext(
            "Pass: {name} — one session is used ({n} session left after).",
            "Pass: {name} — one session is used ({n} sessions left after).",
            left - 1,
        )
    if candidate.member.chat_id is not None:
        told = _("They are told in Telegram.")
    else:
        told = _("They have not linked Telegram yet, so the notice is recorded as not delivered (no linked chat).")
    session = texts.headline(occurrence, context.settings.zone)
    question = _("Book <b>{member}</b> onto {session}?").format(member=escape(candidate.label), session=session)
    pass_line = used.format(name=escape(candidate.pass_name), n=(left or 0) - 1)
    text = f"{question}\n\n{pass_line} {told}"
    await show(update, context, text, keyboards.book_confirm(occurrence, pass_.member_id))


async def book(update: Update, context: TraineryContext, person: Person, key: OccurrenceKey, member_id: int) -> None:
    try:
        booked = await staff_book(context.studio, person.id, key, member_id)
    except NotAllowed as error:
        await answer(update, error_text(error), alert=True)
        return
    except DomainError as error:  # a double tap, someone else took the spot, the pass ran out
        await answer(update, _(NOT_BOOKED))
        await show_card(update, context, person, key, error_text(error))
        return
    await answer(update, _("Booked"))
    left = booked.sessions_left
    if left is None:
        note = _("{name} is booked; their pass is unlimited.").format(name=booked.member.name)
    else:
        note = ngettext(
            "{name} is booked; {n} session left on their pass.",
            "{name} is booked; {n} sessions left on their pass.",
            left,
        ).format(name=booked.member.name, n=left)
    await show_card(update, context, person, key, note)
