"""A demo studio (SPEC §4, §6.1 /demo): loaded by an owner into an empty database so a
newcomer can try every flow at once — spaces, trainers, members with passes, open and
closed schedules with bookings over the coming weeks, and invite links to hand out.

It is built with the same commands an admin would give, so it obeys every rule, and
in one transaction: a failure half-way leaves the studio as empty as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from domain.aggregate import occurrences_between
from domain.bookings.book import book_in
from domain.errors import NotAllowed
from domain.ports import UnitOfWork
from domain.recurrence import to_utc
from domain.roles import Role
from domain.setup.invites import invite_in
from domain.setup.names import SetupError
from domain.setup.passes import add_template_in, grant_pass_in
from domain.setup.schedules import ScheduleDraft, add_schedule_in
from domain.setup.spaces import add_space_in
from domain.studio import Studio
from domain.wording import N_


@dataclass(frozen=True)
class DemoLinks:
    trainer: tuple[str, str]  # (name, token)
    members: list[tuple[str, str]]
    until: datetime


async def load_demo(studio: Studio, owner_id: int) -> DemoLinks:
    return await studio.change(lambda uow: _load(uow, studio, owner_id))


async def _load(uow: UnitOfWork, studio: Studio, owner_id: int) -> DemoLinks:
    await _require_empty(uow, owner_id)
    today = studio.today()
    for name, maximum in (("Studio A", 20), ("Outdoor court", None)):
        await add_space_in(uow, owner_id, name, maximum)
    [trainer] = await invite_in(uow, studio, owner_id, Role.TRAINER, ["Demo Trainer"])
    await invite_in(uow, studio, owner_id, Role.TRAINER, ["Sam Substitute"])
    members = await invite_in(uow, studio, owner_id, Role.MEMBER, [f"Demo Member {n}" for n in (1, 2, 3)])

    def weekly(
        title: str,
        days: str,
        at: time,
        minutes: int,
        capacity: int,
        space: str,
        coach: str,
        closed_with: str | None = None,
    ) -> ScheduleDraft:
        return ScheduleDraft(title, days, today, at, timedelta(minutes=minutes), capacity, space, coach, closed_with)

    yoga = await add_schedule_in(
        uow, studio, owner_id, weekly("Yoga", "FREQ=WEEKLY;BYDAY=TU,TH", time(18), 60, 12, "Studio A", "Demo Trainer")
    )
    hiit = await add_schedule_in(
        uow,
        studio,
        owner_id,
        weekly("HIIT", "FREQ=WEEKLY;BYDAY=MO,WE,FR", time(7), 45, 8, "Outdoor court", "Sam Substitute"),
    )
    classes = await add_template_in(uow, owner_id, "10 classes", 10, 60, [yoga.title, hiit.title])
    course = await add_template_in(uow, owner_id, "Back course pass", 8, 70, [])
    course_draft = weekly(
        "Back course", "FREQ=WEEKLY;BYDAY=SA;COUNT=8", time(10), 60, 6, "Studio A", "Demo Trainer", course.name
    )
    await add_schedule_in(uow, studio, owner_id, course_draft)
    member_ids = [link.person.id for link in members]
    for member in member_ids:
        await grant_pass_in(uow, studio, owner_id, member, classes.id)
    await grant_pass_in(uow, studio, owner_id, member_ids[0], course.id)  # enrols member 1 in the course
    await _book_coming_weeks(uow, studio, owner_id, member_ids, yoga.id, hiit.id)
    return DemoLinks((trainer.label, trainer.token), [(link.label, link.token) for link in members], trainer.until)


async def _require_empty(uow: UnitOfWork, owner_id: int) -> None:
    owner = await uow.people.get(owner_id)
    if owner is None or not owner.holds(Role.OWNER):
        raise NotAllowed(N_("Only an owner can load the demo studio."))
    if await uow.spaces.all() or await uow.schedules.all() or await uow.passes.templates():
        raise SetupError(N_("The demo loads only into an empty studio, and this one has spaces or schedules already."))


async def _book_coming_weeks(
    uow: UnitOfWork, studio: Studio, owner_id: int, members: list[int], yoga_id: int, hiit_id: int
) -> None:
    start = to_utc(datetime.combine(studio.today() + timedelta(days=1), time()), studio.zone)
    coming = await occurrences_between(uow, studio.zone, start, start + timedelta(days=21))
    yoga = [o for o in coming if o.schedule.id == yoga_id][:3]
    hiit = [o for o in coming if o.schedule.id == hiit_id][:2]
    for occurrence in yoga:
        for member in members:
            await book_in(uow, studio, owner_id, occurrence.key, member)
    for occurrence in hiit:
        await book_in(uow, studio, owner_id, occurrence.key, members[1])
