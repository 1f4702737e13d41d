"""Spaces (SPEC §1, §4): rooms and areas, with an optional maximum capacity."""

from __future__ import annotations

from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.schedule import Space
from domain.setup.names import SetupError, clean_name
from domain.studio import Studio


async def add_space(studio: Studio, actor_id: int, name: str, max_capacity: int | None = None) -> Space:
    return await studio.change(lambda uow: add_space_in(uow, actor_id, name, max_capacity))


async def add_space_in(uow: UnitOfWork, actor_id: int, name: str, max_capacity: int | None = None) -> Space:
    require_admin(await uow.people.get(actor_id))
    name = clean_name(name, "space")
    if max_capacity is not None and max_capacity <= 0:
        raise SetupError("A maximum capacity is a whole number above zero, e.g. 20.")
    if any(space.name.casefold() == name.casefold() for space in await uow.spaces.all()):
        raise SetupError(f"A space called “{name}” exists already.")
    return await uow.spaces.add(name, max_capacity)


async def list_spaces(studio: Studio, actor_id: int) -> list[Space]:
    async def query(uow: UnitOfWork) -> list[Space]:
        require_admin(await uow.people.get(actor_id))
        return await uow.spaces.all()

    return await studio.read(query)
