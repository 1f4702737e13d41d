"""Issue 15, point 4, as a trainer sees it: a change shows on the very next screen
although listings are kept in the memo of reads (storage/read_cache.py)."""

from __future__ import annotations

from datetime import date

from bot.context import TraineryApplication
from tests.bot_harness import TRAINER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone
from tests.world import World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name
TUESDAY = date(2026, 12, 1)


async def test_a_booking_shows_on_the_trainers_very_next_list(
    app: TraineryApplication, fake: FakeBotApi, world: World
) -> None:
    trainer = Phone(app, fake, TRAINER, "Tom")
    assert (
        "1. Tue 01 Dec 18:00 · Yoga · Studio A · Tom Trainer · 0/10" in (await trainer.send("/sessions week"))["text"]
    )
    await world.book_all(world.yoga_on(TUESDAY))
    assert (
        "1. Tue 01 Dec 18:00 · Yoga · Studio A · Tom Trainer · 4/10" in (await trainer.send("/sessions week"))["text"]
    )
