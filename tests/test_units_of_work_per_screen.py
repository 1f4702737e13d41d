"""Issue 11, point 3: a screen's data comes from one query in one unit of work — plus
the one that decides who is acting. Opening a card used to cost four or five."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.context import TraineryApplication
from domain.ports import UnitOfWork
from domain.studio import Studio
from tests.bot_harness import TRAINER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone
from tests.world import World

__all__ = ["app", "database_url", "fake"]  # fixtures, used by name
TUESDAY = date(2026, 12, 1)


class Counted:
    def __init__(self, factory: Callable[[], UnitOfWork]) -> None:
        self.factory = factory
        self.opened = 0

    def __call__(self) -> UnitOfWork:
        self.opened += 1
        return self.factory()


@pytest.fixture
def counted(app: TraineryApplication, world: World) -> Counted:
    studio = app.bot_data.studio
    counter = Counted(studio.unit_of_work)
    app.bot_data.use_studio(Studio(counter, studio.clock, studio.zone))
    return counter


async def test_each_trainer_screen_is_one_query_besides_who_is_acting(
    app: TraineryApplication, fake: FakeBotApi, world: World, counted: Counted
) -> None:
    trainer = Phone(app, fake, TRAINER, "Tom")
    await world.book_all(world.yoga_on(TUESDAY))
    await trainer.send("/start")  # a person's first update in a process also reads their language (bot/language.py)
    await app.bot_data.languages.stored()  # and stores Telegram's, in the background
    counted.opened = 0
    listing = await trainer.send("/sessions 2026-12-01")
    assert counted.opened == 2, "the list: who is acting, then one query"
    counted.opened = 0
    card = await trainer.tap("1", listing)
    assert "Booked: 4/10" in card["text"] and counted.opened == 2, "the card"
    counted.opened = 0
    menu = await trainer.tap("✎ Change", card)
    assert counted.opened == 2, "starting a change: who is acting, then the session with its names"
    await trainer.tap("Capacity", menu)
    counted.opened = 0
    menu = await trainer.send("12")
    assert counted.opened == 2, "a typed capacity: who, then the menu"
    counted.opened = 0
    review = await trainer.tap("Review ▶", menu)
    assert "Review" in review["text"] and counted.opened == 3, "who, the menu's session, the review"
    counted.opened = 0
    await trainer.tap("Save", review)
    assert counted.opened == 2, "the save: who is acting, then the one command (its outcome comes with it)"
