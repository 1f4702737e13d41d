"""Trainers' notices (SPEC §3.1): the substitute is told they now lead the session,
the replaced trainer who leads it instead, and a session's trainer when someone else
moves, re-rooms or cancels it. Nobody is told about their own change.

`plan_trainer_notices(before, after, actor, names)` is pure and knows nothing of how
the change came about, so overrides, cancellations and schedule edits share it.
A schedule edited from a date on or ended tells each trainer once, summing up
(`plan_schedule_notices`, `plan_end_notices`): its sessions run on without end, so
one message per session would be unbounded.
`one_per_person` then joins them with the members' notices of the same change: one
message per person per change (the outbox holds one row per person and change), so a
trainer who is also booked on the session hears about their booking in the trainer's
message, and the person who made the change hears nothing (they see the outcome).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.directory import Directory
from domain.notifications import TRAINER_KINDS, NotificationDraft, NotificationKind
from domain.occurrence import Occurrence
from domain.payloads import occurrence_payload
from domain.recurrence import original_starts, to_wall
from domain.roles import Person
from domain.schedule import Schedule

# What a trainer is told changed besides who leads; capacity does not concern them.
TOLD_FIELDS = ("time", "space")


def plan_trainer_notices(
    before: Occurrence, after: Occurrence, actor: Person, names: Directory
) -> tuple[NotificationDraft, ...]:
    """The trainers to tell about `before` becoming `after`, changed by `actor`: a
    substitution tells the new trainer and the old one (each hears of a move or new
    space in the same message); otherwise a move or new space tells the trainer; a
    cancellation tells the trainer, with the reason."""
    if before.cancelled:
        return ()
    base = _payload(before, after, actor, names)
    if after.cancelled:
        drafts = [_draft(before.trainer_id, NotificationKind.TRAINER_CANCELLED, base, names)]
    elif before.trainer_id != after.trainer_id:
        again = after.trainer_id == after.schedule.default_trainer_id  # reassigned back to the schedule's trainer
        drafts = [
            _draft(after.trainer_id, NotificationKind.TRAINER_SUBSTITUTE, {**base, "again": again}, names),
            _draft(before.trainer_id, NotificationKind.TRAINER_REPLACED, base, names),
        ]
    elif base["changes"]:
        drafts = [_draft(after.trainer_id, NotificationKind.TRAINER_CHANGED, base, names)]
    else:
        drafts = []
    return tuple(draft for draft in drafts if draft.member_id != actor.id)


def one_per_person(
    members: Iterable[NotificationDraft], trainers: Iterable[NotificationDraft], actor_id: int
) -> tuple[NotificationDraft, ...]:
    """Trainers' notices first (few, and they must act on them), then the members';
    a trainer's own booking goes into their trainer's notice; the actor gets none."""
    member_drafts = [draft for draft in members if draft.member_id != actor_id]
    trainer_drafts = [draft for draft in trainers if draft.member_id != actor_id]
    as_member = {draft.member_id: draft for draft in member_drafts}
    joined = [_with_booking(draft, as_member.get(draft.member_id)) for draft in trainer_drafts]
    told = {draft.member_id for draft in joined}
    return tuple(joined) + tuple(draft for draft in member_drafts if draft.member_id not in told)


def trainer_notices_of(drafts: Iterable[NotificationDraft]) -> list[NotificationDraft]:
    return [draft for draft in drafts if draft.kind in TRAINER_KINDS]


def member_notices_of(drafts: Iterable[NotificationDraft]) -> list[NotificationDraft]:
    return [draft for draft in drafts if draft.kind not in TRAINER_KINDS]


def _with_booking(draft: NotificationDraft, booking: NotificationDraft | None) -> NotificationDraft:
    if booking is None:
        return draft
    # The member's notice as it would have been, for the line about their booking.
    as_member = {"kind": booking.kind.value, **booking.payload}
    return NotificationDraft(draft.member_id, draft.kind, {**draft.payload, "as_member": as_member})


def _draft(person_id: int, kind: NotificationKind, base: dict[str, Any], names: Directory) -> NotificationDraft:
    return NotificationDraft(person_id, kind, {**base, "recipient": names.trainer_name(person_id)})


def _payload(before: Occurrence, after: Occurrence, actor: Person, names: Directory) -> dict[str, Any]:
    """Names as the directory shows them (`#id` for namesakes); times as ISO UTC."""
    changes = []
    if before.start != after.start:
        changes.append({"field": "time", "before": before.start.isoformat(), "after": after.start.isoformat()})
    if before.space_id != after.space_id:
        changes.append(
            {"field": "space", "before": names.space_name(before.space_id), "after": names.space_name(after.space_id)}
        )
    return {
        **occurrence_payload(after),
        "space": names.space_name(after.space_id),
        "trainer_before": names.trainer_name(before.trainer_id),
        "trainer_after": names.trainer_name(after.trainer_id),
        "by": _by(actor, names),
        "changes": changes,
        "reason": after.record.cancel_reason if after.cancelled else None,
        "booked": before.booked,  # none booked: the notice does not speak of members told
    }


# -- a schedule edited from a date on, or ended ----------------------------------------------

PROBE = timedelta(days=400)  # an era with no session this long after its start is told nothing
SCHEDULE_KINDS = (  # which one a trainer gets when the edit concerns them twice
    NotificationKind.TRAINER_SCHEDULE_LEAD,
    NotificationKind.TRAINER_SCHEDULE_REPLACED,
    NotificationKind.TRAINER_SCHEDULE_CHANGED,
)


@dataclass
class _Told:
    day: date
    changes: list[dict[str, Any]]
    others: list[int] = field(default_factory=list)  # whom they replace, or who replaces them


def plan_schedule_notices(
    before: Schedule, after: Schedule, boundary: datetime, zone: ZoneInfo, actor: Person, names: Directory
) -> tuple[NotificationDraft, ...]:
    """`before` edited into `after` from `boundary` on: era by era (each may have had
    its own trainer), a new default trainer is told they lead its sessions from its
    first day on, the one they replace who leads them instead, and otherwise a new
    time, space or duration tells the trainer. One message per trainer: of two, the
    first of SCHEDULE_KINDS, from the earliest day. Sessions with a trainer of their
    own keep them and are told by their session's notice (`plan_trainer_notices`)."""
    told: dict[tuple[int, NotificationKind], _Told] = {}
    for since, until, old in before.segments():
        if until is not None and until <= boundary:
            continue
        start = max(since or boundary, boundary)
        first = original_starts(after, zone, start, min(until or start + PROBE, start + PROBE))
        if not first:
            continue
        new = after.on(first[0])
        day, changes = to_wall(first[0], zone).date(), _schedule_changes(old, new, names)
        if old.default_trainer_id != new.default_trainer_id:
            _note(
                told,
                new.default_trainer_id,
                NotificationKind.TRAINER_SCHEDULE_LEAD,
                day,
                changes,
                old.default_trainer_id,
            )
            _note(
                told,
                old.default_trainer_id,
                NotificationKind.TRAINER_SCHEDULE_REPLACED,
                day,
                changes,
                new.default_trainer_id,
            )
        elif changes:
            _note(told, new.default_trainer_id, NotificationKind.TRAINER_SCHEDULE_CHANGED, day, changes)
    drafts = []
    for person in dict.fromkeys(person for person, _ in told):
        kind = next(kind for kind in SCHEDULE_KINDS if (person, kind) in told)
        entry = told[(person, kind)]
        payload = {
            "schedule_id": after.id,
            "title": after.title,
            "since": entry.day.isoformat(),
            "changes": entry.changes,
            "others": [names.trainer_name(other) for other in entry.others],
            "by": _by(actor, names),
        }
        drafts.append(_draft(person, kind, payload, names))
    return tuple(draft for draft in drafts if draft.member_id != actor.id)


def _note(
    told: dict[tuple[int, NotificationKind], _Told],
    person: int,
    kind: NotificationKind,
    day: date,
    changes: list[dict[str, Any]],
    other: int | None = None,
) -> None:
    entry = told.setdefault((person, kind), _Told(day, changes))
    if other is not None and other not in entry.others:
        entry.others.append(other)


def _schedule_changes(old: Schedule, new: Schedule, names: Directory) -> list[dict[str, Any]]:
    """What a trainer is told changed of the sessions they lead: wall-clock time,
    space, and duration in minutes (capacity and title do not concern them)."""
    changes: list[dict[str, Any]] = []
    if old.start_time != new.start_time:
        changes.append({"field": "time", "before": f"{old.start_time:%H:%M}", "after": f"{new.start_time:%H:%M}"})
    if old.default_space_id != new.default_space_id:
        changes.append(
            {
                "field": "space",
                "before": names.space_name(old.default_space_id),
                "after": names.space_name(new.default_space_id),
            }
        )
    if old.duration != new.duration:
        minutes = [int(d.total_seconds() // 60) for d in (old.duration, new.duration)]
        changes.append({"field": "duration", "before": minutes[0], "after": minutes[1]})
    return changes


def plan_end_notices(
    schedule: Schedule,
    last_day: date,
    cancelled: Iterable[Occurrence],
    held: Mapping[int, int],
    endless: frozenset[int],
    actor: Person,
    names: Directory,
) -> tuple[NotificationDraft, ...]:
    """`schedule` ends on `last_day`: each trainer of the sessions it cancels (the
    stored ones and those its rule would have made) told once, with how many — `None`
    for one in `endless` who would have led it on without end — from when, and how
    many of them members held (`held`, by trainer)."""
    mine: dict[int, list[Occurrence]] = {}
    for occurrence in sorted(cancelled, key=lambda o: o.start):
        mine.setdefault(occurrence.trainer_id, []).append(occurrence)
    drafts = [
        _draft(
            person,
            NotificationKind.TRAINER_SCHEDULE_ENDED,
            {
                "schedule_id": schedule.id,
                "title": schedule.title,
                "last_day": last_day.isoformat(),
                "first": sessions[0].start.isoformat(),
                "count": None if person in endless else len(sessions),
                "held": held.get(person, 0),
                "by": _by(actor, names),
            },
            names,
        )
        for person, sessions in mine.items()
        if person != actor.id
    ]
    return tuple(drafts)


def _by(actor: Person, names: Directory) -> str:
    return names.trainer_name(actor.id) if actor.id in names.trainers else actor.name
