"""A demo studio (SPEC §4, §6.1 /demo): loaded by an owner into an empty database so a
newcomer can try every flow at once — spaces, trainers, members with passes, open and
closed schedules with bookings over the coming weeks, and invite links to hand out.

It is built with the same commands an admin would give, so it obeys every rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from domain.errors import NotAllowed
from domain.listing import DateRange
from domain.roles import Role
from domain.services import Studio
from domain.setup import Invitations, ScheduleDraft, SetupError, StudioSetup


@dataclass(frozen=True)
class DemoLinks:
    trainer: tuple[str, str]  # (name, token)
    members: list[tuple[str, str]]
    until: datetime


async def load_demo(owner_id: int, studio: Studio, setup: StudioSetup, invitations: Invitations) -> DemoLinks:
    await _require_empty(owner_id, setup)
    today = studio.clock.now().astimezone(studio.zone).date()
    for name, maximum in (("Studio A", 20), ("Outdoor court", None)):
        await setup.add_space(owner_id, name, maximum)
    [(trainer, trainer_token, until)] = await invitations.invite(owner_id, Role.TRAINER, ["Demo Trainer"])
    await invitations.invite(owner_id, Role.TRAINER, ["Sam Substitute"])
    members = await invitations.invite(owner_id, Role.MEMBER, [f"Demo Member {n}" for n in (1, 2, 3)])

    def weekly(title: str, days: str, at: time, minutes: int, capacity: int, space: str, coach: str, **extra: object) -> ScheduleDraft:
        return ScheduleDraft(title, days, today, at, timedelta(minutes=minutes), capacity, space, coach, **extra)  # type: ignore[arg-type]

    yoga = await setup.add_schedule(owner_id, weekly("Yoga", "FREQ=WEEKLY;BYDAY=TU,TH", time(18), 60, 12, "Studio A", "Demo Trainer"))
    hiit = await setup.add_schedule(owner_id, weekly("HIIT", "FREQ=WEEKLY;BYDAY=MO,WE,FR", time(7), 45, 8, "Outdoor court", "Sam Substitute"))
    classes = await setup.add_template(owner_id, "10 classes", 10, 60, [yoga.title, hiit.title])
    course = await setup.add_template(owner_id, "Back course pass", 8, 70, [])
    await setup.add_schedule(
        owner_id,
        weekly("Back course", "FREQ=WEEKLY;BYDAY=SA;COUNT=8", time(10), 60, 6, "Studio A", "Demo Trainer", closed_with=course.name),
    )
    for person, _, _ in members:
        await studio.grant_pass(owner_id, person.id, classes.id)
    await studio.grant_pass(owner_id, members[0][0].id, course.id)  # enrols member 1 in the course
    await _book_coming_weeks(owner_id, studio, [person.id for person, _, _ in members], yoga.id, hiit.id)
    return DemoLinks((trainer.name, trainer_token), [(p.name, token) for p, token, _ in members], until)


async def _require_empty(owner_id: int, setup: StudioSetup) -> None:
    owner = await setup.find_owner(owner_id)
    if owner is None:
        raise NotAllowed("Only an owner can load the demo studio.")
    if await setup.is_set_up(owner_id):
        raise SetupError("The demo loads only into an empty studio, and this one has spaces or schedules already.")


async def _book_coming_weeks(owner_id: int, studio: Studio, members: list[int], yoga_id: int, hiit_id: int) -> None:
    today = studio.clock.now().astimezone(studio.zone).date()
    coming = await studio.list_sessions(owner_id, DateRange(today + timedelta(days=1), today + timedelta(days=21)))
    yoga = [o for o in coming if o.schedule.id == yoga_id][:3]
    hiit = [o for o in coming if o.schedule.id == hiit_id][:2]
    for occurrence in yoga:
        for member in members:
            await studio.book(owner_id, occurrence.key, member)
    for occurrence in hiit:
        await studio.book(owner_id, occurrence.key, members[1])
