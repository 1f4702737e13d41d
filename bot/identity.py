"""Who is writing: the roles of a Telegram user (SPEC §1 owner/admin/trainer/member).

Owners come from TRAINERY_OWNER_IDS (the first owners, before anyone is in the
database) and from the database; every other role comes from the database.
"""

from __future__ import annotations

from bot.context import TraineryContext
from domain.roles import Role
from domain.setup.people import stored_roles


async def roles_of(context: TraineryContext, telegram_user_id: int) -> frozenset[Role]:
    roles = await stored_roles(context.studio, telegram_user_id)
    if telegram_user_id in context.settings.owner_ids:
        roles |= {Role.OWNER}
    return roles
