"""The "Book again" button under a booking-cancelled notice (SPEC §2.2: members whose
bookings an override cancelled may book again on the new terms).

Its callback data is `bk1:<schedule id>:<original start, unix seconds>` — short,
versioned, and parsed only here. The button carries no authority: the press books
the member who pressed it, and the domain checks everything again (open schedule,
deadline, room, a usable pass), as for any booking. A session that has filled up
meanwhile puts the member on its waitlist instead (SPEC §3).

The notice carries the button only while booking again is possible when it is sent
(bot/notify/texts.py); a press after that — the deadline passed, the session started
or was cancelled — is answered with why, and the button is taken off the notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import MaybeInaccessibleMessage, Message, Update
from telegram.error import BadRequest

from bot.actor import acting_person
from bot.context import TraineryContext
from bot.i18n import N_, _, error_text
from bot.render import escape
from domain.bookings.book import book_session
from domain.bookings.waitlist import join_waitlist
from domain.errors import (
    BookingDeadlinePassed,
    ClosedScheduleBooking,
    DomainError,
    OccurrenceCancelled,
    OccurrenceStarted,
    SessionFull,
)
from domain.occurrence import OccurrenceKey
from domain.roles import Role

PREFIX = "bk1:"
PATTERN = r"^bk1:"
_DATA = re.compile(r"^bk1:(\d{1,18}):(\d{1,12})$")

# Marked here, translated where they are shown (the presser's language).
EXPIRED = N_("This button no longer works. Send /start to see what you can do.")
NOT_A_MEMBER = N_("Only members of this studio can book. Ask the studio for an invite link.")
BOOKED = N_("Booked.")
BOOKED_LINE = N_("✅ You are booked again.")
WAITING = N_("The session is full: you are number {position} on its waitlist.")
WAITING_LINE = N_(
    "⏳ The session is full: you are number {position} on its waitlist. If a spot frees up "
    "before the booking deadline, you are booked and told."
)
FAILED = N_("That did not work; nothing was booked. Please try again in a moment.")
# Refusals that no later press can change: the notice loses its button.
TOO_LATE = (BookingDeadlinePassed, OccurrenceStarted, OccurrenceCancelled, ClosedScheduleBooking)
TOO_LATE_LINE = N_("⌛ Too late to book this session again: {reason}")


@dataclass(frozen=True)
class BookAgain:
    key: OccurrenceKey

    def encode(self) -> str:
        return f"{PREFIX}{self.key.schedule_id}:{int(self.key.original_start.timestamp())}"

    @classmethod
    def parse(cls, data: str) -> BookAgain | None:
        """None for anything that is not a well-formed Book again button."""
        match = _DATA.match(data)
        if match is None:
            return None
        try:
            start = datetime.fromtimestamp(int(match.group(2)), UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return cls(OccurrenceKey(int(match.group(1)), start))


async def book_again(update: Update, context: TraineryContext) -> None:
    """Book the member who pressed; the query is answered whatever happens."""
    query = update.callback_query
    if query is None:
        return
    request = BookAgain.parse(query.data or "")
    if request is None:
        await query.answer(_(EXPIRED), show_alert=True)
        return
    try:
        member = await acting_person(update, context)
        if member is None or not member.holds(Role.MEMBER):
            await query.answer(_(NOT_A_MEMBER), show_alert=True)
            return
        try:
            await book_session(context.studio, member.id, request.key, member.id)
            answer, line = _(BOOKED), _(BOOKED_LINE)
        except SessionFull:
            place = await join_waitlist(context.studio, member.id, request.key, member.id)
            answer = _(WAITING).format(position=place.position)
            line = _(WAITING_LINE).format(position=place.position)
    except TOO_LATE as error:  # the button can only fail from now on: say so, and take it away
        await query.answer(error_text(error)[:200], show_alert=True)
        await _add_line(query.message, _(TOO_LATE_LINE).format(reason=error_text(error)))
        return
    except DomainError as error:
        await query.answer(error_text(error)[:200], show_alert=True)
        return
    except Exception:
        await query.answer(_(FAILED), show_alert=True)
        raise  # the error handler logs it
    await query.answer(answer)
    await _add_line(query.message, line)


async def _add_line(message: MaybeInaccessibleMessage | None, line: str) -> None:
    """The notice with the outcome below it and without its button."""
    if isinstance(message, Message) and message.text:
        try:
            await message.edit_text(f"{message.text_html}\n\n{escape(line)}", reply_markup=None)
        except BadRequest:
            pass  # too old to edit, or already edited by a double tap: the outcome stands
