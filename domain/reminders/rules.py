"""When a timed notice is due, worked out from the data as it is at `now` (pure).

Every notice has a key — (kind, subject, slot) — recorded once with its outcome:

- a reminder: (booking, lead in minutes). It is due at the session's *effective*
  start minus the lead, read when the scan runs, so a moved session is reminded at
  its new time and a cancelled one (or a cancelled booking) never. A lead that had
  already begun when the member booked is skipped (a reminder right after booking
  tells nothing), as is every lead due while the member had reminders off or no
  linked chat. When several leads of one booking are due at one scan (the bot was
  down), only the shortest is sent and the others are recorded as superseded; when
  the session has started meanwhile, all are recorded as dropped.
- the trainer's day: (trainer, the day's ordinal), due at the studio's hour.
- pass warnings: (pass, 0) for "one session left" and for "expires soon"; skipped
  for a pass of a single session, one granted for less than the warning window, one
  without sessions left, or a member who cannot be reached.

What is skipped is recorded too, so a later scan does not read it again: each scan
reads only what fell due since (storage filters by the unique key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.occurrence import OccurrenceRecord
from domain.passes import Pass


class MarkKind(StrEnum):
    REMINDER = "reminder"  # subject: booking; slot: lead in minutes
    TRAINER_DAY = "trainer_day"  # subject: trainer; slot: the day's ordinal
    PASS_LAST_SESSION = "pass_last_session"  # subject: pass
    PASS_EXPIRING = "pass_expiring"  # subject: pass


class Outcome(StrEnum):
    QUEUED = "queued"  # its message went to the outbox
    DROPPED = "dropped"  # it fell due while no scan ran and is no use any more
    SUPERSEDED = "superseded"  # a shorter lead of the same booking was due at the same scan
    SKIPPED = "skipped"  # not for this person: switched off, no chat, booked inside the lead…
    FREE = "free"  # a trainer's day without sessions: nothing to send


@dataclass(frozen=True)
class Mark:
    kind: MarkKind
    subject_id: int
    slot: int
    outcome: Outcome = field(compare=False)
    due_at: datetime = field(compare=False)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.kind.value, self.subject_id, self.slot)

    @property
    def change_id(self) -> str:
        return notice_change_id(self.kind, self.subject_id, self.slot, self.due_at)


def notice_change_id(kind: MarkKind, subject_id: int, slot: int, due_at: datetime) -> str:
    """The outbox's change id of the notice a mark queued (at most 36 characters), so
    its message can be found again to withdraw it. A reminder's names its moment too
    (minutes since the epoch): a session moved is reminded again at a lead whose
    message went out for the old time, and that one is a message of its own."""
    if kind is MarkKind.REMINDER:
        return f"{kind.value}:{subject_id}:{slot}:{int(due_at.timestamp()) // 60}"[:36]
    return f"{kind.value}:{subject_id}:{slot}"[:36]


@dataclass(frozen=True)
class Held:
    """An active booking on a session that is not cancelled, as stored now."""

    booking_id: int
    member_id: int
    booked_at: datetime
    record: OccurrenceRecord


def minutes(lead: timedelta) -> int:
    return int(lead.total_seconds() // 60)


def reminder_marks(held: Held, leads: Iterable[timedelta], done: set[int], now: datetime, wanted: bool) -> list[Mark]:
    """The reminders of one booking to record at `now`; `done`: the leads (minutes)
    recorded before; `wanted`: the member wants reminders and can be reached."""
    start = held.record.start
    due = [lead for lead in leads if minutes(lead) not in done and start - lead <= now]
    useful = [lead for lead in due if wanted and held.booked_at <= start - lead]
    shortest = min(useful, default=None)
    marks = []
    for lead in due:
        if lead not in useful:
            outcome = Outcome.SKIPPED
        elif start <= now:
            outcome = Outcome.DROPPED
        else:
            outcome = Outcome.QUEUED if lead == shortest else Outcome.SUPERSEDED
        marks.append(Mark(MarkKind.REMINDER, held.booking_id, minutes(lead), outcome, start - lead))
    return marks


def released_by_move(recorded: Iterable[tuple[int, int]], start: datetime, now: datetime) -> set[tuple[int, int]]:
    """Of the reminders recorded (booking, lead in minutes) of a session that now starts
    at `start`, those whose moment at the new time is still ahead: forgotten, so the
    scan reminds at the new time. A lead already passed at the new time keeps its mark
    (sent for the old time, or skipped), unless its message was withdrawn unsent."""
    return {(booking, lead) for booking, lead in recorded if start - timedelta(minutes=lead) > now}


def pass_marks(state: PassState, warning_days: int, now: datetime, wanted: bool) -> list[Mark]:
    """The warnings due for one pass at `now`, queued or skipped (each recorded once
    per pass); `wanted`: the member can be reached. A course's pass is skipped: its
    sessions are its enrolment, booked when it was granted, not for /book."""
    pass_, template_sessions = state.pass_, state.template_sessions
    if not pass_.active or pass_.expires_at <= now:
        return []
    wanted = wanted and not state.course
    marks = []
    if pass_.sessions_left == 1:
        # A pass of one session has "one left" from the start: nothing worth saying.
        worth = wanted and template_sessions is not None and template_sessions > 1
        marks.append(Mark(MarkKind.PASS_LAST_SESSION, pass_.id, 0, _queued_if(worth), now))
    warn_from = pass_.expires_at - timedelta(days=warning_days)
    if warning_days > 0 and warn_from <= now:
        has_sessions = pass_.sessions_left is None or pass_.sessions_left > 0
        # A pass valid for less than the window would be warned about on the day it was granted.
        worth = wanted and has_sessions and pass_.granted_at <= warn_from
        marks.append(Mark(MarkKind.PASS_EXPIRING, pass_.id, 0, _queued_if(worth), warn_from))
    return marks


def _queued_if(worth: bool) -> Outcome:
    return Outcome.QUEUED if worth else Outcome.SKIPPED


def trainer_day_mark(trainer_id: int, day: date, due_at: datetime, starts: list[datetime], now: datetime) -> Mark:
    """The trainer's day, due at `due_at`: free without sessions, dropped once the last
    of them has started (the list is no use then), else queued."""
    if not starts:
        outcome = Outcome.FREE
    elif max(starts) <= now:
        outcome = Outcome.DROPPED
    else:
        outcome = Outcome.QUEUED
    return Mark(MarkKind.TRAINER_DAY, trainer_id, day.toordinal(), outcome, due_at)


@dataclass(frozen=True)
class PassState:
    """A pass a warning may concern, with its template's name and session count."""

    pass_: Pass
    name: str
    template_sessions: int | None
    course: bool = False  # a closed schedule's pass
