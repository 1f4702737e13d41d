"""SPEC §5, first guarantee: a change and its consequences — bookings cancelled,
ledger entries, queued notifications — commit together or not at all."""

from __future__ import annotations

from datetime import date
from typing import Iterable

import pytest
from sqlalchemy import func, select

from domain.notifications import NotificationDraft
from domain.override import OverrideRequest
from domain.studio import Studio
from storage.models import LedgerEntryRow
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World, berlin
from domain.sessions.cancel import cancel_session
from domain.sessions.override import save_override
from domain.sessions.card import find_session

TUESDAY = date(2026, 12, 1)


class OutboxDown(Exception):
    pass


class FailingOutboxUnitOfWork(SqlUnitOfWork):
    """The real unit of work whose outbox fails after the bookings and the ledger
    have been written in the same transaction."""

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        await super().__aenter__()
        real_add = self.outbox.add

        async def add(change_id: str, drafts: Iterable[NotificationDraft], at) -> None:  # type: ignore[no-untyped-def]
            await real_add(change_id, drafts, at)
            raise OutboxDown()

        self.outbox.add = add  # type: ignore[method-assign]
        return self


async def ledger_rows(world: World) -> int:
    async with world.sessions() as session:
        return await session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0


@pytest.mark.parametrize("action", ["cancel", "override"])
async def test_a_failure_at_the_end_leaves_no_trace_of_the_change(world: World, action: str) -> None:
    key = world.yoga_on(TUESDAY)
    await world.book_all(key)
    entries = await ledger_rows(world)
    failing = Studio(lambda: FailingOutboxUnitOfWork(world.sessions), world.studio.clock, world.studio.zone)
    with pytest.raises(OutboxDown):
        if action == "cancel":
            await cancel_session(failing, world.trainer, key, "Flooded")
        else:
            request = OverrideRequest(start=berlin(2026, 12, 1, 19), cancel_bookings=True)
            await save_override(failing, world.trainer, key, request)
    occurrence = await find_session(world.studio, world.admin, key)
    assert not occurrence.cancelled and occurrence.start == berlin(2026, 12, 1, 18)
    assert await world.active_bookings() == 4
    assert await ledger_rows(world) == entries
    assert [await world.pass_balance(m) for m in world.members] == [9] * 4
    assert await world.notifications() == []
    # and the same change goes through whole with a working outbox
    await cancel_session(world.studio, world.trainer, key, "Flooded")
    assert await world.active_bookings() == 0 and len(await world.notifications()) == 4
    assert await ledger_rows(world) == entries + 4
