"""The bot runs on uvloop where it is installed (bot/event_loop.py, issue 15)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
import uvloop

from bot import cli, event_loop


def test_the_loop_is_uvloop() -> None:
    loop = event_loop.new_event_loop()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_run_runs_on_that_loop() -> None:
    async def which() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    assert isinstance(event_loop.run(which()), uvloop.Loop)


def test_trainery_run_takes_that_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[asyncio.AbstractEventLoop] = []
    make = event_loop.new_event_loop

    def spy() -> asyncio.AbstractEventLoop:
        made.append(make())
        return made[-1]

    async def stop_at_once(settings: object, stop: asyncio.Event) -> None:
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)

    monkeypatch.setattr(event_loop, "new_event_loop", spy)
    monkeypatch.setattr(cli, "load_settings", lambda: SimpleNamespace(bot_token="x"))
    monkeypatch.setattr(cli, "configure_logging", lambda token: None)
    monkeypatch.setattr(cli, "_run", stop_at_once)
    cli.run()
    assert len(made) == 1 and made[0].is_closed()
