"""The event loop the bot runs on: uvloop's where it is installed (every platform but
Windows), else asyncio's own.

uvloop does the loop's own work — waking tasks, the sockets to the Bot API and the
database, the hand-overs from aiosqlite's threads — in C: in the burst benchmark the
bot spends about a fifth less CPU per update on it (bench/README.md, issue 15). The
bot's code does not depend on which loop runs it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

try:
    import uvloop
except ImportError:  # Windows: uvloop is not made for it
    uvloop = None  # type: ignore[assignment]

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    return uvloop.new_event_loop() if uvloop is not None else asyncio.new_event_loop()


def run(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on the bot's event loop."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)
