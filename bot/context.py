"""Typed per-application state, after PTB's `contexttypesbot.py` example.

Handlers take `context: TraineryContext` and read `context.settings` and
`context.sessionmaker` instead of string keys in `bot_data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.settings import Settings
from bot.user_state import UserState
from domain.studio import Studio

if TYPE_CHECKING:
    from bot.delivery.dispatcher import Dispatcher


class BotData:
    """What every handler and job needs; filled once by `bot.app.build_application`."""

    def __init__(self) -> None:
        # PTB creates bot_data with no arguments, so the fields start empty.
        self._settings: Settings | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._studio: Studio | None = None
        # The notification dispatcher, while the application runs (bot.delivery.start).
        self.dispatcher: Dispatcher | None = None

    def attach(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], studio: Studio) -> None:
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._studio = studio

    def use_studio(self, studio: Studio) -> None:
        """Tests swap in a studio with a fixed clock."""
        self._studio = studio

    @property
    def studio(self) -> Studio:
        if self._studio is None:
            raise RuntimeError("BotData.attach() was not called")
        return self._studio

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


class TraineryContext(CallbackContext[ExtBot[None], UserState, dict, BotData]):
    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self.bot_data.sessionmaker

    @property
    def studio(self) -> Studio:
        """What every use case takes first: units of work, the clock, the zone."""
        return self.bot_data.studio

    @property
    def state(self) -> UserState:
        """This person's conversation state (typed, instead of string keys)."""
        assert self.user_data is not None
        return self.user_data


CONTEXT_TYPES = ContextTypes(context=TraineryContext, bot_data=BotData, user_data=UserState)

TraineryApplication = Application[
    ExtBot[None], TraineryContext, UserState, dict, BotData, JobQueue[TraineryContext]
]


def settings_of(application: Application) -> Settings:  # type: ignore[type-arg]
    """For code that holds the application rather than a context (post_init, jobs setup)."""
    return application.bot_data.settings


def sessionmaker_of(application: Application) -> async_sessionmaker[AsyncSession]:  # type: ignore[type-arg]
    return application.bot_data.sessionmaker
