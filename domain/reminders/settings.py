"""`/settings` (SPEC §6.1): a linked person's own switches — a member's reminders, a
trainer's morning list. Each switch is theirs only if they hold the role it is for;
that is checked here, not by which buttons were shown."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from domain.errors import NotAllowed
from domain.ports import UnitOfWork
from domain.reminders.preferences import Preferences
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
        preferences = replace(view.preferences, **{setting.value: on})
        await uow.person_settings.save(preferences)
        return SettingsView(view.person, preferences)

    return await studio.change(work)


async def _view(uow: UnitOfWork, actor_id: int) -> SettingsView:
    person = await uow.people.get(actor_id)
    if person is None or not person.active:
        raise NotAllowed(N_("Only people of this studio have settings. Ask the studio for an invite link."))
    preferences = (await uow.person_settings.of([person.id]))[person.id]
    return SettingsView(person, preferences)
