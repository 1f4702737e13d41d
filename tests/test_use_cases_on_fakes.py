"""The use cases on the in-memory unit of work (tests/fake_uow.py), cosmicpython's
way: services are unit-tested on a fake of the unit of work, fast and without a
database; the integration tests run the same rules on SQLite and PostgreSQL.

What is asserted is what the store holds after the command — balances, ledger,
bookings, the line, the queued notices — and how many units of work were opened
and committed, so "one transaction", "retried" and "rolled back" are checked too."""

from __future__ import annotations

from datetime import date
from typing import cast

import pytest

from domain.booking import BookingStatus, CancelledBy
from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.bookings.waitlist import join_waitlist
from domain.errors import (
    AlreadyBooked,
    BookingNotActive,
    ConfirmationNeeded,
    Contention,
    NotFound,
    NothingToChange,
    StaleReview,
    TryAgain,
)
from domain.notifications import NotificationKind
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest, WarningKind
from domain.passes import LedgerEntry, LedgerKind, use_entry
from domain.ports import UnitOfWork
from domain.roles import Role
from domain.sessions.cancel import cancel_session
from domain.sessions.override import review_override, save_override
from domain.setup.passes import grant_pass
from domain.setup.leaving import member_leave
from tests.fake_uow import NOW, FakeIntegrityError, FakeStore, FakeUnitOfWork, FakeWorld, berlin

TUESDAY = date(2026, 12, 1)
WEDNESDAY = date(2026, 12, 2)


@pytest.fixture
async def fake() -> FakeWorld:
    return await FakeWorld.build()


@pytest.fixture
async def small() -> FakeWorld:
    """The studio with Yoga limited to two spots."""
    return await FakeWorld.build(yoga_capacity=2)


async def full_with_line(world: FakeWorld) -> OccurrenceKey:
    """Tuesday's Yoga of `small`: members 0 and 1 booked, 2 then 3 waiting."""
    key = world.yoga_on(TUESDAY)
    await world.book_all(key, world.members[:2])
    for member in world.members[2:4]:
        await join_waitlist(world.studio, member, key, member)
    return key


def assert_ledger_true(world: FakeWorld) -> None:
    """SPEC §5: every pass's balance equals its ledger."""
    for member in world.members:
        pass_id = world.pass_of(member)
        assert world.store.balance(pass_id) == world.store.ledger_sum(pass_id)


# -- booking and cancelling a booking ---------------------------------------------------


async def test_booking_uses_one_session_of_the_pass_and_writes_a_ledger_use(fake: FakeWorld) -> None:
    member, key = fake.members[0], fake.yoga_on(TUESDAY)
    pass_id = fake.pass_of(member)
    booking = await book_session(fake.studio, member, key, member)
    assert booking.active and booking.pass_id == pass_id
    assert booking.pass_sessions_left == 10  # the balance the member had when booking
    assert fake.store.balance(pass_id) == 9
    assert fake.store.ledger(pass_id) == [
        LedgerEntry(pass_id, LedgerKind.GRANT, 10, NOW),
        LedgerEntry(pass_id, LedgerKind.USE, -1, NOW, booking.id),
    ]
    assert fake.store.booked_members(key) == [member] and fake.store.outbox == []
    with pytest.raises(AlreadyBooked):
        await book_session(fake.studio, member, key, member)
    assert fake.store.balance(pass_id) == 9
    assert_ledger_true(fake)


async def test_a_staff_cancellation_refunds_tells_the_member_and_books_the_first_in_line_in_one_unit(
    small: FakeWorld,
) -> None:
    key = await full_with_line(small)
    first, second, waiting_first, waiting_second = small.members
    [booking] = [row.booking for row in small.store.bookings(key) if row.booking.member_id == first]
    opened, commits = small.store.opened, small.store.commits
    cancelled = await cancel_booking(small.studio, small.trainer, booking.id)
    assert (small.store.opened, small.store.commits) == (opened + 1, commits + 1)  # one unit of work
    assert cancelled.status is BookingStatus.CANCELLED
    assert small.store.tables.bookings[booking.id].cancelled_by is CancelledBy.STAFF
    assert small.store.balance(small.pass_of(first)) == 10
    assert small.store.ledger(small.pass_of(first))[-1] == LedgerEntry(
        small.pass_of(first), LedgerKind.REFUND, 1, NOW, booking.id
    )
    assert small.store.booked_members(key) == [second, waiting_first]
    assert small.store.balance(small.pass_of(waiting_first)) == 9
    assert small.store.line(key) == [waiting_second]
    [notices] = small.store.changes().values()  # one change, one set of notices
    assert [(n.member_id, n.kind) for n in notices] == [
        (first, NotificationKind.BOOKING_CANCELLED),
        (waiting_first, NotificationKind.WAITLIST_PROMOTED),
    ]
    assert notices[0].payload["refund"] == {"pass_id": small.pass_of(first), "sessions_left": 10}
    assert notices[1].payload["pass"] == {"pass_id": small.pass_of(waiting_first), "sessions_left": 9}
    assert_ledger_true(small)


async def test_a_member_cancelling_their_own_booking_is_not_told_about_it(small: FakeWorld) -> None:
    key = await full_with_line(small)
    first, waiting_first = small.members[0], small.members[2]
    [booking] = [row.booking for row in small.store.bookings(key) if row.booking.member_id == first]
    await cancel_booking(small.studio, first, booking.id)
    assert small.store.tables.bookings[booking.id].cancelled_by is CancelledBy.MEMBER
    assert [(n.member_id, n.kind) for n in small.store.outbox] == [(waiting_first, NotificationKind.WAITLIST_PROMOTED)]
    with pytest.raises(BookingNotActive):  # and a second cancel refunds nothing
        await cancel_booking(small.studio, small.admin, booking.id)
    assert small.store.balance(small.pass_of(first)) == 10


# -- overriding one occurrence ------------------------------------------------------------


async def test_an_override_cancelling_bookings_refunds_each_once_and_queues_exactly_its_notices(
    fake: FakeWorld,
) -> None:
    key = fake.yoga_on(TUESDAY)
    booked = await fake.book_all(key)
    request = OverrideRequest(start=berlin(2026, 12, 1, 19), cancel_bookings=True)
    saved = await save_override(fake.studio, fake.trainer, key, request)
    assert saved.refunded_passes == 4 and fake.store.booked_members(key) == []
    for member, booking in zip(fake.members, booked, strict=True):
        pass_id = fake.pass_of(member)
        assert fake.store.balance(pass_id) == 10
        assert [e.kind for e in fake.store.ledger(pass_id) if e.booking_id == booking.id] == [
            LedgerKind.USE,
            LedgerKind.REFUND,
        ]
    assert {row.cancelled_by for row in fake.store.bookings(key, active=False)} == {CancelledBy.OVERRIDE}
    [notices] = fake.store.changes().values()
    assert notices == list(saved.notifications)
    assert [(n.member_id, n.kind) for n in notices] == [(m, NotificationKind.BOOKING_CANCELLED) for m in fake.members]
    again = await save_override(
        fake.studio, fake.trainer, key, OverrideRequest(start=berlin(2026, 12, 1, 20), cancel_bookings=True)
    )
    assert again.cancelled_bookings == () and again.notifications == ()
    assert [fake.store.balance(fake.pass_of(m)) for m in fake.members] == [10] * 4
    assert_ledger_true(fake)


async def test_the_review_shows_exactly_what_the_save_does(small: FakeWorld) -> None:
    key = await full_with_line(small)
    request = OverrideRequest(capacity=3, trainer_id=small.substitute)
    opened, commits = small.store.opened, small.store.commits
    review = await review_override(small.studio, small.trainer, key, request)
    assert (small.store.opened, small.store.commits) == (opened + 1, commits)  # a review changes nothing
    assert small.store.booked_members(key) == small.members[:2]
    saved = await save_override(small.studio, small.trainer, key, request, expected_version=review.version)
    assert saved.notifications == review.notifications
    assert (saved.changes, saved.warnings, saved.cancelled_bookings) == (
        review.changes,
        review.warnings,
        review.cancelled_bookings,
    )
    assert [p.member_id for p in saved.promoted] == [p.member_id for p in review.promoted] == [small.members[2]]
    assert [(n.member_id, n.kind) for n in review.notifications] == [
        (small.substitute, NotificationKind.TRAINER_SUBSTITUTE),  # the trainer saved it: only the substitute is told
        (small.members[0], NotificationKind.UPDATED),
        (small.members[1], NotificationKind.UPDATED),
        (small.members[2], NotificationKind.WAITLIST_PROMOTED),
    ]
    [queued] = small.store.changes().values()
    assert queued == list(review.notifications)
    assert small.store.booked_members(key) == small.members[:3] and small.store.line(key) == [small.members[3]]
    assert saved.after.booked == 3 and saved.after.version == review.version + 1
    assert_ledger_true(small)


async def test_a_save_whose_warnings_differ_from_those_confirmed_needs_confirmation(fake: FakeWorld) -> None:
    key, course = fake.yoga_on(TUESDAY), fake.closed_on(WEDNESDAY)
    request = OverrideRequest(start=berlin(2026, 12, 2, 10), trainer_id=fake.substitute)
    review = await review_override(fake.studio, fake.trainer, key, request)
    assert review.warnings == ()  # the course runs in Studio B then
    await save_override(fake.studio, fake.admin, course, OverrideRequest(space_id=fake.studio_a))  # meanwhile
    opened, commits = fake.store.opened, fake.store.commits
    with pytest.raises(ConfirmationNeeded) as raised:
        await save_override(fake.studio, fake.trainer, key, request, confirmed=review.warnings)
    fresh = raised.value.review
    assert [w.signature for w in fresh.warnings] == [(WarningKind.SPACE_BUSY, course)]
    assert (fake.store.opened, fake.store.commits) == (opened + 1, commits)  # not retried, nothing kept
    assert fake.store.record(key) is None  # not even the root the lock stored
    saved = await save_override(fake.studio, fake.trainer, key, request, confirmed=fresh.warnings)
    assert saved.after.start == berlin(2026, 12, 2, 10) and saved.after.trainer_id == fake.substitute


async def test_a_save_against_an_older_version_is_stale(fake: FakeWorld) -> None:
    key = fake.yoga_on(TUESDAY)
    await fake.book_all(key, fake.members[:1])
    request = OverrideRequest(trainer_id=fake.substitute)
    review = await review_override(fake.studio, fake.trainer, key, request)
    await book_session(fake.studio, fake.members[1], key, fake.members[1])  # the session changes meanwhile
    commits = fake.store.commits
    with pytest.raises(StaleReview) as raised:
        await save_override(fake.studio, fake.trainer, key, request, expected_version=review.version)
    fresh = raised.value.review
    assert fresh.version == review.version + 1 and len(fresh.notifications) == 3  # the fresh state: 2 members, the substitute
    record = fake.store.record(key)
    assert record is not None and record.trainer_id is None and record.version == fresh.version
    assert fake.store.commits == commits and fake.store.outbox == []
    saved = await save_override(fake.studio, fake.trainer, key, request, expected_version=fresh.version)
    assert saved.notifications == fresh.notifications


async def test_cancelling_a_session_twice_refunds_once_and_tells_the_line(small: FakeWorld) -> None:
    key = await full_with_line(small)
    done = await cancel_session(small.studio, small.trainer, key, "Flooded")
    assert done.refunded_passes == 2 and small.store.booked_members(key) == [] and small.store.line(key) == []
    assert [(n.member_id, n.kind) for n in small.store.outbox] == [
        (m, NotificationKind.CANCELLED) for m in small.members
    ]
    again = await cancel_session(small.studio, small.admin, key, "Twice")
    assert again.already_cancelled and again.reason == "Flooded"
    assert len(small.store.outbox) == 4
    assert [small.store.balance(small.pass_of(m)) for m in small.members] == [10] * 4
    assert_ledger_true(small)


# -- the transaction: retried under contention, rolled back on a domain error -------------


async def test_contention_on_the_first_attempt_is_retried_and_commits_once(fake: FakeWorld) -> None:
    member, key = fake.members[0], fake.yoga_on(TUESDAY)
    store = fake.store
    opened, attempts, commits = store.opened, store.commit_attempts, store.commits
    store.contend(1)
    booking = await book_session(fake.studio, member, key, member)
    assert store.opened - opened == 2  # the work ran twice
    assert (store.commit_attempts - attempts, store.commits - commits) == (2, 1)
    assert store.booked_members(key) == [member] and store.balance(fake.pass_of(member)) == 9
    uses = [e for e in store.ledger(fake.pass_of(member)) if e.kind is LedgerKind.USE]
    assert [e.booking_id for e in uses] == [booking.id]


async def test_a_retry_starts_from_the_committed_state_not_the_failed_attempt(fake: FakeWorld) -> None:
    runs: list[int] = []

    async def work(uow: UnitOfWork) -> str:
        runs.append(1)
        return (await uow.spaces.add(f"Room {len(runs)}")).name

    fake.store.contend(1)
    assert await fake.studio.change(work) == "Room 2"
    assert len(runs) == 2
    assert [s.name for s in fake.store.tables.spaces.values()] == ["Studio A", "Studio B", "Room 2"]


async def test_contention_on_every_attempt_ends_in_try_again_with_nothing_committed(fake: FakeWorld) -> None:
    member, key = fake.members[0], fake.yoga_on(TUESDAY)
    store = fake.store
    opened, commits = store.opened, store.commits
    store.contend(always=True)
    with pytest.raises(TryAgain) as raised:
        await book_session(fake.studio, member, key, member)
    assert isinstance(raised.value.__cause__, Contention)
    assert store.opened - opened == fake.studio.attempts and store.commits == commits
    assert store.record(key) is None and store.balance(fake.pass_of(member)) == 10


async def test_a_domain_error_rolls_back_what_the_command_had_written(fake: FakeWorld) -> None:
    key = fake.yoga_on(TUESDAY)
    opened, commits = fake.store.opened, fake.store.commits
    with pytest.raises(NotFound):  # the root was stored by the lock before the stranger was found no member
        await book_session(fake.studio, fake.admin, key, fake.stranger)
    assert fake.store.record(key) is None
    assert (fake.store.opened, fake.store.commits) == (opened + 1, commits)  # not retried

    async def half_done(uow: UnitOfWork) -> None:
        await uow.spaces.add("Half-built room")
        raise NothingToChange()

    with pytest.raises(NothingToChange):
        await fake.studio.change(half_done)
    assert "Half-built room" not in [s.name for s in fake.store.tables.spaces.values()]
    assert fake.store.commits == commits


async def test_every_command_locks_the_session_first_then_the_passes_in_id_order(small: FakeWorld) -> None:
    key = await full_with_line(small)
    [booking] = [row.booking for row in small.store.bookings(key) if row.booking.member_id == small.members[0]]
    await cancel_booking(small.studio, small.trainer, booking.id)
    await member_leave(small.studio, small.admin, "Member 1")  # issue 14: cancels, drops, promotes at once
    await save_override(small.studio, small.trainer, key, OverrideRequest(capacity=4, cancel_bookings=True))
    await grant_pass(small.studio, small.admin, small.members[0], small.closed_template)  # enrols in the course
    await cancel_session(small.studio, small.trainer, small.closed_on(WEDNESDAY))
    units: dict[int, list[str]] = {}
    for lock in small.store.locks:
        units.setdefault(lock.unit, []).append(lock.what)
        if lock.what == "passes":
            pass_ids = cast(tuple[int, ...], lock.ids)
            assert list(pass_ids) == sorted(pass_ids)
    assert units and all(what in (["occurrences"], ["occurrences", "passes"]) for what in units.values())
    assert ["occurrences", "passes"] in units.values()


# -- the fake keeps the ports' promises ---------------------------------------------------


async def test_the_fake_keeps_only_what_was_committed() -> None:
    store = FakeStore()
    async with FakeUnitOfWork(store) as uow:
        await uow.spaces.add("Forgotten")
    async with FakeUnitOfWork(store) as kept:
        await kept.spaces.add("Kept")
        await kept.commit()
    assert not uow.committed and kept.committed
    assert [s.name for s in store.tables.spaces.values()] == ["Kept"]


async def test_the_fake_lets_the_second_of_two_overlapping_units_contend() -> None:
    store = FakeStore()
    async with FakeUnitOfWork(store) as first, FakeUnitOfWork(store) as second:
        await first.spaces.add("First")
        await second.spaces.add("Second")
        await first.commit()
        with pytest.raises(Contention):
            await second.commit()
    assert [s.name for s in store.tables.spaces.values()] == ["First"]


async def test_the_fake_occurrences_are_locked_blank_and_saved_against_their_version(fake: FakeWorld) -> None:
    tuesday, thursday = fake.yoga_on(TUESDAY), fake.yoga_on(date(2026, 12, 3))
    async with FakeUnitOfWork(fake.store) as uow:
        locked = await uow.occurrences.lock([thursday, tuesday])
        assert [r.key for r in locked] == [tuesday, thursday]  # in key order
        assert [(r.version, r.start) for r in locked] == [(0, tuesday.original_start), (0, thursday.original_start)]
        saved = await uow.occurrences.save(locked[0])
        assert saved.version == 1
        with pytest.raises(StaleReview):
            await uow.occurrences.save(locked[0])  # version 0 again


async def test_the_fake_bookings_and_ledger_refuse_what_the_database_refuses(fake: FakeWorld) -> None:
    key, member = fake.yoga_on(TUESDAY), fake.members[0]
    booking = await book_session(fake.studio, member, key, member)
    async with FakeUnitOfWork(fake.store) as uow:
        pass_ = await uow.passes.get(fake.pass_of(member))
        assert pass_ is not None
        with pytest.raises(FakeIntegrityError):
            await uow.passes.record([use_entry(pass_, booking.id, NOW)])  # a second use of one booking
        with pytest.raises(BookingNotActive):
            await uow.bookings.cancel_many([booking.id, booking.id + 99], NOW, CancelledBy.STAFF)
    assert fake.store.booked_members(key) == [member]  # the partial cancel was rolled back
    async with FakeUnitOfWork(fake.store) as uow:
        unlimited = await uow.passes.add_template("Unlimited", None, 30, [])
        person = await uow.people.add("Una", [Role.MEMBER], NOW)
        granted = await uow.passes.add(person.id, unlimited, NOW)
        await uow.passes.record([LedgerEntry(granted.id, LedgerKind.GRANT, 0, NOW)])
        assert (await uow.passes.get(granted.id)) == granted and granted.sessions_left is None
