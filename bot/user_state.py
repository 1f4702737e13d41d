"""Per-person conversation state, typed (PTB's contexttypesbot example): what a
trainer has picked so far in an override or a cancel, and the list they came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.occurrence import OccurrenceKey
from domain.override import OverrideWarning


@dataclass
class ListView:
    """A page of `/sessions`: enough to draw it again."""

    first: date
    last: date
    mine: bool = False
    page: int = 0


@dataclass
class OverrideDraft:
    key: OccurrenceKey
    message_id: int | None = None
    capacity: int | None = None
    space_id: int | None = None
    trainer_id: int | None = None
    day: date | None = None  # picked on the date picker; the time is typed next
    start: datetime | None = None
    cancel_bookings: bool = False
    reason: str | None = None  # for the members whose bookings are cancelled
    confirmed: tuple[OverrideWarning, ...] = ()  # the warnings shown on the review
    substitute: bool = False  # began with the card's Substitute: a picked trainer goes straight to the review

    def is_empty(self) -> bool:
        return (
            self.capacity is None
            and self.space_id is None
            and self.trainer_id is None
            and self.start is None
            and not self.cancel_bookings
        )


@dataclass
class CancelDraft:
    key: OccurrenceKey
    message_id: int | None = None
    reason: str | None = None


@dataclass
class Outcome:
    """The last change or cancellation this person saved, and the message that shows
    (or, when Telegram failed to show it, should show) its outcome: a second tap on
    that message's Save or Confirm leaves the outcome standing."""

    key: OccurrenceKey
    action: str  # the Step that saved it: "sv" or "cx"
    message_id: int
    text: str
    shown: bool = False
    change_id: str | None = None  # its notifications in the outbox, for the receipt
    told: int = 0  # how many notifications it queued
    plain: str = ""  # the text without its receipt line


@dataclass
class UserState:
    override: OverrideDraft | None = None
    cancel: CancelDraft | None = None
    last_list: ListView | None = None
    outcome: Outcome | None = None
