"""Typed per-application state, after PTB's `contexttypesbot.py` example.

Handlers take `context: TraineryContext` and read `context.settings` and
`context.sessionmaker` instead of string keys in `bot_data`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.settings import Settings


class BotData:
    """What every handler and job needs; filled once by `bot.app.build_application`."""

    def __init__(self) -> None:
        # PTB creates bot_data with no arguments, so the fields start empty.
        self._settings: Settings | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None

    def attach(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._settings = settings
        self._sessionmaker = sessionmaker

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("BotData.attach() was not called")
        return self._settings

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        if self._sessionmaker is None:
            raise RuntimeError("BotData.attach() was not called")
        return self._sessionmaker


class TraineryContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self.bot_data.sessionmaker


CONTEXT_TYPES = ContextTypes(context=TraineryContext, bot_data=BotData)

TraineryApplication = Application[
    ExtBot[None], TraineryContext, dict, dict, BotData, JobQueue[TraineryContext]
]


def settings_of(application: Application) -> Settings:  # type: ignore[type-arg]
    """For code that holds the application rather than a context (post_init, jobs setup)."""
    return application.bot_data.settings


def sessionmaker_of(application: Application) -> async_sessionmaker[AsyncSession]:  # type: ignore[type-arg]
    return application.bot_data.sessionmaker
