"""Inviting people by deep link and redeeming the links (SPEC §3, §4)."""

from __future__ import annotations

from datetime import datetime

from domain import invites
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.setup.names import SetupError, clean_name
from domain.setup.people import require_may_appoint
from domain.studio import Studio

Link = tuple[Person, str, datetime]  # who, the token, valid until


async def invite(studio: Studio, actor_id: int, role: Role, names: list[str]) -> list[Link]:
    return await studio.change(lambda uow: invite_in(uow, studio, actor_id, role, names))


async def invite_in(uow: UnitOfWork, studio: Studio, actor_id: int, role: Role, names: list[str]) -> list[Link]:
    """A link per name. Someone invited before and not linked yet gets a fresh link
    for the same record, not a second record."""
    actor = require_admin(await uow.people.get(actor_id))
    require_may_appoint(actor, role)
    cleaned = [clean_name(name, "person") for name in names]
    if not cleaned:
        raise SetupError("Name who to invite.")
    now = studio.now()
    links = []
    for name in cleaned:
        person = await _unlinked_named(uow, name, role) or await uow.people.add(name, [role], now)
        token = invites.new_token()
        await uow.invites.add(person.id, role, invites.token_hash(token), now, now + invites.VALIDITY)
        links.append((person, token, now + invites.VALIDITY))
    return links


async def redeem(studio: Studio, token: str, telegram_user_id: int, chat_id: int) -> tuple[Person, Role]:
    async def command(uow: UnitOfWork) -> tuple[Person, Role]:
        invite = await uow.invites.by_hash(invites.token_hash(token))
        person = await uow.people.get(invite.person_id) if invite else None
        now = studio.now()
        usable = invites.check_usable(invite, now, person.name if person else "")
        assert person is not None
        linked = await uow.people.by_telegram_user(telegram_user_id)
        if linked is not None and linked.id != person.id:
            raise invites.InviteRefused(
                f"This Telegram account is linked to {linked.name} already. "
                "Ask the studio's admin to add the role with /appoint instead."
            )
        if person.telegram_user_id not in (None, telegram_user_id):
            raise invites.InviteRefused(f"{person.name} is linked to another Telegram account already.")
        if not await uow.invites.use(usable.id, now):  # the database decides who was first
            raise invites.InviteRefused(f"This invite for {person.name} was used already.")
        person = await uow.people.link(person.id, telegram_user_id, chat_id)
        return person, usable.role

    return await studio.change(command)


async def _unlinked_named(uow: UnitOfWork, name: str, role: Role) -> Person | None:
    for person in await uow.people.holding(role):
        if person.telegram_user_id is None and person.name.casefold() == name.casefold():
            return person
    return None
