"""Trainers' notices (SPEC §3.1): the substitute is told they now lead the session,
the replaced trainer who leads it instead, and a session's trainer when someone else
moves, re-rooms or cancels it. Nobody is told about their own change.

`plan_trainer_notices(before, after, actor, names)` is pure and knows nothing of how
the change came about, so overrides, cancellations and schedule edits share it.
`one_per_person` then joins them with the members' notices of the same change: one
message per person per change (the outbox holds one row per person and change), so a
trainer who is also booked on the session hears about their booking in the trainer's
message, and the person who made the change hears nothing (they see the outcome).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.directory import Directory
from domain.notifications import TRAINER_KINDS, NotificationDraft, NotificationKind
from domain.occurrence import Occurrence
from domain.payloads import occurrence_payload
from domain.roles import Person

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
        "by": names.trainer_name(actor.id) if actor.id in names.trainers else actor.name,
        "changes": changes,
        "reason": after.record.cancel_reason if after.cancelled else None,
    }
