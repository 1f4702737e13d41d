"""Issue 6, point 3: invites by deep link — single use, unguessable, 7 days, and who
they were for; concurrent redemption of one token links exactly one account."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.context import TraineryApplication
from domain.invites import token_hash
from storage.models import InviteRow, PersonRow
from tests.bot_harness import ADMIN, MEMBER, app, database_url, fake
from tests.fake_bot_api import FakeBotApi
from tests.phone import Phone
from tests.world import World

ANNA, BEN = 2001, 2002


def links(text: str) -> dict[str, str]:
    return dict(re.findall(r"• (.+?): https://t\.me/trainery_test_bot\?start=([A-Za-z0-9_-]+)", text))


__all__ = ["app", "database_url", "fake"]  # fixtures, used by name


class TestThroughTheBot:
    """SQLite is enough here; tests/test_invite_race.py runs on both databases."""

    async def test_invite_many_members_and_each_links_once(self, app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
        admin = Phone(app, fake, ADMIN)
        review = (await admin.send("/invite_member Anna Berg, Ben Cole"))["text"]
        assert "New (a link each), 2: Anna Berg, Ben Cole" in review  # a review first (issue 14)
        await admin.tap("Invite 2")
        reply = admin.screen()["text"]
        assert "each works once, until 07 Dec 2026 08:00" in reply
        tokens = links(reply)
        assert set(tokens) == {"Anna Berg", "Ben Cole"} and all(len(t) >= 32 for t in tokens.values())
        anna = Phone(app, fake, ANNA, "Anna")
        welcome = (await anna.send(f"/start {tokens['Anna Berg']}"))["text"]
        assert welcome == "Welcome, Anna Berg! This chat is now linked to the studio: you are a member. Send /help for what you can do."
        assert [c["command"] for c in fake.commands({"type": "chat", "chat_id": ANNA})] == ["start", "help", "my", "book", "settings", "language"]
        again = (await anna.send(f"/start {tokens['Anna Berg']}"))["text"]
        assert again == "You are linked already, Anna Berg: this chat belongs to you in the studio (member). Nothing was changed. Send /help for what you can do."
        stolen = (await Phone(app, fake, BEN).send(f"/start {tokens['Anna Berg']}"))["text"]
        assert "was used already" in stolen
        async with world.sessions() as session:
            linked = await session.scalar(select(PersonRow).where(PersonRow.telegram_user_id == ANNA))
            stored = list(await session.scalars(select(InviteRow.token_hash)))
        assert linked is not None and (linked.name, linked.chat_id) == ("Anna Berg", ANNA)
        assert set(tokens.values()).isdisjoint(stored) and token_hash(tokens["Anna Berg"]) in stored

    async def test_an_invite_expires_after_seven_days(self, app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
        tokens = links((await Phone(app, fake, ADMIN).send("/invite_trainer Tom Hill"))["text"])
        world.studio.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
        reply = (await Phone(app, fake, ANNA).send(f"/start {tokens['Tom Hill']}"))["text"]
        assert reply == "This invite for Tom Hill expired. Ask the studio's admin for a new one."
        async with world.sessions() as session:
            assert await session.scalar(select(PersonRow.telegram_user_id).where(PersonRow.name == "Tom Hill")) is None

    async def test_a_linked_account_cannot_take_a_second_invite(self, app: TraineryApplication, fake: FakeBotApi) -> None:
        tokens = links((await Phone(app, fake, ADMIN).send("/invite_trainer Tom Hill"))["text"])
        reply = (await Phone(app, fake, MEMBER).send(f"/start {tokens['Tom Hill']}"))["text"]
        assert "linked to Member 0 already" in reply and "/appoint" in reply

    async def test_only_owners_invite_admins_and_bad_lines_show_usage(self, app: TraineryApplication, fake: FakeBotApi) -> None:
        admin = Phone(app, fake, ADMIN)
        assert (await admin.send("/invite_admin Eve"))["text"] == "Only an owner can appoint admins."
        usage = (await admin.send("/invite_member"))["text"]
        assert usage.startswith("Name who to invite.\nUsage: /invite_member <name>[, <name>…]")
        assert "Invite one at a time" in (await admin.send("/invite_trainer A, B"))["text"]

    async def test_reinviting_someone_not_linked_yet_keeps_one_record(self, app: TraineryApplication, fake: FakeBotApi, world: World) -> None:
        admin = Phone(app, fake, ADMIN)
        await admin.send("/invite_member Anna Berg")
        second = links((await admin.send("/invite_member anna berg"))["text"])
        assert list(second) == ["Anna Berg"]
        async with world.sessions() as session:
            assert len(list(await session.scalars(select(PersonRow).where(PersonRow.name == "Anna Berg")))) == 1
