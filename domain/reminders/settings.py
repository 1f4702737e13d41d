"""`/settings` (SPEC §6.1): a linked person's own switches — a member's reminders, a
trainer's morning list — and their language. Each switch is theirs only if they hold
the role it is for; that is checked here, not by which buttons were shown."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from domain.errors import DomainError, NotAllowed
from domain.ports import UnitOfWork
from domain.reminders.preferences import Languages, Preferences
from domain.roles import Person, Role
from domain.studio import Studio
from domain.wording import N_


class Setting(StrEnum):
    REMINDERS = "reminders"
    TRAINER_DAY = "trainer_day"


FOR_ROLE = {Setting.REMINDERS: Role.MEMBER, Setting.TRAINER_DAY: Role.TRAINER}
NOT_YOURS = {
    Setting.REMINDERS: N_("Reminders are for members, before the sessions they booked."),
    Setting.TRAINER_DAY: N_("The morning list is for trainers, of the sessions they lead."),
}


@dataclass(frozen=True)
class SettingsView:
    person: Person
    preferences: Preferences

    def applies(self, setting: Setting) -> bool:
        return self.person.holds(FOR_ROLE[setting])


async def my_settings(studio: Studio, actor_id: int) -> SettingsView:
    async def query(uow: UnitOfWork) -> SettingsView:
        return await _view(uow, actor_id)

    return await studio.read(query)


async def change_setting(studio: Studio, actor_id: int, setting: Setting, on: bool) -> SettingsView:
    """Switch one of the actor's own settings on or off (pressing twice changes nothing more)."""

    async def work(uow: UnitOfWork) -> SettingsView:
        view = await _view(uow, actor_id)
        if not view.applies(setting):
            raise NotAllowed(NOT_YOURS[setting])
        if setting is Setting.REMINDERS:
            preferences = replace(view.preferences, reminders=on)
        else:
            preferences = replace(view.preferences, trainer_day=on)
        await uow.person_settings.save(preferences)
        return SettingsView(view.person, preferences)

    return await studio.change(work)


class UnknownLanguage(DomainError):
    message = N_("That language is not one this bot speaks.")


async def change_language(studio: Studio, actor_id: int, language: str, known: Collection[str]) -> SettingsView:
    """The actor's own language, one of `known` (the bot's; the domain knows none)."""
    if language not in known:
        raise UnknownLanguage()

    async def work(uow: UnitOfWork) -> SettingsView:
        view = await _view(uow, actor_id)
        preferences = replace(view.preferences, language=language)
        await uow.person_settings.save(preferences)
        return SettingsView(view.person, preferences)

    return await studio.change(work)


async def languages_of(studio: Studio, telegram_user_id: int) -> Languages | None:
    """What decides the language of the person linked to this Telegram user (None: nobody)."""

    async def query(uow: UnitOfWork) -> Languages | None:
        return await uow.person_settings.languages_of(telegram_user_id)

    return await studio.read(query)


async def linked_languages(studio: Studio) -> dict[int, Languages]:
    """What decides the language of everyone linked to a Telegram user, by its id."""

    async def query(uow: UnitOfWork) -> dict[int, Languages]:
        return await uow.person_settings.linked_languages()

    return await studio.read(query)


async def note_telegram_languages(studio: Studio, languages: Mapping[int, str]) -> None:
    """Keep the language Telegram last sent for each person (person id -> language): a
    notification sent later (no update in hand) is written in it when they chose none."""
    if not languages:
        return

    async def work(uow: UnitOfWork) -> None:
        await uow.person_settings.note_telegram_languages(languages)

    await studio.change(work)


async def _view(uow: UnitOfWork, actor_id: int) -> SettingsView:
    person = await uow.people.get(actor_id)
    if person is None or not person.active:
        raise NotAllowed(N_("Only people of this studio have settings. Ask the studio for an invite link."))
    preferences = (await uow.person_settings.of([person.id]))[person.id]
    return SettingsView(person, preferences)
