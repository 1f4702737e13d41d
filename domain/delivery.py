"""Delivering queued notifications (SPEC §3, §5): what a notification waiting to be sent
looks like, why one can be undeliverable, and how long to wait before trying again.

The outbox holds every notification from the transaction of its change; a dispatcher
sends it and records the outcome. A notification is never dropped: it is sent, or
retried (network errors, flood limits), or recorded as undeliverable with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from domain.notifications import NotificationKind
from domain.wording import N_

# Why a member cannot be reached; stored in English and shown to admins (`/undelivered`)
# in their language (the bot translates these; Telegram's own reasons stay as sent).
NO_LINKED_CHAT = N_("no linked chat")
BLOCKED = N_("blocked the bot")
CHAT_NOT_FOUND = N_("chat not found")
ACCOUNT_DELETED = N_("account deleted")

FIRST_RETRY = timedelta(seconds=2)
LONGEST_RETRY = timedelta(minutes=5)


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent, or to be tried again
    SENT = "sent"  # Telegram confirmed it
    FAILED = "failed"  # the member cannot be reached; recorded with the reason


@dataclass(frozen=True)
class Delivery:
    """A notification a dispatcher has claimed and now sends."""

    id: int
    member_id: int
    chat_id: int | None  # None: the member has not linked a chat
    kind: NotificationKind
    payload: dict[str, Any]
    attempts: int  # attempts before this one
    created_at: datetime
    # The member's language as the claim read it (their choice, else the one Telegram
    # last sent for them); None: the studio's. Read at claim time, not at queueing: a
    # language changed meanwhile is the one the message is written in.
    language: str | None = None


@dataclass(frozen=True)
class Undelivered:
    """A notification not delivered (yet): failed for good, or being retried."""

    id: int
    member_id: int
    member_name: str
    kind: NotificationKind
    payload: dict[str, Any]
    status: DeliveryStatus
    reason: str | None
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None

    @property
    def retrying(self) -> bool:
        return self.status is DeliveryStatus.PENDING


@dataclass(frozen=True)
class Receipt:
    """How far the notifications of one change got (the outcome screen's receipt)."""

    total: int
    delivered: int
    pending: int  # not sent yet, or being retried
    failed: tuple[tuple[str, str], ...] = ()  # (reason, the person's name as shown), in the order queued

    @classmethod
    def queued(cls, total: int) -> Receipt:
        return cls(total, 0, total)

    @property
    def settled(self) -> bool:
        return self.pending == 0


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1, 2, ...): doubling from two
    seconds up to five minutes, so a long outage costs few requests and a short one
    little delay. Network errors are retried for as long as it takes."""
    if attempts < 1:
        return FIRST_RETRY
    seconds = FIRST_RETRY.total_seconds() * 2 ** min(attempts - 1, 20)
    return min(timedelta(seconds=seconds), LONGEST_RETRY)


class DeliveryQueue(Protocol):
    """One dispatcher's access to the outbox (storage/outbox.py): rows are claimed under
    a lease renewed while they are worked on; every method is its own short transaction."""

    owner: str
    lease: timedelta

    async def claim(self, now: datetime, limit: int) -> list[Delivery]: ...
    async def renew(self, now: datetime, ids: Iterable[int]) -> int: ...
    async def release(self, ids: Iterable[int] | None = None) -> int: ...
    async def mark_sent(self, notification_id: int, now: datetime) -> bool: ...
    async def retry_later(self, notification_id: int, now: datetime, at: datetime, reason: str) -> bool: ...
    async def mark_failed(
        self, notification_id: int, now: datetime, reason: str, *, attempted: bool = True
    ) -> bool: ...
    async def undelivered(self, limit: int, offset: int = 0) -> tuple[list[Undelivered], int]: ...


class SendBudget(Protocol):
    """Telegram's overall limit shared by every dispatcher on one database
    (storage/send_budget.py): one cadence of starts, one flood wait, and the room
    left to the bot's replies, kept in the database so that several processes keep
    30 a second together."""

    async def reserve(self, limit: int, headroom: int, window: float) -> float:
        """Take the next start (one `window / limit` after the previous one of any
        dispatcher, `window / (limit - headroom)` while the bot is replying to people,
        none during a flood wait); returns the seconds to wait until it."""
        ...

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: no dispatcher starts a send for `seconds`."""
        ...

    async def replied(self) -> None:
        """The bot is replying to people: leave room for them for a few seconds."""
        ...
