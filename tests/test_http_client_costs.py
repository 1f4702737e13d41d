"""The HTTP client of the Bot API stays cheap per request (issue 15).

httpcore asks which event loop runs each time it makes a lock or an event, by
importing sniffio; without sniffio installed every ask is a failed import that walks
sys.path (encode/httpcore#1103), several per reply sent. pyproject.toml names
sniffio for that reason; this test fails if it goes missing again."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

from httpcore._synchronization import current_async_library


class _Searches(importlib.abc.MetaPathFinder):
    """Counts the imports that reach the finders (a module not yet imported)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        self.names.append(fullname)
        return None


async def test_asking_which_event_loop_runs_imports_nothing() -> None:
    current_async_library()  # a first ask may import sniffio once
    searches = _Searches()
    sys.meta_path.insert(0, searches)
    try:
        for _ in range(3):
            assert current_async_library() == "asyncio"
    finally:
        sys.meta_path.remove(searches)
    assert searches.names == []
