"""The scan for due notices (issue 13): what is due at `now` is queued in the outbox and
recorded in the same transaction, once per key (domain/reminders/rules.py).

`send_due` is what runs periodically — in the bot process every `SCAN_INTERVAL`, and
in any other process that sends notifications (`Services.send_due_notices`). Each of
its three parts is one short transaction; two processes scanning at once queue every
notice once, because each part records its keys first (INSERT … ON CONFLICT DO
NOTHING, in key order) and queues only the ones it recorded itself. Each part first
takes its turn against changes that withdraw notices (`TimedNotices.lock_scan`,
domain/reminders/withdraw.py), so none of what it reads is made stale meanwhile.

Reading is bounded by windows on indexed columns, less what is recorded already (a
probe of the unique key): reminders read the bookings on sessions whose effective
start lies between the last scan and the longest lead ahead and whose lead has come
but is not recorded (what fell due while no scan ran is among them, and is sent
while the session is still ahead, else dropped); pass warnings read passes by their
expiry or their last session, unless warned; the trainer's day reads one day's
sessions, once a day. So a scan reads what fell due since the last one, and what is
skipped (switched off, no chat) is recorded too, not read again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.aggregate import occurrences_between
from domain.directory import Directory, load_directory
from domain.notifications import NotificationDraft, NotificationKind
from domain.occurrence import Occurrence
from domain.ports import UnitOfWork
from domain.recurrence import to_utc
from domain.reminders.policy import NoticePolicy
from domain.reminders.preferences import Preferences
from domain.reminders.rules import (
    Held,
    Mark,
    MarkKind,
    Outcome,
    PassState,
    pass_marks,
    reminder_marks,
    trainer_day_mark,
)
from domain.roles import Person, Role
from domain.studio import Studio

SCAN_INTERVAL = timedelta(seconds=30)
REMINDER_SCAN = "reminders"
FIRST_LOOKBACK = timedelta(days=1)  # the very first scan also drops what fell due this long ago
SCAN_MARGIN = timedelta(minutes=5)  # the window reaches this far before the last scan (clock skew)


@dataclass
class DueReport:
    """What one scan did: messages queued by kind, and keys recorded without a message."""

    queued: Counter[NotificationKind] = field(default_factory=Counter)
    unsent: Counter[Outcome] = field(default_factory=Counter)

    def add(self, other: DueReport) -> DueReport:
        self.queued.update(other.queued)
        self.unsent.update(other.unsent)
        return self


async def send_due(studio: Studio, policy: NoticePolicy) -> DueReport:
    """Queue every timed notice due now; record the ones no longer worth sending."""
    report = DueReport()
    if policy.leads:
        report.add(await studio.change(lambda uow: _reminders(uow, studio, policy)))
    report.add(await studio.change(lambda uow: _pass_warnings(uow, studio, policy)))
    if policy.trainer_day_at is not None:
        at = policy.trainer_day_at
        report.add(await studio.change(lambda uow: _trainer_day(uow, studio, at)))
    return report


# -- reminders -----------------------------------------------------------------------


async def _reminders(uow: UnitOfWork, studio: Studio, policy: NoticePolicy) -> DueReport:
    await uow.timed.lock_scan()  # a change withdrawing reminders waits, or is waited for
    now = studio.now()
    since = await uow.timed.scanned_until(REMINDER_SCAN) or now - FIRST_LOOKBACK
    held = await uow.timed.reminders_due(min(since - SCAN_MARGIN, now), now, policy.leads)
    wanted = await _reachable(uow, {h.member_id for h in held}, lambda p: p.reminders)
    done = await uow.timed.recorded(MarkKind.REMINDER, (h.booking_id for h in held))
    marks: list[tuple[Mark, Held]] = []
    for one in held:
        leads = {slot for subject, slot in done if subject == one.booking_id}
        wants = one.member_id in wanted
        marks += [(mark, one) for mark in reminder_marks(one, policy.leads, leads, now, wants)]
    report = await _record(uow, [mark for mark, _ in marks], now)
    queued = [(mark, one) for mark, one in marks if mark.key in report.mine and mark.outcome is Outcome.QUEUED]
    if queued:
        schedules = {s.id: s for s in await uow.schedules.all()}
        directory = await load_directory(uow)
        for mark, one in queued:
            occurrence = Occurrence.of(schedules[one.record.schedule_id], one.record)
            payload = reminder_payload(occurrence, directory, one.booking_id, mark.slot)
            await _queue(uow, mark, one.member_id, NotificationKind.REMINDER, payload, now)
    await uow.timed.mark_scanned(REMINDER_SCAN, now)
    return report.summary()


def reminder_payload(occurrence: Occurrence, directory: Directory, booking_id: int, lead: int) -> dict[str, Any]:
    schedule = occurrence.schedule
    return {
        "booking_id": booking_id,
        "lead_minutes": lead,
        "schedule_id": schedule.id,
        "original_start": occurrence.key.original_start.isoformat(),
        "title": occurrence.title,
        "start": occurrence.start.isoformat(),
        "space": directory.space_name(occurrence.space_id),
        "trainer": directory.trainer_name(occurrence.trainer_id),
        # Members cancel their own booking on an open schedule until its booking deadline.
        "closed": schedule.closed,
        "cancel_until": (occurrence.start - max(schedule.deadline(), timedelta(0))).isoformat(),
    }


# -- pass warnings -------------------------------------------------------------------


async def _pass_warnings(uow: UnitOfWork, studio: Studio, policy: NoticePolicy) -> DueReport:
    await uow.timed.lock_scan()
    now = studio.now()
    states = await uow.timed.passes_to_warn(now, now + timedelta(days=policy.pass_warning_days))
    wanted = await _reachable(uow, {s.pass_.member_id for s in states}, lambda _preferences: True)
    done: set[tuple[MarkKind, int]] = set()
    for kind in _PASS_KINDS:
        done |= {(kind, subject) for subject, _ in await uow.timed.recorded(kind, (s.pass_.id for s in states))}
    days = policy.pass_warning_days
    marks: list[tuple[Mark, PassState]] = [
        (mark, state)
        for state in states
        for mark in pass_marks(state, days, now, state.pass_.member_id in wanted)
        if (mark.kind, mark.subject_id) not in done
    ]
    report = await _record(uow, [mark for mark, _ in marks], now)
    for mark, state in marks:
        if mark.key in report.mine and mark.outcome is Outcome.QUEUED:
            await _queue(uow, mark, state.pass_.member_id, _PASS_KINDS[mark.kind], pass_payload(state), now)
    return report.summary()


_PASS_KINDS = {
    MarkKind.PASS_LAST_SESSION: NotificationKind.PASS_LAST_SESSION,
    MarkKind.PASS_EXPIRING: NotificationKind.PASS_EXPIRING,
}


def pass_payload(state: PassState) -> dict[str, Any]:
    return {
        "pass_id": state.pass_.id,
        "title": state.name,
        "sessions_left": state.pass_.sessions_left,
        "expires_at": state.pass_.expires_at.isoformat(),
    }


# -- the trainer's day -----------------------------------------------------------------


async def _trainer_day(uow: UnitOfWork, studio: Studio, at: time) -> DueReport:
    now = studio.now()
    today = now.astimezone(studio.zone).date()
    due_at = to_utc(datetime.combine(today, at), studio.zone)
    if now < due_at:
        return DueReport()
    await uow.timed.lock_scan()
    trainers = await uow.people.holding(Role.TRAINER)
    wanted = await _reachable(uow, {t.id for t in trainers if t.is_trainer}, lambda p: p.trainer_day)
    # The slot is the day: only today's records count.
    done = {subject for subject, _ in await uow.timed.recorded(MarkKind.TRAINER_DAY, wanted, today.toordinal())}
    pending = sorted(wanted - done)
    if not pending:
        return DueReport()
    sessions = await _day_sessions(uow, studio, today)
    marks = {
        trainer: trainer_day_mark(trainer, today, due_at, [o.start for o in sessions.get(trainer, [])], now)
        for trainer in pending
    }
    report = await _record(uow, list(marks.values()), now)
    if any(mark.key in report.mine and mark.outcome is Outcome.QUEUED for mark in marks.values()):
        directory = await load_directory(uow)
        for trainer, mark in marks.items():
            if mark.key in report.mine and mark.outcome is Outcome.QUEUED:
                payload = trainer_day_payload(today, sessions[trainer], directory)
                await _queue(uow, mark, trainer, NotificationKind.TRAINER_DAY, payload, now)
    return report.summary()


async def _day_sessions(uow: UnitOfWork, studio: Studio, day: date) -> dict[int, list[Occurrence]]:
    start = to_utc(datetime.combine(day, time()), studio.zone)
    end = to_utc(datetime.combine(day + timedelta(days=1), time()), studio.zone)
    by_trainer: dict[int, list[Occurrence]] = {}
    for occurrence in await occurrences_between(uow, studio.zone, start, end):
        if not occurrence.cancelled and occurrence.schedule.active:
            by_trainer.setdefault(occurrence.trainer_id, []).append(occurrence)
    return by_trainer


def trainer_day_payload(day: date, sessions: list[Occurrence], directory: Directory) -> dict[str, Any]:
    return {
        "title": day.isoformat(),
        "day": day.isoformat(),
        "sessions": [
            {
                "title": o.title,
                "start": o.start.isoformat(),
                "end": o.end.isoformat(),
                "space": directory.space_name(o.space_id),
                "booked": o.booked,
                "capacity": o.capacity,
            }
            for o in sessions
        ],
    }


# -- shared steps ------------------------------------------------------------------------


@dataclass
class _Recorded:
    marks: list[Mark]
    mine: set[tuple[str, int, int]]

    def summary(self) -> DueReport:
        report = DueReport()
        for mark in self.marks:
            if mark.key not in self.mine:
                continue
            if mark.outcome is Outcome.QUEUED:
                report.queued[_notification_kind(mark.kind)] += 1
            else:
                report.unsent[mark.outcome] += 1
        return report


def _notification_kind(kind: MarkKind) -> NotificationKind:
    return {
        MarkKind.REMINDER: NotificationKind.REMINDER,
        MarkKind.TRAINER_DAY: NotificationKind.TRAINER_DAY,
        **_PASS_KINDS,
    }[kind]


async def _record(uow: UnitOfWork, marks: list[Mark], now: datetime) -> _Recorded:
    """Record the marks; the ones recorded by this transaction are this scan's to queue."""
    return _Recorded(marks, await uow.timed.record(marks, now) if marks else set())


async def _queue(
    uow: UnitOfWork, mark: Mark, person_id: int, kind: NotificationKind, payload: dict[str, Any], now: datetime
) -> None:
    # Once: a session moved back to a time it was reminded of already is not reminded twice.
    await uow.outbox.add(mark.change_id, [NotificationDraft(person_id, kind, payload)], now, once=True)


async def _reachable(uow: UnitOfWork, person_ids: set[int], wants: Callable[[Preferences], bool]) -> set[int]:
    """The people with a linked chat, still active, who want this kind of notice."""
    people: dict[int, Person] = await uow.people.many(person_ids)
    preferences = await uow.person_settings.of(person_ids)
    return {
        person_id
        for person_id, person in people.items()
        if person.active and person.chat_id is not None and wants(preferences[person_id])
    }
