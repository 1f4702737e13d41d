"""Editing a schedule (SPEC §4): its values from a date on, its end, and the dates it
skips — each in one transaction with the refunds and notices of the sessions it
touches, every touched occurrence locked through the aggregate (roots first, then
the passes in one statement), and only by an admin.

From a date on: the schedule keeps its earlier values as eras (domain/schedule.py),
and an occurrence's defaults are those of its date's era, so sessions before the
date keep theirs. A stored occurrence's own overrides (capacity, space, trainer, a
time moved on its own) stay as they are; the fields it does not override follow the
new defaults. A new time moves the sessions from that date on: a stored occurrence
(bookings, a line, overrides, a cancellation) is moved to its new original start
with its bookings, as an override's reschedule keeps them. Only stored occurrences
are touched — the others are computed from the rule — so the work is bounded by the
sessions people hold, not by the years a rule runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.aggregate import SessionAggregate, lock_sessions, promote
from domain.cancellation import SKIP_REASON, CancelReview, with_extensions
from domain.directory import Directory, load_directory
from domain.errors import DomainError, OccurrenceCancelled, OccurrenceStarted
from domain.notifications import NotificationDraft
from domain.occurrence import Occurrence, OccurrenceKey, OccurrenceRecord
from domain.override import Change, changes_between, named_change_payload, notice_kind
from domain.passes import Pass, plan_extensions
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.recurrence import ended_rule, original_starts, to_utc, to_wall
from domain.reminders.withdraw import session_changed
from domain.roles import Person, Role
from domain.schedule import EDITABLE, Schedule, ScheduleEra
from domain.schedule_review import ScheduleWarning
from domain.sessions.cancel import carry_out, plan_on
from domain.setup.names import SetupError, clean_name, match, person_named
from domain.setup.schedules import TOO_MANY_FOR_SPACE, schedule_warnings_in
from domain.studio import Studio
from domain.trainer_notices import one_per_person, plan_end_notices, plan_schedule_notices, plan_trainer_notices
from domain.waitlist import Promotion, plan_promotions, promoted_notice
from domain.wording import N_

MAX_AHEAD = timedelta(days=3653)  # how far ahead a date may lie: ten years
MAX_CAPACITY = 10_000
HORIZON = timedelta(days=3 * 366)  # an ended schedule's trainers count its sessions this far ahead
CLASHING = {"start_time", "duration", "default_space_id", "default_trainer_id"}  # what can make a slot busy


@dataclass(frozen=True)
class ScheduleEdit:
    """The new values from a date on; `None` leaves a field as it is."""

    title: str | None = None
    start_time: time | None = None
    duration: timedelta | None = None
    capacity: int | None = None
    space: str | None = None
    trainer: str | None = None


@dataclass(frozen=True)
class SessionChange:
    """A booked session the edit changes, as its members see it."""

    before: Occurrence
    after: Occurrence
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class EditOutcome:
    before: Schedule  # its values on the edit's first day, before
    after: Schedule  # and after
    since: date
    sessions: tuple[SessionChange, ...]  # booked sessions ahead whose time, space or trainer changed
    notifications: tuple[NotificationDraft, ...]
    promoted: int  # members booked from a line into spots a higher capacity opened
    over_capacity: int  # sessions ahead keeping more bookings than their new capacity
    names: Directory


@dataclass(frozen=True)
class EndOutcome:
    schedule: Schedule
    last_day: date
    cancelled: tuple[CancelReview, ...]  # its sessions after the day that people held
    trainers: tuple[NotificationDraft, ...] = ()  # one each, of all their sessions after the day

    @property
    def refunded(self) -> int:
        return sum(len(review.cancelled_bookings) for review in self.cancelled)

    @property
    def told(self) -> int:
        return sum(len(review.notifications) for review in self.cancelled)


class ScheduleEditNeedsConfirmation(DomainError):
    """The edited schedule's sessions meet others (domain/schedule_review.py): saved
    only once the admin confirms. Nothing was changed."""

    message = N_("This change has warnings that need your confirmation.")

    def __init__(self, schedule: Schedule, warnings: list[ScheduleWarning], names: Directory) -> None:
        super().__init__()
        self.schedule, self.warnings, self.names = schedule, warnings, names


class CancellingNeedsConfirmation(DomainError):
    """Ending a schedule or skipping a date would cancel sessions that members hold
    (bookings or a waitlist): done only once the admin confirms, having seen which.
    Nothing was changed."""

    message = N_("This cancels sessions members hold; it needs your confirmation.")

    def __init__(
        self, schedule: Schedule, reviews: tuple[CancelReview, ...], trainers: tuple[NotificationDraft, ...] = ()
    ) -> None:
        super().__init__()
        self.schedule, self.reviews, self.trainers = schedule, reviews, trainers  # trainers: who will be told


def _confirm(
    schedule: Schedule, reviews: list[CancelReview], confirmed: bool, trainers: tuple[NotificationDraft, ...] = ()
) -> None:
    held = tuple(r for r in reviews if r.cancelled_bookings or r.waitlisted)
    if held and not confirmed:
        raise CancellingNeedsConfirmation(schedule, held, trainers)


# -- from a date on ---------------------------------------------------------------------------


async def edit_schedule(
    studio: Studio, actor_id: int, title: str, since: date, edit: ScheduleEdit, *, confirmed: bool = False
) -> EditOutcome:
    return await studio.change(
        lambda uow: edit_schedule_in(uow, studio, actor_id, title, since, edit, confirmed=confirmed)
    )


async def edit_schedule_in(
    uow: UnitOfWork, studio: Studio, actor_id: int, title: str, since: date, edit: ScheduleEdit, *, confirmed: bool
) -> EditOutcome:
    actor = require_admin(await uow.people.get(actor_id))
    schedule = await _locked(uow, title)
    _check_day(studio, since, N_("{day} is in the past; change it from today or a later date."))
    boundary = midnight(since, studio.zone)
    values = await _values(uow, schedule, edit)
    edited = apply_from(schedule, boundary, values, midnight(schedule.starts_on, studio.zone))
    _check_since(studio, schedule, edited, since)
    if edited == schedule:
        raise SetupError(
            N_("{title} has those values from {day} on already; nothing to change."), title=schedule.title, day=since
        )
    names = await load_directory(uow)
    _check_capacity(edited, boundary, names)
    if not confirmed and CLASHING & values.keys():
        warnings = await schedule_warnings_in(uow, studio, edited, boundary)
        if warnings:
            raise ScheduleEditNeedsConfirmation(edited, warnings, names)
    records = await uow.occurrences.of_schedule(schedule.id, boundary)
    sessions = await lock_sessions(uow, studio.zone, [record.key for record in records])
    growing = "default_capacity" in values
    in_line = {entry.member_id for s in sessions for entry in s.line} if growing else set()
    passes = await uow.passes.lock((), in_line)
    members = await uow.people.many(in_line)
    stored = await uow.schedules.update(edited)
    changed: list[SessionChange] = []
    drafts: list[NotificationDraft] = []
    promoted = over = 0
    for session in sessions:
        carried = await _carry_over(uow, studio, session, stored, names, passes, members, actor)
        passes = _after_promotions(passes, carried.promoted)
        promoted += len(carried.promoted)
        drafts += carried.notices
        changed += [carried.change] if carried.change is not None else []
        over += carried.over_capacity
    trainers = plan_schedule_notices(schedule, stored, boundary, studio.zone, actor, names)
    if trainers:  # one message per trainer for the whole edit: a change of its own
        await uow.outbox.add(str(uuid.uuid4()), trainers, studio.now())
    drafts = list(trainers) + drafts
    before_values, after_values = schedule.on(boundary), stored.on(boundary)
    return EditOutcome(before_values, after_values, since, tuple(changed), tuple(drafts), promoted, over, names)


@dataclass(frozen=True)
class _Carried:
    change: SessionChange | None = None  # when its booked members are told
    notices: tuple[NotificationDraft, ...] = ()
    promoted: tuple[Promotion, ...] = ()
    over_capacity: bool = False


async def _carry_over(
    uow: UnitOfWork,
    studio: Studio,
    session: SessionAggregate,
    edited: Schedule,
    names: Directory,
    passes: list[Pass],
    members: Mapping[int, Person],
    actor: Person,
) -> _Carried:
    """One stored occurrence of the edited dates: moved to its new original start when
    the time changed, its booked members told, spots a higher capacity opened given to
    its line; a trainer of its own (an override) told of a new time or space, since
    the schedule's notice speaks to its trainer. Its version grows when what people
    see of it changed."""
    before, now = session.occurrence, studio.now()
    record = before.record
    original = new_original_start(record.original_start, before.schedule, edited, studio.zone)
    moved = replace(
        record, original_start=original, start=original if record.start == record.original_start else record.start
    )
    after = Occurrence.of(edited, moved, before.booked)
    changes = changes_between(before, after) + _duration(before, after)
    if moved == record and not changes:
        return _Carried()
    assert record.id is not None
    saved = await uow.occurrences.save(moved)
    after = Occurrence.of(edited, saved, before.booked)
    if before.cancelled or before.start <= now:
        return _Carried()
    drafts: list[NotificationDraft] = []
    kind = notice_kind(changes)
    if kind is not None and session.bookings:
        payload = named_change_payload(after, changes, names.spaces, names.trainers)
        drafts += [NotificationDraft(b.member_id, kind, payload) for b in session.bookings]
    lifted = plan_promotions(after, len(session.bookings), session.line, members, passes, now)
    await promote(uow, record.id, lifted, now)
    await session_changed(uow, studio.zone, before, after, now)  # its reminders and trainer's day, anew
    drafts += [promoted_notice(promotion, after) for promotion in lifted]
    own = after.trainer_id != edited.on(after.key.original_start).default_trainer_id
    trainers = plan_trainer_notices(before, after, actor, names) if own else ()
    if trainers:  # one message per person of this session's change; a booked trainer hears of it in theirs
        drafts = list(one_per_person(drafts, trainers, actor.id))
    if drafts:  # one change a session: a member booked on two of them gets both notices
        await uow.outbox.add(str(uuid.uuid4()), drafts, now)
    shown = kind is not None and bool(session.bookings)
    return _Carried(
        SessionChange(before, after, changes) if shown else None,
        tuple(drafts),
        lifted,
        after.capacity < len(session.bookings),
    )


def _duration(before: Occurrence, after: Occurrence) -> tuple[Change, ...]:
    """A new duration, in minutes, as members are told of it (an override keeps it)."""
    old, new = (int(o.schedule.duration.total_seconds() // 60) for o in (before, after))
    return (Change("duration", old, new),) if old != new else ()


def _after_promotions(passes: list[Pass], lifted: tuple[Promotion, ...]) -> list[Pass]:
    """The passes as the next session's promotions find them: each use deducted."""
    used: dict[int, int] = {}
    for promotion in lifted:
        used[promotion.pass_.id] = used.get(promotion.pass_.id, 0) + 1
    return [
        replace(p, sessions_left=p.sessions_left - used[p.id]) if p.id in used and p.sessions_left is not None else p
        for p in passes
    ]


def apply_from(schedule: Schedule, boundary: datetime, values: Mapping[str, Any], first: datetime) -> Schedule:
    """`schedule` with `values` for every occurrence from `boundary` on, the earlier
    eras kept (an era before `first`, the first day, holds no session and goes)."""
    parts: list[tuple[datetime | None, Schedule]] = []  # (until, the values then)
    for since, until, flat in schedule.segments():
        if until is not None and until <= boundary:
            parts.append((until, flat))
        elif since is not None and since >= boundary:
            parts.append((until, replace(flat, **values)))
        else:
            parts += [(boundary, flat), (until, replace(flat, **values))]
    merged: list[tuple[datetime | None, Schedule]] = []
    for until, flat in parts:
        if until is not None and until <= first:
            continue
        if merged and all(getattr(merged[-1][1], n) == getattr(flat, n) for n in EDITABLE):
            merged[-1] = (until, flat)
        else:
            merged.append((until, flat))
    *earlier, (_, current) = merged
    eras = tuple(
        ScheduleEra(until, **{name: getattr(flat, name) for name in EDITABLE}) for until, flat in earlier if until
    )
    return replace(current, eras=eras)


def new_original_start(original: datetime, old: Schedule, new: Schedule, zone: ZoneInfo) -> datetime:
    """Where an occurrence of one day starts under the new values: the same day at the
    new time (in wall-clock time, so 18:00 stays 18:00 across a clock change)."""
    day = to_wall(original, zone).date()
    first = midnight(day, zone)
    old_time, new_time = old.on(first).start_time, new.on(first).start_time
    return original if old_time == new_time else to_utc(datetime.combine(day, new_time), zone)


async def _values(uow: UnitOfWork, schedule: Schedule, edit: ScheduleEdit) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if edit.title is not None:
        title = clean_name(edit.title, "schedule")
        taken = [s.title for s in await uow.schedules.all() if s.id != schedule.id]
        if title.casefold() in {t.casefold() for t in taken}:
            raise SetupError(N_("A schedule called “{title}” exists already; pick another title."), title=title)
        values["title"] = title
    if edit.start_time is not None:
        values["start_time"] = edit.start_time
    if edit.duration is not None:
        if edit.duration <= timedelta(0) or edit.duration > timedelta(hours=24):
            raise SetupError(N_("The duration is minutes between 1 and 1440, e.g. 60."))
        values["duration"] = edit.duration
    if edit.capacity is not None:
        if not 0 < edit.capacity <= MAX_CAPACITY:
            raise SetupError(N_("The capacity is a whole number from 1 to {most}, e.g. 12."), most=MAX_CAPACITY)
        if schedule.private and edit.capacity != 1:
            raise SetupError(N_("{title} is private, for one member: its capacity stays 1."), title=schedule.title)
        values["default_capacity"] = edit.capacity
    if edit.space is not None:
        values["default_space_id"] = match(
            edit.space, [(s.name, s) for s in await uow.spaces.all() if s.active], "space"
        ).id
    if edit.trainer is not None:
        values["default_trainer_id"] = (await person_named(uow, edit.trainer, Role.TRAINER)).id
    if not values:
        raise SetupError(N_("Say what changes, e.g. “time 19:00” or “trainer Sue”."))
    return values


def _check_since(studio: Studio, schedule: Schedule, edited: Schedule, since: date) -> None:
    """Sessions that started keep what they were: the first day is today or later, and
    none of its sessions, as they were or would be, has started."""
    start, now = midnight(since, studio.zone), studio.now()
    if original_starts(schedule, studio.zone, start, now) or original_starts(edited, studio.zone, start, now):
        raise SetupError(
            N_("A session of {title} on {day} has started or would start in the past; change it from {next_day} on."),
            title=schedule.title,
            day=since,
            next_day=since + timedelta(days=1),
        )


def _check_capacity(schedule: Schedule, boundary: datetime, names: Directory) -> None:
    for _, until, values in schedule.segments():
        space = names.spaces.get(values.default_space_id)
        if (until is None or until > boundary) and space and space.max_capacity is not None:
            if values.default_capacity > space.max_capacity:
                raise SetupError(
                    TOO_MANY_FOR_SPACE, space=space.name, most=space.max_capacity, capacity=values.default_capacity
                )


# -- ending it ---------------------------------------------------------------------------------


async def end_schedule(
    studio: Studio, actor_id: int, title: str, last_day: date, *, confirmed: bool = False
) -> EndOutcome:
    return await studio.change(lambda uow: end_schedule_in(uow, studio, actor_id, title, last_day, confirmed=confirmed))


async def end_schedule_in(
    uow: UnitOfWork, studio: Studio, actor_id: int, title: str, last_day: date, *, confirmed: bool = False
) -> EndOutcome:
    """No session after `last_day`: the rule ends then, and its stored sessions after it
    are cancelled — bookings refunded (passes extended where the studio says so), lines
    cleared, everyone told. Unless `confirmed`, sessions members hold raise
    CancellingNeedsConfirmation first."""
    actor = require_admin(await uow.people.get(actor_id))
    schedule = await _locked(uow, title)
    _check_day(studio, last_day, N_("{day} is in the past; end it today or on a later date."))
    boundary = midnight(last_day + timedelta(days=1), studio.zone)
    stored = await uow.occurrences.of_schedule(schedule.id, boundary)
    records = [r for r in stored if r.cancelled_at is None]
    ahead = original_starts(schedule, studio.zone, boundary, boundary + HORIZON)
    if not ahead and not records:
        raise SetupError(
            N_("{title} has no session after {day} already; nothing to end."), title=schedule.title, day=last_day
        )
    now = studio.now()
    sessions = [s for s in await lock_sessions(uow, studio.zone, [r.key for r in records]) if s.occurrence.start > now]
    passes = await uow.passes.lock({b.pass_id for s in sessions for b in s.bookings})
    reason = f"{schedule.title} ends on {last_day:%a %d %b %Y}."
    reviews = [plan_on(studio, s, passes, reason, extensions=()) for s in sessions]
    trainers = _end_notices(
        studio, schedule, last_day, boundary, ahead, stored, reviews, actor, await load_directory(uow)
    )
    _confirm(schedule, reviews, confirmed, trainers)
    refunded = [b for review in reviews for b in review.cancelled_bookings]
    extensions = plan_extensions(refunded, passes, studio.pass_extension_days, now)
    cancelled = [await carry_out(uow, studio, with_extensions(review, extensions)) for review in reviews]
    if trainers:  # one message per trainer for all their sessions after the day
        await uow.outbox.add(str(uuid.uuid4()), trainers, now)
    if ahead:  # a rule that ended before keeps its end
        schedule = await uow.schedules.update(replace(schedule, rrule=ended_rule(schedule.rrule, last_day)))
    return EndOutcome(schedule, last_day, tuple(cancelled), trainers)


def _end_notices(
    studio: Studio,
    schedule: Schedule,
    last_day: date,
    boundary: datetime,
    ahead: list[datetime],
    stored: list[OccurrenceRecord],
    reviews: list[CancelReview],
    actor: Person,
    names: Directory,
) -> tuple[NotificationDraft, ...]:
    """The trainers' notices of an end: the sessions it takes from them are the
    stored ones it cancels and those its rule would have made (as their era had
    them), counted up to HORIZON; the last era's trainer would have led on without end
    when the rule runs past it. Sessions cancelled before are no one's any more."""
    kept = {r.original_start for r in stored}
    computed = [Occurrence.of(schedule, OccurrenceRecord.blank(OccurrenceKey(schedule.id, s))) for s in ahead]
    gone = [o for o in computed if o.key.original_start not in kept] + [r.occurrence for r in reviews]
    held: dict[int, int] = {}
    for review in reviews:
        if review.cancelled_bookings or review.waitlisted:
            held[review.occurrence.trainer_id] = held.get(review.occurrence.trainer_id, 0) + 1
    later = boundary + HORIZON
    runs_on = bool(original_starts(schedule, studio.zone, later, later + timedelta(days=366)))
    endless = frozenset({schedule.on(later).default_trainer_id} if runs_on else ())
    return plan_end_notices(schedule, last_day, gone, held, endless, actor, names)


# -- skipping a date -----------------------------------------------------------------------


async def skip_date(
    studio: Studio, actor_id: int, title: str, day: date, reason: str | None = None, *, confirmed: bool = False
) -> CancelReview:
    return await studio.change(lambda uow: skip_date_in(uow, studio, actor_id, title, day, reason, confirmed=confirmed))


async def skip_date_in(
    uow: UnitOfWork,
    studio: Studio,
    actor_id: int,
    title: str,
    day: date,
    reason: str | None,
    *,
    confirmed: bool = False,
) -> CancelReview:
    """The schedule's session of `day` cancelled, with the reason (or SKIP_REASON): its
    bookings refunded once, its line cleared, everyone told; shown as cancelled. Unless
    `confirmed`, a session members hold raises CancellingNeedsConfirmation first."""
    actor = require_admin(await uow.people.get(actor_id))
    schedule = await _locked(uow, title)
    _check_day(studio, day, N_("{day} is in the past; skip today or a later date."))
    start, end = midnight(day, studio.zone), midnight(day + timedelta(days=1), studio.zone)
    keys = [OccurrenceKey(schedule.id, s) for s in original_starts(schedule, studio.zone, start, end)]
    keys += [r.key for r in await uow.occurrences.of_schedule(schedule.id, start) if r.original_start < end]
    if not keys:
        raise SetupError(N_("{title} has no session on {day:%a %d %b %Y}."), title=schedule.title, day=day)
    [session] = await lock_sessions(uow, studio.zone, [min(keys)])
    if session.occurrence.cancelled:
        raise OccurrenceCancelled(
            N_("{title} on {day:%a %d %b %Y} is cancelled already; nothing changed, nobody refunded twice."),
            title=schedule.title,
            day=day,
        )
    if session.occurrence.start <= studio.now():
        raise OccurrenceStarted(
            N_("{title} on {day:%a %d %b %Y} has started; it can no longer be skipped."), title=schedule.title, day=day
        )
    passes = await uow.passes.lock({b.pass_id for b in session.bookings})
    review = plan_on(studio, session, passes, reason or SKIP_REASON, actor=actor, names=await load_directory(uow))
    _confirm(schedule, [review], confirmed)
    return await carry_out(uow, studio, review)


# -- shared ------------------------------------------------------------------------------------


def _check_day(studio: Studio, day: date, past: str) -> None:
    """Sessions that happened stay as they were (`past`: the refusal of a day before
    today, `{day}` its placeholder); a date years away is a typo."""
    if day < studio.today():
        raise SetupError(past, day=day)
    if day > studio.today() + MAX_AHEAD:
        raise SetupError(N_("{day} is more than ten years ahead; pick a nearer date."), day=day)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return to_utc(datetime.combine(day, time()), zone)


async def _locked(uow: UnitOfWork, title: str) -> Schedule:
    """The schedule of that title (a unique beginning is enough), locked: two edits
    of one schedule run one after the other."""
    found = match(title, [(s.title, s) for s in await uow.schedules.all()], "schedule")
    schedule = await uow.schedules.lock(found.id)
    assert schedule is not None
    return schedule
