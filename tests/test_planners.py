"""The pure planners of the domain, without a database or a unit of work: what an
override, a cancellation, a listing and a freed spot imply (SPEC §2.1–2.3, §3).

Each test builds the domain's plain objects by hand and asserts on the plan, so a
broken rule fails here in milliseconds, before the integration tests run."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from domain.booking import Booking, BookingStatus, WaitlistEntry
from domain.cancellation import MAX_REASON_LENGTH, plan_cancel
from domain.errors import (
    CapacityAboveSpaceMaximum,
    ClosedScheduleKeepsBookings,
    DomainError,
    InvalidCapacity,
    InvalidReason,
    NothingToChange,
    OccurrenceCancelled,
    OccurrenceStarted,
    TimeCollision,
    TimeInPast,
    UnknownSpace,
    UnknownTrainer,
)
from domain.listing import DateRange, led_by, merge_occurrences
from domain.notifications import NotificationKind
from domain.occurrence import Occurrence, OccurrenceKey, OccurrenceRecord
from domain.override import (
    Change,
    OverrideContext,
    OverrideRequest,
    OverrideReview,
    OverrideWarning,
    WarningKind,
    confirmed_all,
    plan_override,
)
from domain.passes import Pass
from domain.roles import Person, Role
from domain.schedule import Schedule, Space
from domain.waitlist import deadline_passed, plan_promotions, promotes
from tests.fake_uow import BERLIN, NOW, berlin

STUDIO_A = Space(1, "Studio A")
STUDIO_B = Space(2, "Studio B", max_capacity=8)
GARAGE = Space(3, "Old garage", active=False)
SPACES = {s.id: s for s in (STUDIO_A, STUDIO_B, GARAGE)}

TOM = Person(10, "Tom Trainer", frozenset({Role.TRAINER}))
SUE = Person(11, "Sue Substitute", frozenset({Role.TRAINER, Role.MEMBER}))
GONE = Person(12, "Gus Gone", frozenset({Role.TRAINER}), active=False)
TRAINERS = {p.id: p for p in (TOM, SUE, GONE)}
MEMBERS = [Person(20 + n, f"Member {n}", frozenset({Role.MEMBER})) for n in range(5)]
BY_ID = {p.id: p for p in MEMBERS}

YOGA = Schedule(
    1, "Yoga", "FREQ=WEEKLY;BYDAY=TU,TH", date(2025, 1, 7), time(18), timedelta(hours=1), 10, STUDIO_A.id, TOM.id
)
COURSE = Schedule(
    2,
    "Back course",
    "FREQ=WEEKLY;BYDAY=WE;COUNT=20",
    date(2026, 11, 4),
    time(10),
    timedelta(minutes=90),
    6,
    STUDIO_B.id,
    TOM.id,
    closed=True,
    pass_template_id=7,
)
PILATES = Schedule(
    3, "Pilates", "FREQ=WEEKLY;BYDAY=TH", date(2026, 1, 1), time(18), timedelta(hours=1), 8, STUDIO_A.id, SUE.id
)

TUESDAY_18 = berlin(2026, 12, 1, 18)
WEDNESDAY_10 = berlin(2026, 12, 2, 10)
THURSDAY_18 = berlin(2026, 12, 3, 18)


def occurrence(
    schedule: Schedule,
    original: datetime,
    *,
    record_id: int | None = 1,
    start: datetime | None = None,
    capacity: int | None = None,
    space_id: int | None = None,
    trainer_id: int | None = None,
    cancelled: bool = False,
    booked: int = 0,
) -> Occurrence:
    record = OccurrenceRecord(
        schedule.id,
        original,
        start or original,
        capacity,
        space_id,
        trainer_id,
        cancelled_at=NOW - timedelta(hours=1) if cancelled else None,
        cancel_reason="Flooded" if cancelled else None,
        version=3,
        id=record_id,
    )
    return Occurrence.of(schedule, record, booked)


def bookings(of: Occurrence, members: list[Person], balance: int | None = 9) -> tuple[Booking, ...]:
    assert of.record.id is not None
    return tuple(
        Booking(100 + n, of.record.id, member.id, 200 + n, BookingStatus.ACTIVE, NOW - timedelta(days=1), balance)
        for n, member in enumerate(members)
    )


def context(of: Occurrence, booked: tuple[Booking, ...] = (), nearby: tuple[Occurrence, ...] = ()) -> OverrideContext:
    return OverrideContext(of, booked, SPACES, TRAINERS, nearby, NOW)


def yoga_tuesday(booked: int = 3) -> tuple[Occurrence, tuple[Booking, ...]]:
    tuesday = occurrence(YOGA, TUESDAY_18, booked=booked)
    return tuesday, bookings(tuesday, MEMBERS[:booked])


def kinds(review: OverrideReview) -> list[NotificationKind]:
    return [draft.kind for draft in review.notifications]


# -- plan_override: who is told what --------------------------------------------------


def test_a_time_change_with_a_trainer_change_is_rescheduled_never_also_updated() -> None:
    tuesday, booked = yoga_tuesday()
    review = plan_override(context(tuesday, booked), OverrideRequest(start=berlin(2026, 12, 1, 19), trainer_id=SUE.id))
    assert review.changed("time") and review.changed("trainer")
    assert kinds(review) == [NotificationKind.RESCHEDULED] * 3
    assert [d.member_id for d in review.notifications] == [m.id for m in MEMBERS[:3]]
    changes = review.notifications[0].payload["changes"]
    assert [c["field"] for c in changes] == ["time", "trainer"]
    assert (changes[1]["before"], changes[1]["after"]) == ("Tom Trainer", "Sue Substitute")


@pytest.mark.parametrize(
    ("request_", "field"),
    [(OverrideRequest(trainer_id=SUE.id), "trainer"), (OverrideRequest(space_id=STUDIO_B.id, capacity=8), "space")],
)
def test_a_trainer_or_space_change_at_the_same_time_is_updated(request_: OverrideRequest, field: str) -> None:
    tuesday, booked = yoga_tuesday()
    review = plan_override(context(tuesday, booked), request_)
    assert review.changed(field) and not review.changed("time")
    assert kinds(review) == [NotificationKind.UPDATED] * 3


def test_capacity_alone_notifies_nobody() -> None:
    tuesday, booked = yoga_tuesday()
    review = plan_override(context(tuesday, booked), OverrideRequest(capacity=12))
    assert review.changes == (Change("capacity", 10, 12),)
    assert review.notifications == () and review.cancelled_bookings == ()


def test_cancelling_bookings_tells_each_member_once_with_the_refund_instead_of_the_change() -> None:
    tuesday, booked = yoga_tuesday()
    review = plan_override(
        context(tuesday, booked), OverrideRequest(start=berlin(2026, 12, 1, 19), cancel_bookings=True)
    )
    assert review.cancelled_bookings == booked and review.refunded_passes == 3
    assert kinds(review) == [NotificationKind.BOOKING_CANCELLED] * 3  # not RESCHEDULED as well
    assert review.notifications[0].payload["refund"] == {"pass_id": 200, "sessions_left": 10}
    assert review.notifications[0].payload["rebook"] is True


# -- plan_override: the checks -----------------------------------------------------------


def test_cancelling_bookings_on_a_closed_schedule_is_refused() -> None:
    course = occurrence(COURSE, WEDNESDAY_10, booked=2)
    booked = bookings(course, MEMBERS[:2])
    with pytest.raises(ClosedScheduleKeepsBookings):
        plan_override(context(course, booked), OverrideRequest(trainer_id=SUE.id, cancel_bookings=True))
    kept = plan_override(context(course, booked), OverrideRequest(trainer_id=SUE.id))  # the change alone is fine
    assert kept.cancelled_bookings == () and kinds(kept) == [NotificationKind.UPDATED] * 2


@pytest.mark.parametrize("capacity", [None, 9])
def test_a_capacity_above_the_space_maximum_is_refused(capacity: int | None) -> None:
    tuesday, booked = yoga_tuesday()
    with pytest.raises(CapacityAboveSpaceMaximum, match="Studio B holds at most 8"):
        plan_override(context(tuesday, booked), OverrideRequest(space_id=STUDIO_B.id, capacity=capacity))


def test_a_capacity_at_the_space_maximum_fits() -> None:
    tuesday, booked = yoga_tuesday()
    review = plan_override(context(tuesday, booked), OverrideRequest(space_id=STUDIO_B.id, capacity=8))
    assert (review.after.space_id, review.after.capacity) == (STUDIO_B.id, 8)


def test_a_capacity_below_the_bookings_is_a_warning_and_keeps_them() -> None:
    tuesday, booked = yoga_tuesday()
    review = plan_override(context(tuesday, booked), OverrideRequest(capacity=2))
    assert review.warnings == (OverrideWarning(WarningKind.CAPACITY_BELOW_BOOKINGS),)
    assert review.after.capacity == 2 and review.cancelled_bookings == ()
    cleared = plan_override(context(tuesday, booked), OverrideRequest(capacity=2, cancel_bookings=True))
    assert cleared.warnings == ()  # nothing kept, nothing above capacity


def test_a_time_colliding_with_another_session_of_the_same_schedule_is_refused() -> None:
    tuesday, booked = yoga_tuesday()
    thursday = occurrence(YOGA, THURSDAY_18, record_id=2)
    request = OverrideRequest(start=berlin(2026, 12, 3, 17, 30))  # 17:30–18:30 overlaps Thursday's 18:00
    with pytest.raises(TimeCollision, match="another session of Yoga"):
        plan_override(context(tuesday, booked, nearby=(thursday,)), request)
    freed = occurrence(YOGA, THURSDAY_18, record_id=2, cancelled=True)  # a cancelled session frees its slot
    assert plan_override(context(tuesday, booked, nearby=(freed,)), request).after.start == request.start


def test_the_session_itself_is_no_collision_and_another_schedule_only_a_warning() -> None:
    tuesday, booked = yoga_tuesday()
    half_hour_later = OverrideRequest(start=berlin(2026, 12, 1, 18, 30))
    assert plan_override(context(tuesday, booked, nearby=(tuesday,)), half_hour_later).warnings == ()
    pilates = occurrence(PILATES, THURSDAY_18, record_id=2)  # Studio A, led by Sue
    review = plan_override(context(tuesday, booked, nearby=(pilates,)), OverrideRequest(start=THURSDAY_18))
    assert [w.signature for w in review.warnings] == [(WarningKind.SPACE_BUSY, pilates.key)]


@pytest.mark.parametrize(
    "request_",
    [
        OverrideRequest(),
        OverrideRequest(capacity=10),
        OverrideRequest(start=TUESDAY_18, space_id=STUDIO_A.id, trainer_id=TOM.id),
    ],
)
def test_a_change_that_changes_nothing_is_refused(request_: OverrideRequest) -> None:
    tuesday, booked = yoga_tuesday()
    with pytest.raises(NothingToChange):
        plan_override(context(tuesday, booked), request_)


def test_cancelling_bookings_alone_is_a_change_only_when_there_are_bookings() -> None:
    tuesday, booked = yoga_tuesday()
    assert plan_override(context(tuesday, booked), OverrideRequest(cancel_bookings=True)).cancelled_bookings == booked
    empty, _ = yoga_tuesday(booked=0)
    with pytest.raises(NothingToChange):
        plan_override(context(empty), OverrideRequest(cancel_bookings=True))


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (OverrideRequest(capacity=0), InvalidCapacity),
        (OverrideRequest(capacity=True), InvalidCapacity),
        (OverrideRequest(space_id=GARAGE.id), UnknownSpace),
        (OverrideRequest(space_id=99), UnknownSpace),
        (OverrideRequest(trainer_id=GONE.id), UnknownTrainer),
        (OverrideRequest(trainer_id=MEMBERS[0].id), UnknownTrainer),
        (OverrideRequest(start=NOW), TimeInPast),
    ],
)
def test_each_bad_value_is_refused_with_its_own_error(request_: OverrideRequest, error: type[DomainError]) -> None:
    tuesday, booked = yoga_tuesday()
    with pytest.raises(error):
        plan_override(context(tuesday, booked), request_)


def test_a_started_or_cancelled_session_cannot_be_overridden() -> None:
    started = occurrence(YOGA, berlin(2026, 11, 30, 7, 30))
    with pytest.raises(OccurrenceStarted):
        plan_override(context(started), OverrideRequest(capacity=12))
    with pytest.raises(OccurrenceCancelled):
        plan_override(context(occurrence(YOGA, TUESDAY_18, cancelled=True)), OverrideRequest(capacity=12))


# -- OverrideWarning.signature and confirmed_all ------------------------------------------


def test_a_warning_signature_is_its_kind_and_the_session_in_the_way() -> None:
    pilates = occurrence(PILATES, THURSDAY_18, record_id=2)
    assert OverrideWarning(WarningKind.SPACE_BUSY, pilates).signature == (WarningKind.SPACE_BUSY, pilates.key)
    assert OverrideWarning(WarningKind.CAPACITY_BELOW_BOOKINGS).signature == (WarningKind.CAPACITY_BELOW_BOOKINGS, None)
    # The same session with more bookings since the review is still the one confirmed.
    busier = OverrideWarning(WarningKind.SPACE_BUSY, replace(pilates, booked=5))
    assert busier.signature == OverrideWarning(WarningKind.SPACE_BUSY, pilates).signature


def test_confirmed_all_needs_every_warning_among_those_confirmed() -> None:
    pilates = occurrence(PILATES, THURSDAY_18, record_id=2)
    other = occurrence(PILATES, berlin(2026, 12, 10, 18), record_id=3)
    space = OverrideWarning(WarningKind.SPACE_BUSY, pilates)
    trainer = OverrideWarning(WarningKind.TRAINER_BUSY, pilates)
    below = OverrideWarning(WarningKind.CAPACITY_BELOW_BOOKINGS)
    assert confirmed_all([space], [space])
    assert confirmed_all([space], [below, space, trainer])  # more confirmed than needed is fine
    assert confirmed_all([space], (w for w in [space]))  # any iterable
    assert not confirmed_all([space, trainer], [space])
    assert not confirmed_all([space], [trainer])  # the same session, another kind
    assert not confirmed_all([OverrideWarning(WarningKind.SPACE_BUSY, other)], [space])  # another session in the way
    assert not confirmed_all([below], [])
    assert not confirmed_all([below], False)
    assert confirmed_all([below, space], True)
    assert confirmed_all([], False) and confirmed_all([], [])


# -- plan_cancel -------------------------------------------------------------------------


def line(of: Occurrence, members: list[Person]) -> tuple[WaitlistEntry, ...]:
    assert of.record.id is not None
    return tuple(
        WaitlistEntry(300 + n, of.record.id, m.id, NOW - timedelta(hours=10 - n)) for n, m in enumerate(members)
    )


def test_cancelling_tells_the_booked_with_their_refund_and_the_line_that_nothing_was_deducted() -> None:
    tuesday, booked = yoga_tuesday(booked=2)
    waiting = line(tuesday, MEMBERS[2:4])
    review = plan_cancel(tuesday, booked, waiting, "  Flooded\n floor ", NOW)
    assert review.reason == "Flooded floor" and not review.already_cancelled
    assert review.cancelled_bookings == booked and review.waitlisted == waiting
    assert [(d.member_id, d.kind) for d in review.notifications] == [
        (m.id, NotificationKind.CANCELLED) for m in MEMBERS[:4]
    ]
    told_booked, told_waiting = review.notifications[0].payload, review.notifications[2].payload
    assert told_booked["refund"] == {"pass_id": 200, "sessions_left": 10} and "waitlisted" not in told_booked
    assert told_waiting["waitlisted"] is True and "refund" not in told_waiting
    assert {d.payload["reason"] for d in review.notifications} == {"Flooded floor"}


def test_refunds_are_counted_for_passes_with_a_balance_only() -> None:
    tuesday = occurrence(YOGA, TUESDAY_18, booked=3)
    limited = bookings(tuesday, MEMBERS[:2], balance=0)  # a balance of 0 still gets its session back
    unlimited = bookings(tuesday, MEMBERS[2:3], balance=None)
    review = plan_cancel(tuesday, limited + unlimited, (), None, NOW)
    assert review.refunded_passes == 2 and len(review.cancelled_bookings) == 3
    assert [d.payload["refund"]["sessions_left"] for d in review.notifications] == [1, 1, None]


def test_cancelling_a_cancelled_session_changes_nothing() -> None:
    cancelled = occurrence(YOGA, TUESDAY_18, cancelled=True, booked=2)
    review = plan_cancel(cancelled, bookings(cancelled, MEMBERS[:2]), line(cancelled, MEMBERS[2:3]), "Again", NOW)
    assert review.already_cancelled and review.reason == "Flooded"  # the reason it was cancelled with
    assert review.cancelled_bookings == () and review.notifications == () and review.waitlisted == ()
    assert review.refunded_passes == 0
    # a double tap with an overlong reason still finds it cancelled, not an error
    again = plan_cancel(cancelled, (), (), "x" * 2000, NOW)
    assert again.already_cancelled and again.reason == "Flooded"


def test_a_started_session_cannot_be_cancelled_and_a_reason_has_a_limit() -> None:
    with pytest.raises(OccurrenceStarted):
        plan_cancel(occurrence(YOGA, NOW - timedelta(minutes=1)), (), (), None, NOW)
    tuesday, _ = yoga_tuesday(booked=0)
    with pytest.raises(InvalidReason):
        plan_cancel(tuesday, (), (), "x" * (MAX_REASON_LENGTH + 1), NOW)
    assert plan_cancel(tuesday, (), (), " \n ", NOW).reason is None


# -- merge_occurrences and led_by --------------------------------------------------------


def merged(
    first: date, last: date, records: list[OccurrenceRecord], booked: dict[int, int] | None = None
) -> list[Occurrence]:
    start, end = DateRange(first, last).instants(BERLIN)
    return merge_occurrences([YOGA], BERLIN, start, end, records, booked or {})


def test_a_moved_occurrence_appears_only_at_its_new_time() -> None:
    moved = OccurrenceRecord(YOGA.id, TUESDAY_18, start=berlin(2026, 12, 2, 12), id=5)
    week = merged(date(2026, 12, 1), date(2026, 12, 3), [moved], {5: 2})
    assert [(o.key.original_start, o.start) for o in week] == [
        (TUESDAY_18, berlin(2026, 12, 2, 12)),
        (THURSDAY_18, THURSDAY_18),
    ]
    assert week[0].booked == 2 and week[0].overridden == ("time",)
    assert merged(date(2026, 12, 1), date(2026, 12, 1), [moved]) == []  # gone from its original day


def test_a_record_from_outside_the_range_moved_into_it_appears() -> None:
    last_week = berlin(2026, 11, 24, 18)
    moved_in = OccurrenceRecord(YOGA.id, last_week, start=berlin(2026, 12, 2, 12), id=6)
    stray = OccurrenceRecord(99, last_week, start=berlin(2026, 12, 2, 9), id=7)  # a schedule not listed
    week = merged(date(2026, 12, 1), date(2026, 12, 3), [moved_in, stray], {6: 3})
    assert [o.start for o in week] == [TUESDAY_18, berlin(2026, 12, 2, 12), THURSDAY_18]
    assert week[1].key == OccurrenceKey(YOGA.id, last_week) and week[1].booked == 3


def test_led_by_follows_the_substitute() -> None:
    substituted = OccurrenceRecord(YOGA.id, TUESDAY_18, TUESDAY_18, trainer_id=SUE.id, id=5)
    week = merged(date(2026, 12, 1), date(2026, 12, 3), [substituted])
    assert [o.start for o in led_by(week, SUE.id)] == [TUESDAY_18]
    assert [o.start for o in led_by(week, TOM.id)] == [THURSDAY_18]


# -- plan_promotions ------------------------------------------------------------------------


def pass_of(
    member: Person,
    *,
    pass_id: int | None = None,
    left: int | None = 5,
    days: int = 30,
    covers: frozenset[int] = frozenset({YOGA.id}),
    template_id: int = 5,
) -> Pass:
    return Pass(
        pass_id or 400 + member.id,
        member.id,
        template_id,
        left,
        NOW - timedelta(days=1),
        NOW + timedelta(days=days),
        covers,
    )


def full(
    capacity: int = 2, schedule: Schedule = YOGA, start: datetime = TUESDAY_18, cancelled: bool = False
) -> Occurrence:
    """A session with every spot taken."""
    return occurrence(schedule, start, capacity=capacity, booked=capacity, cancelled=cancelled)


def test_the_first_in_line_is_promoted_first() -> None:
    waiting = line(full(), MEMBERS[:3])
    promoted = plan_promotions(full(), 1, waiting, BY_ID, [pass_of(m) for m in MEMBERS[:3]], NOW)
    assert [p.member_id for p in promoted] == [MEMBERS[0].id]
    assert promoted[0].entry == waiting[0] and promoted[0].sessions_left == 4


def test_a_member_without_a_usable_pass_is_passed_over_and_the_next_is_promoted() -> None:
    waiting = line(full(), MEMBERS[:4])
    passes = [
        pass_of(MEMBERS[0], left=0),  # used up
        pass_of(MEMBERS[1], covers=frozenset({PILATES.id})),  # does not cover Yoga
        pass_of(MEMBERS[2]),
        pass_of(MEMBERS[3]),
    ]
    promoted = plan_promotions(full(), 1, waiting, BY_ID, passes, NOW)
    assert [p.member_id for p in promoted] == [MEMBERS[2].id]
    not_a_member = {**BY_ID, MEMBERS[2].id: replace(MEMBERS[2], roles=frozenset())}
    assert [p.member_id for p in plan_promotions(full(), 1, waiting, not_a_member, passes, NOW)] == [MEMBERS[3].id]


def test_never_more_promotions_than_free_spots() -> None:
    session = full(capacity=5)
    waiting = line(session, MEMBERS[:4])
    passes = [pass_of(m) for m in MEMBERS[:4]]
    assert [p.member_id for p in plan_promotions(session, 3, waiting, BY_ID, passes, NOW)] == [
        m.id for m in MEMBERS[:2]
    ]
    assert plan_promotions(session, 5, waiting, BY_ID, passes, NOW) == ()
    assert plan_promotions(session, 7, waiting, BY_ID, passes, NOW) == ()  # capacity below bookings


def test_the_pass_that_expires_first_pays() -> None:
    waiting = line(full(), MEMBERS[:1])
    late, soon = pass_of(MEMBERS[0], pass_id=1, days=50), pass_of(MEMBERS[0], pass_id=2, days=10, left=None)
    [promotion] = plan_promotions(full(), 1, waiting, BY_ID, [late, soon], NOW)
    assert promotion.pass_ == soon and promotion.sessions_left is None  # unlimited stays unlimited


def test_nothing_is_promoted_after_the_deadline_on_a_closed_or_cancelled_or_started_session() -> None:
    passes = [pass_of(m) for m in MEMBERS[:2]]
    course_passes = [pass_of(m, template_id=COURSE.pass_template_id or 0) for m in MEMBERS[:2]]  # its own pass
    course = full(schedule=COURSE, start=WEDNESDAY_10)
    assert all(p.usable_for(COURSE, WEDNESDAY_10, NOW) for p in course_passes)  # so only "closed" stops them
    assert plan_promotions(course, 1, line(course, MEMBERS[:2]), BY_ID, course_passes, NOW) == ()
    at_deadline = TUESDAY_18 - YOGA.deadline()
    for session, now in [
        (full(), at_deadline + timedelta(seconds=1)),
        (full(cancelled=True), NOW),
        (full(start=NOW - timedelta(minutes=5)), NOW),
    ]:
        assert plan_promotions(session, 1, line(session, MEMBERS[:2]), BY_ID, passes, now) == ()
    assert [p.member_id for p in plan_promotions(full(), 1, line(full(), MEMBERS[:2]), BY_ID, passes, at_deadline)] == [
        MEMBERS[0].id
    ]  # at the deadline itself members still move up


def test_the_booking_deadline_is_the_schedules_own_or_the_studios() -> None:
    own = replace(YOGA, booking_deadline=timedelta(minutes=30))
    session = occurrence(own, TUESDAY_18)
    assert not deadline_passed(session, TUESDAY_18 - timedelta(minutes=30))
    assert deadline_passed(session, TUESDAY_18 - timedelta(minutes=29))
    assert promotes(occurrence(YOGA, TUESDAY_18), TUESDAY_18 - timedelta(hours=2))
    assert not promotes(occurrence(YOGA, TUESDAY_18), TUESDAY_18 - timedelta(hours=1, minutes=59))
