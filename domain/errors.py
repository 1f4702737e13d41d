"""Domain errors: each carries the clear message a person is shown; raising one
means nothing was changed (the unit of work rolls back).

A message is an English template marked with `N_` and its values apart, e.g.
`SetupError(N_("A space called “{name}” exists already."), name=name)`: the bot shows
it in the reader's language (`bot.i18n.error_text`); `str(error)` is the English, for logs.
A sentence built elsewhere may be raised whole: `SetupError(wording)` (domain/wording.py)."""

from __future__ import annotations

from typing import Any

from domain.wording import N_, Wording, english

Part = tuple[str, dict[str, Any]]  # a template and its values


class DomainError(Exception):
    message = N_("That did not work.")

    def __init__(self, message: str | Wording | None = None, /, **params: Any) -> None:
        wording = message if isinstance(message, Wording) else Wording(message or self.message, params)
        self.parts: tuple[Wording, ...] = (wording,)
        super().__init__(self.english)

    @classmethod
    def lines(cls, *parts: Part | Wording) -> DomainError:
        """One error told in several sentences, one a line (e.g. every refused name)."""
        error = cls()
        error.parts = tuple(part if isinstance(part, Wording) else Wording(*part) for part in parts)
        error.args = (error.english,)
        return error

    @property
    def english(self) -> str:
        return "\n".join(english(part) for part in self.parts)

    @property
    def text(self) -> str:
        """The English (as before translations; the tests read it)."""
        return self.english


class NotAllowed(DomainError):
    message = N_("You are not allowed to do that.")


class NotFound(DomainError):
    message = N_("Not found.")


class OccurrenceNotFound(NotFound):
    message = N_("That session does not exist (any more).")


class InvalidCapacity(DomainError):
    message = N_("Capacity must be a positive whole number, e.g. 12.")


class CapacityAboveSpaceMaximum(DomainError):
    pass


class UnknownSpace(DomainError):
    message = N_("That space is unknown or no longer in use.")


class UnknownTrainer(DomainError):
    message = N_("That trainer is unknown or no longer active.")


class TimeInPast(DomainError):
    message = N_("The new time is in the past; pick a time that is still ahead.")


class TimeCollision(DomainError):
    pass


class OccurrenceStarted(DomainError):
    message = N_("This session has already started; it can no longer be changed.")


class OccurrenceCancelled(DomainError):
    message = N_("This session is cancelled; it can no longer be changed.")


class NothingToChange(DomainError):
    message = N_("That changes nothing: every value is already what you chose.")


class ClosedScheduleKeepsBookings(DomainError):
    message = N_(
        "Bookings cannot be cancelled on a closed schedule: its members are enrolled "
        "by their pass and cannot book again on their own."
    )


class InvalidReason(DomainError):
    pass


class ConfirmationNeeded(DomainError):
    """Saving a change with warnings needs the trainer's explicit confirmation."""

    message = N_("This change has warnings that need your confirmation.")

    def __init__(self, review: Any) -> None:
        super().__init__()
        self.review = review


class StaleReview(DomainError):
    """The session changed after the review was shown: show the fresh one."""

    message = N_("This session changed since you looked at it; here is the fresh state.")

    def __init__(self, review: Any = None) -> None:
        super().__init__()
        self.review = review


class BookingRefused(DomainError):
    message = N_("This booking is not possible.")


class SessionFull(BookingRefused):
    message = N_("This session is full.")


class AlreadyBooked(BookingRefused):
    message = N_("This member already holds a booking on this session.")


class NoUsablePass(BookingRefused):
    message = N_("No usable pass: it must be active, have sessions left, not be expired and cover this training.")


class BookingDeadlinePassed(BookingRefused):
    message = N_("The booking deadline for this session has passed; ask the staff.")


class ClosedScheduleBooking(BookingRefused):
    message = N_("This training is closed: members are enrolled with its pass and cannot book on their own.")


class PrivateSessionBooking(BookingRefused):
    message = N_("This is a private session: only its trainer or an admin can book a member onto it.")


class ClosedScheduleCancel(BookingRefused):
    message = N_(
        "This is a course you were enrolled in with its pass: you could not book it again, "
        "so only the staff cancel its bookings. Ask them."
    )


class BookingNotActive(DomainError):
    message = N_("That booking is already cancelled.")


class SpotAvailable(BookingRefused):
    message = N_("There is a free spot on this session: book it instead of joining the waitlist.")


class AlreadyWaiting(BookingRefused):
    message = N_("You are already on the waitlist of this session.")


class NotOnWaitlist(DomainError):
    message = N_("That place on the waitlist does not exist (any more).")


class Contention(Exception):
    """The database gave up on a transaction because another one held what it needed
    (a deadlock or a serialization failure). Nothing was changed; the unit of work
    raises it so that the command can be tried again (domain/studio.py)."""


class TryAgain(DomainError):
    """A command that met `Contention` on every attempt: the person is told, never left in silence."""

    message = N_("Many changes reached this session at the same moment, so nothing was changed. Please try again.")
