"""Spaces (SPEC §1, §4): rooms and areas, with an optional maximum capacity; renamed,
their maximum changed, or closed — never leaving a session ahead in a closed space
or above its space's maximum."""

from __future__ import annotations

from dataclasses import replace

from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.schedule import Space
from domain.setup.ahead import name_sessions, sessions_ahead
from domain.setup.names import SetupError, clean_name, match
from domain.studio import Studio
from domain.wording import N_, ngettext


async def add_space(studio: Studio, actor_id: int, name: str, max_capacity: int | None = None) -> Space:
    return await studio.change(lambda uow: add_space_in(uow, actor_id, name, max_capacity))


async def add_space_in(uow: UnitOfWork, actor_id: int, name: str, max_capacity: int | None = None) -> Space:
    require_admin(await uow.people.get(actor_id))
    name = clean_name(name, "space")
    if max_capacity is not None and max_capacity <= 0:
        raise SetupError(N_("A maximum capacity is a whole number above zero, e.g. 20."))
    if any(space.name.casefold() == name.casefold() for space in await uow.spaces.all()):
        raise SetupError(N_("A space called “{name}” exists already."), name=name)
    return await uow.spaces.add(name, max_capacity)


async def list_spaces(studio: Studio, actor_id: int) -> list[Space]:
    async def query(uow: UnitOfWork) -> list[Space]:
        require_admin(await uow.people.get(actor_id))
        return await uow.spaces.all()

    return await studio.read(query)


async def _space(uow: UnitOfWork, actor_id: int, name: str) -> Space:
    require_admin(await uow.people.get(actor_id))
    return match(name, [(s.name, s) for s in await uow.spaces.all() if s.active], "space")


async def rename_space(studio: Studio, actor_id: int, name: str, new_name: str) -> Space:
    async def command(uow: UnitOfWork) -> Space:
        space = await _space(uow, actor_id, name)
        new = clean_name(new_name, "space")
        if any(s.name.casefold() == new.casefold() and s.id != space.id for s in await uow.spaces.all()):
            raise SetupError(N_("A space called “{name}” exists already."), name=new)
        return await uow.spaces.save(replace(space, name=new))

    return await studio.change(command)


async def set_space_maximum(studio: Studio, actor_id: int, name: str, maximum: int | None) -> Space:
    """A new maximum capacity (None: no maximum). Refused, naming them, while sessions
    ahead in the space hold more than it: lower their capacity first."""

    async def command(uow: UnitOfWork) -> Space:
        space = await _space(uow, actor_id, name)
        if maximum is not None and maximum <= 0:
            raise SetupError(N_("A maximum capacity is a whole number above zero, e.g. 20, or “none”."))
        if maximum is not None:
            over = await sessions_ahead(uow, studio, lambda o: o.space_id == space.id and o.capacity > maximum)
            if over:
                raise SetupError(
                    ngettext(
                        "{n} session ahead in {space} hold more than {maximum}: {sessions}. Lower their capacity "
                        "first (✎ Change on a session's card in /sessions), then set the maximum.",
                        "{n} sessions ahead in {space} hold more than {maximum}: {sessions}. Lower their capacity "
                        "first (✎ Change on a session's card in /sessions), then set the maximum.",
                        len(over),
                        space=space.name,
                        maximum=maximum,
                        sessions=name_sessions(over, studio.zone),
                    )
                )
        return await uow.spaces.save(replace(space, max_capacity=maximum))

    return await studio.change(command)


async def close_space(studio: Studio, actor_id: int, name: str) -> Space:
    """No new schedules or sessions in it; refused, naming them, while sessions ahead
    use it (move them or end their schedules first). Past sessions keep it."""

    async def command(uow: UnitOfWork) -> Space:
        space = await _space(uow, actor_id, name)
        using = await sessions_ahead(uow, studio, lambda o: o.space_id == space.id)
        if using:
            titles = sorted({o.title for o in using})
            raise SetupError(
                ngettext(
                    "{n} session ahead use {space}: {sessions}. Move them to another space or end their "
                    "schedule ({titles}) first, then close the space.",
                    "{n} sessions ahead use {space}: {sessions}. Move them to another space or end their "
                    "schedule ({titles}) first, then close the space.",
                    len(using),
                    space=space.name,
                    sessions=name_sessions(using, studio.zone),
                    titles=", ".join(titles),
                )
            )
        return await uow.spaces.save(replace(space, active=False))

    return await studio.change(command)
