"""Per-person conversation state, typed (PTB's contexttypesbot example): what a
trainer has picked so far in an override or a cancel, and the list they came from.

The state is kept in the database between updates (bot/persistence.py), so it is plain
data: `encode` turns it into JSON-able values under a version number, and `decode`
refuses (StateUnreadable) anything another version of the code wrote — a field
renamed or a meaning changed must bump VERSION, so an old draft is dropped cleanly
instead of being misread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from domain.occurrence import OccurrenceKey
from domain.override import SeenWarning, WarningKind

VERSION = 1  # of the stored form below; bump it when a field's name or meaning changes


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
    confirmed: tuple[SeenWarning, ...] = ()  # the warnings shown on the review
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

    def is_empty(self) -> bool:
        return self.override is None and self.cancel is None and self.last_list is None and self.outcome is None


class StateUnreadable(ValueError):
    """Stored by another version of the code, or damaged: to be dropped, not guessed at."""


def encode(state: UserState) -> dict[str, Any] | None:
    """The state as JSON-able values; None when there is nothing to keep."""
    if state.is_empty():
        return None
    return {
        "v": VERSION,
        "override": _override(state.override) if state.override else None,
        "cancel": _cancel(state.cancel) if state.cancel else None,
        "last_list": _list(state.last_list) if state.last_list else None,
        "outcome": _outcome(state.outcome) if state.outcome else None,
    }


def decode(data: object) -> UserState:
    if not isinstance(data, dict) or data.get("v") != VERSION:
        found = data.get("v") if isinstance(data, dict) else None
        raise StateUnreadable(f"stored as version {found!r}, this code reads version {VERSION}")
    try:
        return UserState(
            override=_override_of(data["override"]) if data["override"] else None,
            cancel=_cancel_of(data["cancel"]) if data["cancel"] else None,
            last_list=_list_of(data["last_list"]) if data["last_list"] else None,
            outcome=_outcome_of(data["outcome"]) if data["outcome"] else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StateUnreadable(f"damaged: {type(error).__name__}: {error}") from None


# -- the fields, one pair of functions per dataclass ------------------------------


def _key(key: OccurrenceKey) -> list[Any]:
    return [key.schedule_id, key.original_start.isoformat()]


def _key_of(value: list[Any]) -> OccurrenceKey:
    schedule_id, start = value
    return OccurrenceKey(_int(schedule_id), _instant(start))


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a stored instant without its zone")
    return moment.astimezone(UTC)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected a number, found {value!r}")
    return value


def _maybe_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _override(draft: OverrideDraft) -> dict[str, Any]:
    return {
        "key": _key(draft.key),
        "message_id": draft.message_id,
        "capacity": draft.capacity,
        "space_id": draft.space_id,
        "trainer_id": draft.trainer_id,
        "day": draft.day.isoformat() if draft.day else None,
        "start": draft.start.isoformat() if draft.start else None,
        "cancel_bookings": draft.cancel_bookings,
        "reason": draft.reason,
        "confirmed": [[w.kind.value, _key(w.other) if w.other else None] for w in draft.confirmed],
        "substitute": draft.substitute,
    }


def _override_of(data: dict[str, Any]) -> OverrideDraft:
    return OverrideDraft(
        key=_key_of(data["key"]),
        message_id=_maybe_int(data["message_id"]),
        capacity=_maybe_int(data["capacity"]),
        space_id=_maybe_int(data["space_id"]),
        trainer_id=_maybe_int(data["trainer_id"]),
        day=date.fromisoformat(data["day"]) if data["day"] else None,
        start=_instant(data["start"]) if data["start"] else None,
        cancel_bookings=bool(data["cancel_bookings"]),
        reason=_maybe_str(data["reason"]),
        confirmed=tuple(
            SeenWarning(WarningKind(kind), _key_of(other) if other else None) for kind, other in data["confirmed"]
        ),
        substitute=bool(data["substitute"]),
    )


def _maybe_str(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"expected text, found {value!r}")
    return value


def _cancel(draft: CancelDraft) -> dict[str, Any]:
    return {"key": _key(draft.key), "message_id": draft.message_id, "reason": draft.reason}


def _cancel_of(data: dict[str, Any]) -> CancelDraft:
    return CancelDraft(_key_of(data["key"]), _maybe_int(data["message_id"]), _maybe_str(data["reason"]))


def _list(view: ListView) -> dict[str, Any]:
    return {"first": view.first.isoformat(), "last": view.last.isoformat(), "mine": view.mine, "page": view.page}


def _list_of(data: dict[str, Any]) -> ListView:
    first, last = date.fromisoformat(data["first"]), date.fromisoformat(data["last"])
    return ListView(first, last, bool(data["mine"]), _int(data["page"]))


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
        "key": _key(outcome.key),
        "action": outcome.action,
        "message_id": outcome.message_id,
        "text": outcome.text,
        "shown": outcome.shown,
        "change_id": outcome.change_id,
        "told": outcome.told,
        "plain": outcome.plain,
    }


def _outcome_of(data: dict[str, Any]) -> Outcome:
    text, action = data["text"], data["action"]
    if not isinstance(text, str) or action not in ("sv", "cx"):
        raise ValueError("an outcome without its text or action")
    outcome = Outcome(_key_of(data["key"]), action, _int(data["message_id"]), text, bool(data["shown"]))
    # The receipt's fields came later: a state stored before them reads as an outcome without a receipt.
    outcome.change_id = _maybe_str(data.get("change_id"))
    outcome.told = _int(data.get("told", 0))
    plain = data.get("plain", "")
    outcome.plain = plain if isinstance(plain, str) else ""
    return outcome
