"""The bot's conversation state as rows of (kind, key) → JSON text (`bot_state`).

The bot decides what the text means (bot/persistence.py); this store only keeps it,
writing a batch of changes in one transaction so a conversation's step and its draft
are never stored half."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import BotStateRow

Stored = tuple[str, datetime]  # the JSON text and when it was written


class SqlStateStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self, kind: str) -> dict[str, Stored]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(BotStateRow.key, BotStateRow.data, BotStateRow.updated_at).where(BotStateRow.kind == kind)
            )
            return {key: (data, at) for key, data, at in rows}

    async def write(self, changes: Mapping[tuple[str, str], Stored | None]) -> None:
        """Each (kind, key) gets its new text, or is deleted for None; all or nothing."""
        if not changes:
            return
        async with self._sessions() as session, session.begin():
            # Delete, then insert the new texts: one portable upsert for both databases.
            await session.execute(delete(BotStateRow).where(tuple_(BotStateRow.kind, BotStateRow.key).in_(changes)))
            session.add_all(
                BotStateRow(kind=kind, key=key, data=stored[0], updated_at=stored[1])
                for (kind, key), stored in changes.items()
                if stored is not None
            )
