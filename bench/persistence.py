"""What storing each conversation step costs per update (issue 16.3, bot/persistence.py).

    python -m bench.persistence                     # SQLite and PostgreSQL, 200 steps each
    python -m bench.persistence --backend sqlite    # one of them

A trainer alternates two steps of an override ("Capacity", then a typed number) on
the real Application against the fake Bot API. The same steps run twice in the same
process on the same database: once with the step stored at the end of each update
(as shipped), once with the store's write replaced by nothing (the baseline). The
difference per update is the cost, within the noise of ~50 ms updates; the write
itself (one transaction: the step and the draft) is also timed alone. The last column times the store at the end of an
update that changed no state (a stranger's /help): nothing is written, only compared.
PostgreSQL is the server at TRAINERY_BENCH_POSTGRES_URL, as for bench/run.py; the run
creates and finally drops a database of its own, `trainery_bench_persist_<pid>`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from bench import generate
from bench.run import POSTGRES_URL
from bot.app import build_application
from bot.persistence import persist, persistence_of
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
BACKENDS = ("sqlite", "postgresql")
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
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
        writes: list[float] = []

        async def nothing(changes: Mapping[tuple[str, str], Stored | None]) -> None:
            return None

        async def timed(changes: Mapping[tuple[str, str], Stored | None]) -> None:
            started = time.perf_counter()
            await stored(changes)
            if changes:
                writes.append(time.perf_counter() - started)

        for name, write in (("baseline", nothing), ("stored", timed), ("baseline2", nothing), ("stored2", timed)):
            kept.store.write = write  # type: ignore[method-assign]
            durations = []
            for number in range(steps // 2):
                started = time.perf_counter()
                await trainer.tap("Capacity", menu)
                menu = await trainer.send(str(5 + number % 5))
                durations.append((time.perf_counter() - started) / 2)
            figures[name] = statistics.median(durations) * 1000
        kept.store.write = stored  # type: ignore[method-assign]
        figures["write"] = statistics.median(writes) * 1000
        stranger = Phone(application, fake, 1009, "Stranger")
        idle = []
        for _ in range(steps // 4):
            await stranger.send("/help")
            application.mark_data_for_update_persistence(user_ids=1009)  # as at the end of its update
            started = time.perf_counter()
            await persist(application)
            idle.append(time.perf_counter() - started)
        figures["idle"] = statistics.median(idle) * 1000
        await application.shutdown()
    await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="default: both")
    options = parser.parse_args()
    print(
        "| database | update, step not stored (ms) | update, step stored (ms) | difference (ms) "
        "| the step's write alone (ms) | store, nothing changed (ms) |"
    )
    print("|---|---|---|---|---|---|")
    for backend in options.backend or BACKENDS:
        f = asyncio.run(on(backend, options.steps))
        base, kept = min(f["baseline"], f["baseline2"]), min(f["stored"], f["stored2"])
        print(
            f"| {NAMES[backend]} | {base:.1f} | {kept:.1f} | {kept - base:.1f} | {f['write']:.2f} | {f['idle']:.2f} |"
        )


async def on(backend: str, steps: int) -> dict[str, float]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            return await measure(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}", steps)
    name = f"trainery_bench_persist_{os.getpid()}"
    url = await generate.recreate_postgres_database(POSTGRES_URL, name)
    try:
        return await measure(url, steps)
    finally:
        await generate.drop_postgres_database(POSTGRES_URL, name)


if __name__ == "__main__":
    main()
