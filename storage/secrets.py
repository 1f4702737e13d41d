"""Secrets generated once and stored in the database (`stored_secrets`)."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import StoredSecretRow

WEBHOOK_SECRET = "webhook_secret_token"


async def stored_secret(sessions: async_sessionmaker[AsyncSession], name: str) -> str:
    """The secret called `name`, created on first use. Two processes starting at once
    both end with the first one's: the loser's INSERT hits the primary key and reads."""
    async with sessions() as session:
        value = await session.scalar(select(StoredSecretRow.value).where(StoredSecretRow.name == name))
        if value is not None:
            return value
        # Telegram's secret_token: 1-256 of A-Z a-z 0-9 _ -; token_urlsafe uses exactly those.
        session.add(StoredSecretRow(name=name, value=secrets.token_urlsafe(32)))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
        found = await session.scalar(select(StoredSecretRow.value).where(StoredSecretRow.name == name))
    assert found is not None
    return found
