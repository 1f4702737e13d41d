"""Issue 17, points 2 and 3, in the database (SQLite and PostgreSQL): a person's chosen
language and the last Telegram language of theirs, kept in person_settings, and the
outbox's claim that hands each notification its member's language as it is now."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from domain.errors import DomainError
from domain.notifications import NotificationDraft, NotificationKind
from domain.reminders.preferences import Languages, Preferences
from domain.reminders.settings import (
    Setting,
    change_language,
    change_setting,
    languages_of,
    linked_languages,
    my_settings,
    note_telegram_languages,
)
from storage.models import PersonRow
from storage.outbox import OutboxStore
from storage.unit_of_work import SqlUnitOfWork
from tests.world import World

KNOWN = ("en", "uk", "de")
USER = 5551


async def _link(world: World, person: int, user: int) -> None:
    async with world.sessions() as session:
        await session.execute(update(PersonRow).where(PersonRow.id == person).values(telegram_user_id=user))
        await session.commit()


async def test_nobody_linked_has_no_languages_and_a_new_person_none_chosen(world: World) -> None:
    assert await languages_of(world.studio, USER) is None
    await _link(world, world.members[0], USER)
    assert await languages_of(world.studio, USER) == Languages(world.members[0])


async def test_everyone_linked_is_read_at_once(world: World) -> None:
    await _link(world, world.members[0], USER)
    await change_language(world.studio, world.members[0], "de", KNOWN)
    everyone = await linked_languages(world.studio)
    assert everyone[USER] == Languages(world.members[0], chosen="de")
    assert everyone[1002] == Languages(world.trainer)  # world: Tom is Telegram user 1002
    assert all(found.person_id != world.stranger for found in everyone.values())  # never linked


async def test_the_choice_and_the_telegram_language_are_kept_apart(world: World) -> None:
    member = world.members[0]
    await _link(world, member, USER)
    await note_telegram_languages(world.studio, {member: "de"})
    view = await change_language(world.studio, member, "uk", KNOWN)
    assert view.preferences == Preferences(member, language="uk")
    await note_telegram_languages(world.studio, {member: "en"})  # Telegram's changes; the choice stays
    await change_setting(world.studio, member, Setting.REMINDERS, False)  # a switch keeps both
    assert await languages_of(world.studio, USER) == Languages(member, chosen="uk", telegram="en")
    assert (await my_settings(world.studio, member)).preferences == Preferences(member, False, True, "uk")


async def test_a_language_the_bot_does_not_know_is_refused(world: World) -> None:
    with pytest.raises(DomainError, match="not one this bot speaks"):
        await change_language(world.studio, world.members[0], "fr", KNOWN)
    assert (await my_settings(world.studio, world.members[0])).preferences.language is None


async def test_each_claimed_notification_carries_its_members_language_as_it_is_now(world: World) -> None:
    chosen, from_telegram, neither = world.members[:3]
    await note_telegram_languages(world.studio, {chosen: "de", from_telegram: "de"})
    now = world.studio.clock.now()
    async with SqlUnitOfWork(world.sessions) as uow:
        drafts = [NotificationDraft(m, NotificationKind.CANCELLED, {}) for m in (chosen, from_telegram, neither)]
        await uow.outbox.add("change-1", drafts, now)
        await uow.commit()
    await change_language(world.studio, chosen, "uk", KNOWN)  # after it was queued, before it is sent
    claimed = await OutboxStore(world.sessions).claim(now, 10)
    assert {item.member_id: item.language for item in claimed} == {chosen: "uk", from_telegram: "de", neither: None}
