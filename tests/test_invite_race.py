"""Invites on both databases: concurrent redemption of one token links exactly one
account (the database decides), and only admins invite."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.errors import NotAllowed
from domain.invites import InviteRefused
from domain.roles import Role
from storage.models import PersonRow
from tests.world import World
from domain.setup.invites import invite, redeem

ANNA, BEN = 2001, 2002


async def test_concurrent_redemption_links_exactly_one_account(world: World) -> None:
    """Both databases: two people open the same link at the same moment."""
    [link] = await invite(world.studio, world.admin, Role.MEMBER, ["Anna Berg"])
    token = link.token
    results = await asyncio.gather(
        *(redeem(world.studio, token, user, user) for user in (ANNA, BEN, 2003, 2004)), return_exceptions=True
    )
    linked = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, InviteRefused)]
    assert len(linked) == 1 and len(refused) == 3, results
    async with world.sessions() as session:
        holders = list(await session.scalars(select(PersonRow.telegram_user_id).where(PersonRow.name == "Anna Berg")))
    assert holders == [linked[0].person.telegram_user_id]


async def test_members_and_trainers_cannot_invite(world: World) -> None:
    for person in (world.trainer, world.members[0]):
        with pytest.raises(NotAllowed):
            await invite(world.studio, person, Role.MEMBER, ["Eve"])


async def test_people_are_stamped_with_the_studio_clock_not_the_machines(world: World) -> None:
    """The repositories take time from the injected clock (the test clock stands in
    2026-11-30), so a replayed or simulated day stays consistent."""
    [link] = await invite(world.studio, world.admin, Role.MEMBER, ["Clara Clock"])
    person, until = link.person, link.until
    async with world.sessions() as session:
        created = await session.scalar(select(PersonRow.created_at).where(PersonRow.id == person.id))
    assert created == world.studio.now() and until == world.studio.now() + timedelta(days=7)
