"""Domain errors: each carries the clear message a person is shown; raising one
means nothing was changed (the unit of work rolls back)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    message = "That did not work."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)

    @property
    def text(self) -> str:
        return str(self)


class NotAllowed(DomainError):
    message = "You are not allowed to do that."


class NotFound(DomainError):
    message = "Not found."


class OccurrenceNotFound(NotFound):
    message = "That session does not exist (any more)."


class InvalidCapacity(DomainError):
    message = "Capacity must be a positive whole number, e.g. 12."


class CapacityAboveSpaceMaximum(DomainError):
    pass


class UnknownSpace(DomainError):
    message = "That space is unknown or no longer in use."


class UnknownTrainer(DomainError):
    message = "That trainer is unknown or no longer active."


class TimeInPast(DomainError):
    message = "The new time is in the past; pick a time that is still ahead."


class TimeCollision(DomainError):
    pass


class OccurrenceStarted(DomainError):
    message = "This session has already started; it can no longer be changed."


class OccurrenceCancelled(DomainError):
    message = "This session is cancelled; it can no longer be changed."


class NothingToChange(DomainError):
    message = "That changes nothing: every value is already what you chose."


class ClosedScheduleKeepsBookings(DomainError):
    message = (
        "Bookings cannot be cancelled on a closed schedule: its members are enrolled "
        "by their pass and cannot book again on their own."
    )


class InvalidReason(DomainError):
    pass


class ConfirmationNeeded(DomainError):
    """Saving a change with warnings needs the trainer's explicit confirmation."""

    message = "This change has warnings that need your confirmation."

    def __init__(self, review: Any) -> None:
        super().__init__()
        self.review = review


class StaleReview(DomainError):
    """The session changed after the review was shown: show the fresh one."""

    message = "This session changed since you looked at it; here is the fresh state."

    def __init__(self, review: Any = None) -> None:
        super().__init__()
        self.review = review


class BookingRefused(DomainError):
    message = "This booking is not possible."


class SessionFull(BookingRefused):
    message = "This session is full."


class AlreadyBooked(BookingRefused):
    message = "This member already holds a booking on this session."


class NoUsablePass(BookingRefused):
    message = "No usable pass: it must be active, have sessions left, not be expired and cover this training."


class BookingDeadlinePassed(BookingRefused):
    message = "The booking deadline for this session has passed; ask the staff."


class ClosedScheduleBooking(BookingRefused):
    message = "This training is closed: members are enrolled with its pass and cannot book on their own."


class PrivateSessionBooking(BookingRefused):
    message = "This is a private session: only its trainer or an admin can book a member onto it."


class ClosedScheduleCancel(BookingRefused):
    message = (
        "This is a course you were enrolled in with its pass: you could not book it again, "
        "so only the staff cancel its bookings. Ask them."
    )


class BookingNotActive(DomainError):
    message = "That booking is already cancelled."


class SpotAvailable(BookingRefused):
    message = "There is a free spot on this session: book it instead of joining the waitlist."


class AlreadyWaiting(BookingRefused):
    message = "You are already on the waitlist of this session."


class NotOnWaitlist(DomainError):
    message = "That place on the waitlist does not exist (any more)."


class Contention(Exception):
    """The database gave up on a transaction because another one held what it needed
    (a deadlock or a serialization failure). Nothing was changed; the unit of work
    raises it so that the command can be tried again (domain/studio.py)."""


class TryAgain(DomainError):
    """A command that met `Contention` on every attempt: the person is told, never left in silence."""

    message = "Many changes reached this session at the same moment, so nothing was changed. Please try again."
