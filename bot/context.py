"""Typed per-application state, after PTB's `contexttypesbot.py` example.

Handlers take `context: TraineryContext` and read `context.settings` and
`context.studio` instead of string keys in `bot_data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.composition import Services
from bot.language import LanguageMemo
from bot.metrics import Metrics
from bot.settings import Settings
from bot.user_state import UserState
from domain.studio import Studio

if TYPE_CHECKING:
    from bot.sessions.receipts import Receipts


class Background(Protocol):
    """A task that lives and dies with the application (the notification dispatcher)."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class Running(Background, Protocol):
    """A background task that can say whether it is still alive (for /healthz)."""

    @property
    def running(self) -> bool: ...


class Dispatching(Running, Protocol):
    """The notification dispatcher: told when the bot replies to people, who go first."""

    def replied(self) -> None: ...


class BotData:
    """What every handler and job needs; filled once by `bot.app.build_application`."""

    def __init__(self) -> None:
        # PTB creates bot_data with no arguments, so the fields start empty.
        self._settings: Settings | None = None
        self._services: Services | None = None
        # The notification dispatcher, while the application runs (bot.notify.start).
        self.dispatcher: Dispatching | None = None
        # /healthz and /metrics (bot.health), when TRAINERY_HEALTH_PORT is set.
        self.health: Background | None = None
        # Outcome screens filling in as their notifications go out (bot.sessions.receipts).
        self.receipts: Receipts | None = None
        self.metrics = Metrics()
        # What decides each Telegram user's language, kept in this process (bot.language).
        self.languages = LanguageMemo()

    def attach(self, settings: Settings, services: Services) -> None:
        self._settings = settings
        self._services = services

    def use_studio(self, studio: Studio) -> None:
        """Tests swap in a studio with a fixed clock."""
        self._services = self.services.with_studio(studio)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("BotData.attach() was not called")
        return self._settings

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("BotData.attach() was not called")
        return self._services

    @property
    def studio(self) -> Studio:
        return self.services.studio


class TraineryContext(CallbackContext[ExtBot[None], UserState, dict[Any, Any], BotData]):
    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def services(self) -> Services:
        return self.bot_data.services

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
    ExtBot[None], TraineryContext, UserState, dict[Any, Any], BotData, JobQueue[TraineryContext]
]
