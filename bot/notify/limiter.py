"""The bot-wide rate limiter (PTB's AIORateLimiter) that also tells the notification
dispatcher when the bot is answering people, so the fan-out leaves them room
(bot/notify/pacing.py, "Interactive replies go first"), and lets the reply to the
chat being handled skip the guard (bot/reply_pacing.py)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

from bot.notify.dispatcher import SENDING_NOTIFICATION
from bot.reply_pacing import replying_here, send_reply


class RepliesFirst(AIORateLimiter):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.on_reply: Callable[[], None] | None = None  # set once the application exists

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if self.on_reply is not None and is_reply(endpoint) and not SENDING_NOTIFICATION.get():
            self.on_reply()
        if replying_here(data):
            return await send_reply(callback, args, kwargs)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


def is_reply(endpoint: str) -> bool:
    """A message to a person or a change to one: what Telegram's limits count."""
    return endpoint.startswith(("send", "edit", "copy", "forward")) and endpoint != "sendChatAction"
