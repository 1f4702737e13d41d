"""The bot of the burst benchmark, in a process of its own: the real Application
(`bot.app.build_application`) polling the fake Bot API, on the studio's fixed clock
(so `/book` offers the generated weeks), until SIGTERM.

    python -m bench.burst_bot DATABASE_URL BOT_API_URL CONCURRENCY

Like `trainery run` (on its event loop, bot/event_loop.py), minus the notification dispatcher (the burst only reads, so it
would find nothing to send) and the migrations (the generator made the schema).
Prints `ready` once it polls.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import signal
import sys
import time

from bench.generate import ZONE
from bench.measure import TOKEN, fixed_studio
from bot import event_loop
from bot.app import build_application
from bot.settings import Settings
from storage.database import create_engine, create_sessionmaker


async def serve(url: str, api_url: str, concurrency: int) -> None:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=TOKEN, bot_api_url=api_url, timezone=ZONE.key, concurrent_updates=concurrency
    )
    app = build_application(settings, sessions)
    app.bot_data.use_studio(fixed_studio(sessions))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=10)
            await app.start()
            print("ready", flush=True)
            await stop.wait()
            await app.updater.stop()
            await app.stop()
    finally:
        await engine.dispose()


def main() -> None:
    """With BENCH_PROFILE=DIR, the bot's CPU profile (main thread) lands in DIR/<pid>.prof.
    Timed by the thread's CPU clock: a wall clock would charge the waits for the GIL
    (while a driver's thread holds it) to whatever call was running then."""
    where = os.environ.get("BENCH_PROFILE")
    profile = cProfile.Profile(time.thread_time) if where else None
    if profile is not None:
        profile.enable()
    try:
        event_loop.run(serve(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    finally:
        if profile is not None and where:
            profile.disable()
            profile.dump_stats(os.path.join(where, f"{os.getpid()}.prof"))


if __name__ == "__main__":
    main()
