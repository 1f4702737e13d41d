"""Who is writing: the roles of a Telegram user (SPEC §1 owner/admin/trainer/member).

Owners come from TRAINERY_OWNER_IDS (the first owners, before anyone is in the
database) and from the database; every other role comes from the database.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from domain.roles import Role
from storage.unit_of_work import SqlUnitOfWork


async def stored_roles(
    sessionmaker: async_sessionmaker[AsyncSession], telegram_user_id: int
) -> frozenset[Role]:
    """The roles the database gives this Telegram user (none for strangers or inactive people)."""
    async with SqlUnitOfWork(sessionmaker) as uow:
        person = await uow.people.by_telegram_user(telegram_user_id)
    return person.roles if person is not None and person.active else frozenset()


async def roles_of(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], telegram_user_id: int
) -> frozenset[Role]:
    roles = await stored_roles(sessionmaker, telegram_user_id)
    if telegram_user_id in settings.owner_ids:
        roles |= {Role.OWNER}
    return roles
