"""What every use case needs: a way to open a unit of work, the clock and the
studio's zone, and the one place that runs a command's transaction.

Use cases are plain functions (`domain/sessions`, `domain/bookings`, `domain/setup`)
that take a `Studio` first. `change` commits what the work did; `read` never does.
Both retry the whole transaction a bounded number of times when the database gave
up on it under contention (a deadlock or serialization failure, `Contention`); the
last failure becomes `TryAgain`, a clear answer for the person instead of silence.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from domain.clock import Clock
from domain.errors import Contention, TryAgain
from domain.ports import UnitOfWork

T = TypeVar("T")
ATTEMPTS = 4
FIRST_BACKOFF = 0.02  # seconds; doubled per attempt, with jitter so racers part ways


@dataclass(frozen=True)
class Studio:
    unit_of_work: Callable[[], UnitOfWork]
    clock: Clock
    zone: ZoneInfo
    attempts: int = ATTEMPTS
    # Days a pass's expiry moves on for each of its bookings refunded because the
    # session was cancelled (TRAINERY_PASS_EXTENSION_DAYS); 0: never.
    pass_extension_days: int = 0

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    async def change(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run a command in one transaction and commit it; roll back on any error."""

        async def committed(uow: UnitOfWork) -> T:
            result = await work(uow)
            await uow.commit()
            return result

        return await self._attempt(committed, read_only=False)

    async def read(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run a query in one transaction; nothing is committed. What it reads may come
        from the memo of earlier reads while nothing changed (ports.Memo)."""
        return await self._attempt(work, read_only=True)

    async def _attempt(self, work: Callable[[UnitOfWork], Awaitable[T]], *, read_only: bool) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                unit = self.unit_of_work()
                unit.read_only = read_only
                async with unit as uow:
                    return await work(uow)
            except Contention as error:
                if attempt == self.attempts:
                    raise TryAgain() from error
                await asyncio.sleep(FIRST_BACKOFF * 2 ** (attempt - 1) * (0.5 + random.random()))
        raise AssertionError("unreachable: the loop returns or raises")
