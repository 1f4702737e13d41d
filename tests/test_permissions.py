"""SPEC §2.4: who may do what, checked inside every domain command."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.errors import NotAllowed, OccurrenceNotFound
from domain.occurrence import OccurrenceKey
from domain.override import OverrideRequest
from tests.world import World
from domain.bookings.book import book_session
from domain.bookings.cancel import cancel_booking
from domain.sessions.cancel import cancel_session, review_cancel
from domain.sessions.card import find_session
from domain.sessions.override import review_override, save_override

TUESDAY = date(2026, 12, 1)


async def test_admin_changes_every_session(world: World) -> None:
    saved = await save_override(world.studio, world.admin, world.yoga_on(TUESDAY), OverrideRequest(capacity=12))
    assert saved.after.capacity == 12


async def test_a_trainer_changes_only_the_sessions_they_lead(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    with pytest.raises(NotAllowed):
        await save_override(world.studio, world.substitute, key, OverrideRequest(capacity=12))
    with pytest.raises(NotAllowed):
        await review_override(world.studio, world.substitute, key, OverrideRequest(capacity=12))
    await save_override(world.studio, world.trainer, key, OverrideRequest(trainer_id=world.substitute))
    # now the substitute leads it, and the original trainer no longer does
    await save_override(world.studio, world.substitute, key, OverrideRequest(capacity=12))
    with pytest.raises(NotAllowed):
        await save_override(world.studio, world.trainer, key, OverrideRequest(capacity=11))
    assert (await find_session(world.studio, world.admin, key)).capacity == 12


async def test_members_strangers_and_unknown_people_can_do_no_trainer_action(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    for person in (world.members[0], world.stranger, 987654):
        with pytest.raises(NotAllowed):
            await save_override(world.studio, person, key, OverrideRequest(capacity=12))
        with pytest.raises(NotAllowed):
            await cancel_session(world.studio, person, key)
        with pytest.raises(NotAllowed):
            await find_session(world.studio, person, key)
    occurrence = await find_session(world.studio, world.admin, key)
    assert occurrence.capacity == 10 and not occurrence.cancelled
    assert await world.notifications() == []


async def test_a_forged_occurrence_key_is_refused(world: World) -> None:
    real = world.yoga_on(TUESDAY)
    for forged in (
        OccurrenceKey(real.schedule_id, real.original_start + timedelta(hours=1)),  # not on the rule
        OccurrenceKey(999, real.original_start),  # no such schedule
    ):
        with pytest.raises(OccurrenceNotFound):
            await save_override(world.studio, world.admin, forged, OverrideRequest(capacity=12))
        with pytest.raises(OccurrenceNotFound):
            await cancel_session(world.studio, world.admin, forged)


async def test_a_member_books_and_cancels_only_for_themselves(world: World) -> None:
    key = world.yoga_on(TUESDAY)
    alice, bob = world.members[:2]
    with pytest.raises(NotAllowed):
        await book_session(world.studio, alice, key, bob)
    booking = await book_session(world.studio, bob, key, bob)
    with pytest.raises(NotAllowed):
        await cancel_booking(world.studio, alice, booking.id)
    with pytest.raises(NotAllowed):
        await cancel_booking(world.studio, world.substitute, booking.id)  # a trainer who does not lead it
    assert await world.active_bookings() == 1


async def test_people_without_the_right_learn_nothing_about_sessions(world: World) -> None:
    """Refused before anything is read or locked: a forged key gets the same answer
    as a real one, so nobody can probe which sessions exist."""
    real = world.yoga_on(TUESDAY)
    forged = OccurrenceKey(999, real.original_start)
    for key in (real, forged):
        with pytest.raises(NotAllowed):
            await save_override(world.studio, world.members[0], key, OverrideRequest(capacity=12))
        with pytest.raises(NotAllowed):
            await review_cancel(world.studio, world.stranger, key)
