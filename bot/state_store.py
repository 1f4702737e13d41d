"""What the bot's persistence needs from storage: rows of (kind, key) → JSON text,
written in batches that are stored whole or not at all (storage/bot_state.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

Stored = tuple[str, datetime]  # the JSON text and when it was written


class StateStore(Protocol):
    async def load(self, kind: str) -> dict[str, Stored]: ...
    async def write(self, changes: Mapping[tuple[str, str], Stored | None]) -> None: ...
