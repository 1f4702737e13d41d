"""The outbox as the dispatcher sees it: claim due notifications under a lease, record
what Telegram answered, list what could not be delivered (SPEC §5).

Claims are leases. A dispatcher claims a few due rows (`claimed_by` = its own id,
`claimed_until` = now + lease) in one short transaction whose UPDATE re-checks that
nobody holds them; on PostgreSQL the candidate rows are also read `FOR UPDATE SKIP
LOCKED`, on SQLite every transaction takes the write lock (`BEGIN IMMEDIATE`). So two
dispatchers never hold the same row. The holder renews its lease while it works; a
dispatcher that crashed stops renewing and its rows become due again when the lease
runs out. A row is marked sent only after Telegram confirmed the message.

`when_enqueued` lets a dispatcher in this process hear about a commit that queued
notifications the moment it happens, instead of at its next poll.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, event, exists, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, aliased

from domain.delivery import Delivery, DeliveryStatus, Receipt, Undelivered
from domain.notifications import NotificationKind
from domain.setup.names import labelled
from storage.models import NotificationRow, PersonRow, PersonSettingsRow

PENDING, SENT, FAILED = DeliveryStatus.PENDING.value, DeliveryStatus.SENT.value, DeliveryStatus.FAILED.value


def new_owner_id() -> str:
    """Names a dispatcher in `claimed_by`: readable in the database, unique per start."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


LEASE = timedelta(seconds=3)  # a crashed dispatcher's rows are due again after this
CHAT_GAP = timedelta(seconds=1.01)  # a member's next message, from whichever dispatcher
CLAIM_LOCK = 0x7472_6E79  # PostgreSQL advisory lock that takes turns between claims ("trny")


class OutboxStore:
    """One dispatcher's access to the outbox (domain.delivery.DeliveryQueue); every
    method is its own short transaction."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], owner: str | None = None, lease: timedelta = LEASE
    ) -> None:
        self._sessions = sessions
        self.owner = owner or new_owner_id()
        self.lease = lease

    async def claim(self, now: datetime, limit: int) -> list[Delivery]:
        """Lease up to `limit` due notifications, oldest first, with the member's chat;
        none of a member another dispatcher holds a notification of, or sent one to in
        the last 1.01 s, so two dispatchers never send to one chat within a second. On
        PostgreSQL claims take turns (an advisory lock), so two cannot both pick a
        member's rows at once."""
        free = or_(NotificationRow.claimed_until.is_(None), NotificationRow.claimed_until < now)
        async with self._sessions() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
            candidates = await session.scalars(
                select(NotificationRow.id)
                .where(
                    NotificationRow.status == PENDING,
                    NotificationRow.next_attempt_at <= now,
                    free,
                    ~self._member_busy_elsewhere(now),
                )
                .order_by(NotificationRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite holds the write lock anyway
            )
            ids = list(candidates)
            if not ids:
                return []
            await session.execute(
                update(NotificationRow)
                .where(NotificationRow.id.in_(ids), NotificationRow.status == PENDING, free)
                .values(claimed_by=self.owner, claimed_until=now + self.lease)
                .execution_options(synchronize_session=False)
            )
            rows = await session.execute(
                select(
                    NotificationRow,
                    PersonRow.chat_id,
                    func.coalesce(PersonSettingsRow.language, PersonSettingsRow.telegram_language),
                )
                .join(PersonRow, PersonRow.id == NotificationRow.member_id)
                .outerjoin(PersonSettingsRow, PersonSettingsRow.person_id == NotificationRow.member_id)
                .where(
                    NotificationRow.id.in_(ids),
                    NotificationRow.status == PENDING,
                    NotificationRow.claimed_by == self.owner,
                )
                .order_by(NotificationRow.id)
            )
            return [
                Delivery(
                    id=row.id,
                    member_id=row.member_id,
                    chat_id=chat_id,
                    kind=NotificationKind(row.kind),
                    payload=dict(row.payload),
                    attempts=row.attempts,
                    created_at=row.created_at,
                    language=language,
                )
                for row, chat_id, language in rows
            ]

    async def renew(self, now: datetime, ids: Iterable[int]) -> int:
        """Extend the lease on the rows this dispatcher still works on (its heartbeat).
        Only those: a row whose outcome could not be written falls due again."""
        wanted = list(ids)
        if not wanted:
            return 0
        return await self._update(self._held() & NotificationRow.id.in_(wanted), claimed_until=now + self.lease)

    async def release(self, ids: Iterable[int] | None = None) -> int:
        """Give rows back unsent (a stop): the next dispatcher sends them at once."""
        condition = self._held()
        if ids is not None:
            condition = condition & NotificationRow.id.in_(list(ids))
        return await self._update(condition, claimed_by=None, claimed_until=None)

    async def mark_sent(self, notification_id: int, now: datetime) -> bool:
        """Telegram confirmed it. Recorded whoever holds the lease now: it was sent.
        False: it was already recorded as sent (a second delivery happened)."""
        count = await self._update(
            (NotificationRow.id == notification_id) & (NotificationRow.status == PENDING),
            status=SENT,
            sent_at=now,
            last_attempt_at=now,
            attempts=NotificationRow.attempts + 1,
            failure_reason=None,
            claimed_by=None,
            claimed_until=None,
        )
        return count == 1

    async def retry_later(self, notification_id: int, now: datetime, at: datetime, reason: str) -> bool:
        """The attempt failed for a passing reason: try again at `at`; the reason is kept
        for `/undelivered` until it is delivered."""
        count = await self._update(
            self._held() & (NotificationRow.id == notification_id),
            next_attempt_at=at,
            last_attempt_at=now,
            attempts=NotificationRow.attempts + 1,
            failure_reason=reason,
            claimed_by=None,
            claimed_until=None,
        )
        return count == 1

    async def mark_failed(self, notification_id: int, now: datetime, reason: str, *, attempted: bool = True) -> bool:
        """The member cannot be reached: recorded with the reason, not retried."""
        values: dict[str, object] = dict(
            status=FAILED,
            failure_reason=reason,
            claimed_by=None,
            claimed_until=None,
        )
        if attempted:
            values.update(last_attempt_at=now, attempts=NotificationRow.attempts + 1)
        count = await self._update(self._held() & (NotificationRow.id == notification_id), **values)
        return count == 1

    async def undelivered(self, limit: int, offset: int = 0) -> tuple[list[Undelivered], int]:
        """Notifications that failed, or that are being retried after an error, newest
        first; and how many there are in all."""
        condition = (NotificationRow.status == FAILED) | (
            (NotificationRow.status == PENDING) & NotificationRow.failure_reason.is_not(None)
        )
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(NotificationRow).where(condition))
            rows = await session.execute(
                select(NotificationRow, PersonRow.name)
                .join(PersonRow, PersonRow.id == NotificationRow.member_id)
                .where(condition)
                .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc())
                .limit(limit)
                .offset(offset)
            )
            items = [
                Undelivered(
                    id=row.id,
                    member_id=row.member_id,
                    member_name=name,
                    kind=NotificationKind(row.kind),
                    payload=dict(row.payload),
                    status=DeliveryStatus(row.status),
                    reason=row.failure_reason,
                    attempts=row.attempts,
                    created_at=row.created_at,
                    last_attempt_at=row.last_attempt_at,
                )
                for row, name in rows
            ]
        return items, total or 0

    def _member_busy_elsewhere(self, now: datetime) -> ColumnElement[bool]:
        other = aliased(NotificationRow)
        held_by_another = and_(other.status == PENDING, other.claimed_by != self.owner, other.claimed_until >= now)
        just_sent = other.last_attempt_at > now - CHAT_GAP  # by anyone: only its sender's memory knew
        return exists().where(
            other.member_id == NotificationRow.member_id,
            other.id != NotificationRow.id,
            or_(held_by_another, just_sent),
        )

    def _held(self) -> ColumnElement[bool]:
        return (NotificationRow.claimed_by == self.owner) & (NotificationRow.status == PENDING)

    async def _update(self, condition: ColumnElement[bool], **values: object) -> int:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(NotificationRow).where(condition).values(**values).execution_options(synchronize_session=False)
            )
            return result.rowcount  # type: ignore[attr-defined, no-any-return]


# -- hearing about new notifications at once -----------------------------------------

_QUEUED = "trainery_outbox_queued"
_listeners: dict[Engine, list[Callable[[], None]]] = defaultdict(list)


def enqueued_on(sessions: async_sessionmaker[AsyncSession]) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """`when_enqueued` for the engine behind `sessions`: what a dispatcher subscribes with."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        return lambda _callback: lambda: None
    return lambda callback: when_enqueued(engine, callback)


def when_enqueued(engine: AsyncEngine, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` right after a session on `engine` commits notifications it added
    through the ORM (what the outbox repository does). Returns the unsubscribe function.
    The callback runs on the committing thread: it must only signal, e.g. set an event."""
    listeners = _listeners[engine.sync_engine]
    listeners.append(callback)

    def unsubscribe() -> None:
        if callback in listeners:
            listeners.remove(callback)

    return unsubscribe


def mark_queued(session: Session) -> None:
    """For notifications inserted without ORM objects: announce them at commit too."""
    session.info[_QUEUED] = True


@event.listens_for(Session, "after_flush")
def _note_queued(session: Session, _flush_context: object) -> None:
    if not session.info.get(_QUEUED) and any(isinstance(o, NotificationRow) for o in session.new):
        session.info[_QUEUED] = True


@event.listens_for(Session, "after_commit")
def _announce_queued(session: Session) -> None:
    if not session.info.pop(_QUEUED, False):
        return
    bind = session.bind
    engine = bind.engine if bind is not None else None
    for callback in list(_listeners.get(engine, ())) if isinstance(engine, Engine) else ():
        callback()


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)


# -- receipts: how far one change's notifications got -----------------------------------


async def change_receipt(sessions: async_sessionmaker[AsyncSession], change_id: str) -> Receipt:
    """The notifications queued by one change (`change_id`), counted by outcome; those
    that failed with the reason and the person's name, `#id` added where someone else
    of the studio has the same name (as the directory shows names)."""
    async with sessions() as session:
        rows = (
            await session.execute(
                select(NotificationRow.status, NotificationRow.failure_reason, PersonRow.id, PersonRow.name)
                .join(PersonRow, PersonRow.id == NotificationRow.member_id)
                .where(NotificationRow.change_id == change_id)
                .order_by(NotificationRow.id)
            )
        ).all()
        failed = [(reason or "", person_id, name) for status, reason, person_id, name in rows if status == FAILED]
        labels = await _labels(session, {name for _, _, name in failed})
    return Receipt(
        total=len(rows),
        delivered=sum(1 for row in rows if row[0] == SENT),
        pending=sum(1 for row in rows if row[0] == PENDING),
        failed=tuple((reason, labels.get(person_id, name)) for reason, person_id, name in failed),
    )


@dataclass(frozen=True)
class _Named:
    id: int


async def _labels(session: AsyncSession, names: set[str]) -> dict[int, str]:
    if not names:
        return {}
    wanted = {name.casefold() for name in names}
    everyone = await session.execute(select(PersonRow.id, PersonRow.name))  # namesakes: few people, one query
    pool = [(name, _Named(person_id)) for person_id, name in everyone if name.casefold() in wanted]
    return {item.id: label for label, item in labelled(pool)}


# -- figures for /metrics ------------------------------------------------------------


async def outbox_figures(sessions: async_sessionmaker[AsyncSession], now: datetime) -> dict[str, float]:
    """How many notifications are queued (pending, never failed), retrying (pending after
    an error), sent and failed; and the age in seconds of the oldest pending one (0 if none).
    One query; the counts are over the whole outbox."""
    retrying = (NotificationRow.status == PENDING) & NotificationRow.failure_reason.is_not(None)
    queued = (NotificationRow.status == PENDING) & NotificationRow.failure_reason.is_(None)
    row = await _one(
        sessions,
        select(
            func.count().filter(queued),
            func.count().filter(retrying),
            func.count().filter(NotificationRow.status == SENT),
            func.count().filter(NotificationRow.status == FAILED),
            func.min(NotificationRow.created_at).filter(NotificationRow.status == PENDING),
        ).select_from(NotificationRow),
    )
    oldest: datetime | None = row[4]  # MIN keeps the column's type: an aware UTC datetime
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return {"queued": row[0], "retrying": row[1], "sent": row[2], "failed": row[3], "oldest_pending_age": age}


async def _one(sessions: async_sessionmaker[AsyncSession], query: Any) -> Any:
    async with sessions() as session:
        return (await session.execute(query)).one()
