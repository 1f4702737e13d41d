"""What storing each conversation step costs per update (issue 16.3, bot/persistence.py).

    python -m bench.persistence                 # SQLite, 200 steps
    python -m bench.persistence --postgres URL  # also PostgreSQL (a database to use)

A trainer alternates two steps of an override ("Capacity", then a typed number) on
the real Application against the fake Bot API. The same steps run twice in the same
process on the same database: once with the step stored at the end of each update
(as shipped), once with the store's write replaced by nothing (the baseline). The
difference per update is the cost; a member's /my, which changes no state, shows what
an update without a step costs (no write at all).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from bot.app import build_application
from bot.persistence import persistence_of
from bot.settings import Settings
from bot.state_store import Stored
from domain.clock import SystemClock
from domain.studio import Studio
from storage.database import open_database
from storage.unit_of_work import SqlUnitOfWork
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone
from tests.world import BERLIN, World

TOKEN = "123:ABC"
TRAINER = 1002


async def measure(url: str, steps: int) -> dict[str, float]:
    engine, sessions = await open_database(url)
    studio = Studio(lambda: SqlUnitOfWork(sessions), SystemClock(), BERLIN)
    await World.build(studio, sessions)
    figures: dict[str, float] = {}
    with FakeBotApi(TOKEN) as fake:
        settings = Settings(_env_file=None, bot_token=TOKEN, bot_api_url=fake.base_url, timezone="Europe/Berlin")  # type: ignore[call-arg]
        application = build_application(settings, sessions)
        await application.initialize()
        kept = persistence_of(application)
        assert kept is not None
        trainer = Phone(application, fake, TRAINER, "Tom")
        card = await trainer.tap("1 ", await trainer.send("/sessions nextweek"))
        menu = await trainer.tap("✎ Change", card)
        stored = kept.store.write

        async def nothing(changes: Mapping[tuple[str, str], Stored | None]) -> None:
            return None

        for name, write in (("baseline", nothing), ("stored", stored), ("baseline2", nothing), ("stored2", stored)):
            kept.store.write = write  # type: ignore[method-assign]
            durations = []
            for number in range(steps // 2):
                started = time.perf_counter()
                await trainer.tap("Capacity", menu)
                menu = await trainer.send(str(5 + number % 5))
                durations.append((time.perf_counter() - started) / 2)
            figures[name] = statistics.median(durations) * 1000
        kept.store.write = stored  # type: ignore[method-assign]
        member = Phone(application, fake, 1009, "Stranger")
        started = time.perf_counter()
        for _ in range(steps // 4):
            await member.send("/help")
        figures["no step (/help)"] = (time.perf_counter() - started) / (steps // 4) * 1000
        await application.shutdown()
    await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL URL (postgresql+asyncpg://…) whose database may be used")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = {"SQLite": f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"}
        if options.postgres:
            urls["PostgreSQL"] = options.postgres
        print(
            "| database | update, step not stored (ms) | update, step stored (ms) | cost per step (ms) | update without a step (ms) |"
        )
        print("|---|---|---|---|---|")
        for name, url in urls.items():
            f = asyncio.run(measure(url, options.steps))
            base, kept = min(f["baseline"], f["baseline2"]), min(f["stored"], f["stored2"])
            print(f"| {name} | {base:.1f} | {kept:.1f} | {kept - base:.1f} | {f['no step (/help)']:.1f} |")


if __name__ == "__main__":
    main()
