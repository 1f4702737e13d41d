"""Member notifications, from the outbox to the member's chat (SPEC §3, §5): the
dispatcher, its pacing at Telegram's limits, and the texts members read.

`start` and `stop` run the dispatcher with the Application (post_init / post_stop),
so it lives and dies with the bot process.
"""

from __future__ import annotations

from bot.context import TraineryApplication
from bot.notify.dispatcher import Dispatcher


async def start(application: TraineryApplication) -> None:
    data = application.bot_data
    if data.dispatcher is None:
        services = data.services
        data.dispatcher = Dispatcher(
            application.bot,
            services.queue(None),
            data.settings.zone,
            on_enqueued=services.on_enqueued,
            budget=services.budget,
        )
    await data.dispatcher.start()


async def stop(application: TraineryApplication) -> None:
    if application.bot_data.dispatcher is not None:
        await application.bot_data.dispatcher.stop()


def replied(application: TraineryApplication) -> None:
    """The bot is replying to someone: the dispatcher leaves room (bot/notify/limiter.py)."""
    if application.bot_data.dispatcher is not None:
        application.bot_data.dispatcher.replied()
