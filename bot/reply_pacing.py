"""Replies first (issue 15): the reply to a person who just wrote skips the bot-wide
guard (bot/notify/limiter.py).

Telegram's ~30 messages a second is the limit for sending to many people at once
(SPEC §5: notifications; the dispatcher paces itself to it). Under that guard, the
answers to 300 members who tapped /book within a second would queue for ten
seconds. So a request to the chat whose update is being handled — the reply to a
person who just wrote — goes straight out; everything else (the notification
dispatcher, jobs, updates handled one at a time) stays under the guard. A 429 on a
reply is waited out (`retry_after`) and tried again once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram.error import RetryAfter

# The chat whose update the current task handles (set by bot.update_order).
REPLYING_TO: ContextVar[int | None] = ContextVar("replying_to", default=None)
REPLY_RETRIES = 1

Answer = bool | dict[str, Any] | list[dict[str, Any]]
Request = Callable[..., Coroutine[Any, Any, Answer]]


def replying_here(data: dict[str, Any]) -> bool:
    """Whether the request goes to the chat whose update this task handles."""
    chat = REPLYING_TO.get()
    return chat is not None and _chat_id(data) == chat


async def send_reply(callback: Request, args: Any, kwargs: dict[str, Any]) -> Answer:
    for attempt in range(REPLY_RETRIES + 1):
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:
            if attempt == REPLY_RETRIES:
                raise
            await asyncio.sleep(error.retry_after if isinstance(error.retry_after, int) else 1)
    raise AssertionError("unreachable: the loop returns or raises")


def _chat_id(data: dict[str, Any]) -> int | None:
    with contextlib.suppress(TypeError, ValueError):
        return int(data.get("chat_id"))  # type: ignore[arg-type]
    return None
