"""SPEC §2.1: listing occurrences for a range, merged with overrides, filtered to mine."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotAllowed
from domain.listing import DateRange
from domain.override import OverrideRequest
from tests.world import World, berlin
from domain.sessions.listing import list_sessions
from domain.sessions.override import save_override

WEEK = DateRange(date(2026, 11, 30), date(2026, 12, 6))
NEXT_WEEK = DateRange(date(2026, 12, 7), date(2026, 12, 13))


async def test_a_week_lists_every_occurrence_in_order(world: World) -> None:
    listing = await list_sessions(world.studio, world.trainer, WEEK)
    assert [(o.title, o.start) for o in listing] == [
        ("Yoga", berlin(2026, 12, 1, 18)),
        ("Back course", berlin(2026, 12, 2, 10)),
        ("Yoga", berlin(2026, 12, 3, 18)),
    ]
    assert [(o.booked, o.capacity) for o in listing] == [(0, 10), (0, 6), (0, 10)]


async def test_past_sessions_are_listed_too(world: World) -> None:
    listing = await list_sessions(world.studio, world.trainer, DateRange(date(2026, 11, 23), date(2026, 11, 29)))
    assert [o.title for o in listing] == ["Yoga", "Back course", "Yoga"]


async def test_booked_counts_and_override_marks(world: World) -> None:
    key = world.yoga_on(date(2026, 12, 1))
    await world.book_all(key, world.members[:3])
    await save_override(world.studio, world.admin, key, OverrideRequest(capacity=12, space_id=world.studio_a))
    first = (await list_sessions(world.studio, world.trainer, WEEK))[0]
    assert (first.booked, first.capacity, first.overridden) == (3, 12, ("capacity",))


async def test_a_moved_occurrence_shows_at_its_new_time_and_not_at_the_old(world: World) -> None:
    key = world.yoga_on(date(2026, 12, 3))
    await save_override(world.studio, world.admin, key, OverrideRequest(start=berlin(2026, 12, 8, 9)))
    this_week = await list_sessions(world.studio, world.trainer, WEEK)
    assert key not in [o.key for o in this_week]
    next_week = await list_sessions(world.studio, world.trainer, NEXT_WEEK)
    moved = [o for o in next_week if o.key == key]
    assert len(moved) == 1 and moved[0].start == berlin(2026, 12, 8, 9) and moved[0].overridden == ("time",)
    assert [o.start for o in next_week][:2] == [berlin(2026, 12, 8, 9), berlin(2026, 12, 8, 18)]


async def test_mine_shows_the_sessions_a_trainer_leads_substitutes_included(world: World) -> None:
    key = world.yoga_on(date(2026, 12, 1))
    await save_override(world.studio, world.trainer, key, OverrideRequest(trainer_id=world.substitute))
    mine = await list_sessions(world.studio, world.substitute, WEEK, mine=True)
    assert [o.key for o in mine] == [key]
    tom = await list_sessions(world.studio, world.trainer, WEEK, mine=True)
    assert key not in [o.key for o in tom] and len(tom) == 2
    everything = await list_sessions(world.studio, world.substitute, WEEK)
    assert len(everything) == 3


async def test_members_and_strangers_cannot_list(world: World) -> None:
    for person in (world.members[0], world.stranger, 424242):
        with pytest.raises(NotAllowed):
            await list_sessions(world.studio, person, WEEK)


def test_a_range_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        DateRange(date(2026, 12, 2), date(2026, 12, 1))
