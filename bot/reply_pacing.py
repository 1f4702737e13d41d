"""The bot-wide rate guard, with replies let through (issue 15).

Telegram's ~30 messages a second is the limit for sending to many people at once
(SPEC §5: notifications; the dispatcher paces itself to it). Under that guard, the
answers to 300 members who tapped /book within a second would queue for ten
seconds. So a request to the chat whose update is being handled — the reply
to a person who just wrote — skips the overall guard; everything else (the
notification dispatcher, jobs) stays under it. A 429 on a reply is waited out
(`retry_after`) and tried again once, as the guard does for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

# The chat whose update the current task handles (set by bot.update_order).
REPLYING_TO: ContextVar[int | None] = ContextVar("replying_to", default=None)
REPLY_RETRIES = 1

Request = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class RepliesFirst(AIORateLimiter):
    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        replying_to = REPLYING_TO.get()
        if replying_to is None or _chat_id(data) != replying_to:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
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
