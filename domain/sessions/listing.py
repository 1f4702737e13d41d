"""The occurrence list of a date range (SPEC §2.1), with the names to show: one query,
one unit of work."""

from __future__ import annotations

from dataclasses import dataclass

from domain.aggregate import occurrences_between
from domain.directory import Directory, load_directory
from domain.listing import DateRange, led_by
from domain.occurrence import Occurrence
from domain.permissions import require_view_sessions
from domain.ports import UnitOfWork
from domain.studio import Studio


@dataclass(frozen=True)
class SessionList:
    occurrences: list[Occurrence]
    directory: Directory


async def sessions_screen(studio: Studio, actor_id: int, days: DateRange, *, mine: bool = False) -> SessionList:
    """The list with the names of spaces and trainers, for `/sessions`."""

    async def query(uow: UnitOfWork) -> SessionList:
        return SessionList(await _occurrences(uow, studio, actor_id, days, mine), await load_directory(uow))

    return await studio.read(query)


async def list_sessions(studio: Studio, actor_id: int, days: DateRange, *, mine: bool = False) -> list[Occurrence]:
    return await studio.read(lambda uow: _occurrences(uow, studio, actor_id, days, mine))


async def _occurrences(uow: UnitOfWork, studio: Studio, actor_id: int, days: DateRange, mine: bool) -> list[Occurrence]:
    actor = require_view_sessions(await uow.people.get(actor_id))
    start, end = days.instants(studio.zone)
    occurrences = await occurrences_between(uow, studio.zone, start, end)
    return led_by(occurrences, actor.id) if mine else occurrences
