"""The tables (SPEC §1): studio, people and roles, spaces, schedules, occurrence rows,
pass templates, passes and their ledger, bookings, the waitlist, and the notification outbox.

Every instant is stored as naive UTC (see `UtcDateTime`), so SQLite and PostgreSQL
hold the same values and comparisons in SQL are plain comparisons.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PersonRow(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Telegram ids exceed 32 bits.
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RoleRow(Base):
    """One role held by a person; a person may hold several (a trainer who also trains)."""

    __tablename__ = "roles"
    __table_args__ = (
        UniqueConstraint("person_id", "role"),
        CheckConstraint("role IN ('owner', 'admin', 'trainer', 'member')", name="known_role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))


class SpaceRow(Base):
    __tablename__ = "spaces"
    __table_args__ = (CheckConstraint("max_capacity IS NULL OR max_capacity > 0", name="max_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    max_capacity: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)


class PassTemplateRow(Base):
    __tablename__ = "pass_templates"
    __table_args__ = (
        CheckConstraint("sessions IS NULL OR sessions > 0", name="sessions_positive"),
        CheckConstraint("validity_days > 0", name="validity_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sessions: Mapped[int | None]  # None: unlimited
    validity_days: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)


class ScheduleRow(Base):
    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("default_capacity > 0", name="capacity_positive"),
        CheckConstraint("NOT closed OR pass_template_id IS NOT NULL", name="closed_has_template"),
        CheckConstraint("NOT private OR default_capacity = 1", name="private_for_one"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # RFC 5545 RRULE without DTSTART, expanded in the studio's wall-clock time.
    rrule: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int]
    default_capacity: Mapped[int]
    default_space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id"))
    default_trainer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    closed: Mapped[bool] = mapped_column(default=False)
    pass_template_id: Mapped[int | None] = mapped_column(ForeignKey("pass_templates.id"))
    booking_deadline_minutes: Mapped[int | None]  # None: the studio's default
    active: Mapped[bool] = mapped_column(default=True)
    # Its values before edits from a date on (domain.schedule.ScheduleEra), oldest first,
    # each with the instant it stopped holding; NULL: never edited so. Kept in the row,
    # so every read of a schedule stays one row (a booking locks and reads it).
    eras: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # 1:1, booked by staff only; one member at a time.
    private: Mapped[bool] = mapped_column(default=False, server_default=false())


class PassTemplateScheduleRow(Base):
    """Which schedules a pass template covers."""

    __tablename__ = "pass_template_schedules"
    pass_template_id: Mapped[int] = mapped_column(ForeignKey("pass_templates.id", ondelete="CASCADE"), primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True)


class OccurrenceRow(Base):
    """An occurrence that carries an override, a cancellation or bookings.

    Keyed by (schedule, original start) — RFC 5545's RECURRENCE-ID — so an override
    keeps its identity when its time moves. `version` grows with every change to the
    occurrence or its bookings: a review is saved only against the version it saw.
    """

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("schedule_id", "original_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        Index("ix_occurrences_start", "start"),
        Index("ix_occurrences_original_start", "original_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id"))
    original_start: Mapped[datetime] = mapped_column(UtcDateTime())
    # Effective start (the original one unless rescheduled): lets a listing find
    # occurrences moved into its range by an index lookup.
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    capacity: Mapped[int | None]
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id"))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=0)


class PassRow(Base):
    __tablename__ = "passes"
    __table_args__ = (
        CheckConstraint("sessions_left IS NULL OR sessions_left >= 0", name="balance_not_negative"),
        Index("ix_passes_member", "member_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("pass_templates.id"))
    sessions_left: Mapped[int | None]  # None: unlimited; otherwise the ledger's sum
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    active: Mapped[bool] = mapped_column(default=True)


class BookingRow(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'cancelled')", name="known_status"),
        # A member holds at most one active booking on an occurrence.
        Index(
            "uq_bookings_active_member",
            "occurrence_id",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_bookings_member", "member_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    pass_id: Mapped[int] = mapped_column(ForeignKey("passes.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancelled_by: Mapped[str | None] = mapped_column(String(32))


class LedgerEntryRow(Base):
    """Every grant, use, refund and top-up of a pass. The unique (booking, kind) pair
    makes the database itself refuse a second use or a second refund of one booking."""

    __tablename__ = "pass_ledger"
    __table_args__ = (
        UniqueConstraint("booking_id", "kind"),
        CheckConstraint("kind IN ('grant', 'use', 'refund', 'topup')", name="known_kind"),
        CheckConstraint("kind IN ('grant', 'topup') OR booking_id IS NOT NULL", name="use_refund_has_booking"),
        Index("ix_pass_ledger_pass", "pass_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    pass_id: Mapped[int] = mapped_column(ForeignKey("passes.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    kind: Mapped[str] = mapped_column(String(16))
    delta: Mapped[int]
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class PassExtensionRow(Base):
    """A pass's expiry moved on because a session it paid for was cancelled (the
    studio's TRAINERY_PASS_EXTENSION_DAYS). One per refunded booking: the unique
    booking makes the database refuse a second extension for the same refund."""

    __tablename__ = "pass_extensions"
    __table_args__ = (CheckConstraint("days > 0", name="days_positive"), Index("ix_pass_extensions_pass", "pass_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    pass_id: Mapped[int] = mapped_column(ForeignKey("passes.id"))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    days: Mapped[int]
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class NotificationRow(Base):
    """The outbox: written in the same transaction as the change it reports."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("change_id", "member_id"),  # one message per member per change
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="known_status"),
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_member", "member_id"),  # a claim skips members another dispatcher holds
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[str] = mapped_column(String(36))
    member_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    failure_reason: Mapped[str | None] = mapped_column(Text)  # why it failed, or the last error while retried
    # The dispatcher's lease (storage/outbox.py): a row is sent only by the dispatcher
    # that claimed it, until `claimed_until`; a crashed dispatcher's lease runs out.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WaitlistRow(Base):
    """A member in line for a spot on a full occurrence (SPEC §1 waitlist). The place
    in line is (joined_at, id); joining deducts nothing, so no pass is held here. The
    row is deleted when the member leaves, is booked from the line, or the occurrence
    is cancelled."""

    __tablename__ = "waitlist"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "member_id"),  # in line once per occurrence
        Index("ix_waitlist_member", "member_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InviteRow(Base):
    """A deep-link invite. Only the token's SHA-256 is kept; `used_at` is set once,
    by a conditional update, so two redemptions of one token cannot both succeed."""

    __tablename__ = "invites"
    __table_args__ = (CheckConstraint("role IN ('owner', 'admin', 'trainer', 'member')", name="known_role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StoredSecretRow(Base):
    """Secrets the bot generates once and keeps with its data (the webhook's
    secret_token), so every process on this database uses the same one."""

    __tablename__ = "stored_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class SendBudgetRow(Base):
    """Telegram's overall limit shared by every dispatcher on a PostgreSQL database
    (storage/send_budget.py): one row, times in seconds since the epoch on the
    database's clock, so processes on different machines agree."""

    __tablename__ = "send_budget"
    id: Mapped[int] = mapped_column(primary_key=True)
    next_start: Mapped[float] = mapped_column(Float, default=0.0)  # the earliest next send of any dispatcher
    paused_until: Mapped[float] = mapped_column(Float, default=0.0)  # a 429's retry_after, for everyone
    replies_until: Mapped[float] = mapped_column(Float, default=0.0)  # the bot answers people until then
    extra: Mapped[float] = mapped_column(Float, default=0.0)  # seconds the 429s added to the cadence


class PersonSettingsRow(Base):
    """A person's own settings (/settings); no row: the defaults. `language` is their
    own choice (none: Telegram's, else the studio's); `telegram_language` the last
    language of ours Telegram sent for them, so a notification knows it too."""

    __tablename__ = "person_settings"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    reminders: Mapped[bool] = mapped_column(default=True)
    trainer_day: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(8))
    telegram_language: Mapped[str | None] = mapped_column(String(8))


class TimedNoticeRow(Base):
    """Each timed notice (domain/reminders) recorded once, with what became of it:
    the unique key is what keeps two scans — two processes, or one before and one
    after a restart — from queueing it twice."""

    __tablename__ = "timed_notices"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "slot"),
        CheckConstraint("outcome IN ('queued', 'dropped', 'superseded', 'skipped', 'free')", name="known_outcome"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(BigInteger)  # a booking, trainer or pass, by kind
    slot: Mapped[int]  # a reminder's lead in minutes, the trainer's day's ordinal, else 0
    outcome: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NoticeScanRow(Base):
    """How far a scan for due notices has looked: the next one also drops what fell
    due since then while no scan ran."""

    __tablename__ = "notice_scans"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    scanned_until: Mapped[datetime] = mapped_column(UtcDateTime())


# The pass warnings' window query (storage/repositories.py TimedNoticesRepository).
Index("ix_passes_expires_at", PassRow.expires_at)


class BotStateRow(Base):
    """The bot's per-person conversation state (an override draft, a cancel reason, the
    step a conversation is at), kept so a conversation survives a restart (SPEC §6.3).
    `data` is JSON the bot versions itself; `updated_at` is when it was last written."""

    __tablename__ = "bot_state"
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)  # "user", "conversation:<name>"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # a user id, a conversation key
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
