"""Pass templates and passes (SPEC §1, §4): what admins grant, and granting it —
which, for a closed schedule's template, enrols the member (domain/bookings/enrol.py)."""

from __future__ import annotations

from domain.bookings.enrol import enrol
from domain.errors import NotFound
from domain.passes import Pass, PassTemplate, grant_entry
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.schedule import Schedule
from domain.setup.names import SetupError, clean_name, match, person_named
from domain.studio import Studio


async def add_template(
    studio: Studio, actor_id: int, name: str, sessions: int | None, validity_days: int, schedule_titles: list[str]
) -> PassTemplate:
    return await studio.change(
        lambda uow: add_template_in(uow, actor_id, name, sessions, validity_days, schedule_titles)
    )


async def add_template_in(
    uow: UnitOfWork, actor_id: int, name: str, sessions: int | None, validity_days: int, schedule_titles: list[str]
) -> PassTemplate:
    require_admin(await uow.people.get(actor_id))
    name = clean_name(name, "pass template")
    if sessions is not None and sessions <= 0:
        raise SetupError("Sessions is a whole number above zero, or “unlimited”.")
    if validity_days <= 0:
        raise SetupError("Validity is a number of days above zero, e.g. 60.")
    schedules = await uow.schedules.all()
    covered = [_schedule_named(schedules, title).id for title in schedule_titles]
    if await uow.passes.template_named(name) is not None:
        raise SetupError(f"A pass template called “{name}” exists already.")
    return await uow.passes.add_template(name, sessions, validity_days, covered)


async def templates(studio: Studio, actor_id: int) -> list[PassTemplate]:
    async def query(uow: UnitOfWork) -> list[PassTemplate]:
        require_admin(await uow.people.get(actor_id))
        return await uow.passes.templates()

    return await studio.read(query)


async def passes_of(studio: Studio, actor_id: int, member_name: str) -> tuple[Person, list[Pass]]:
    async def query(uow: UnitOfWork) -> tuple[Person, list[Pass]]:
        require_admin(await uow.people.get(actor_id))
        member = await person_named(uow, member_name, Role.MEMBER)
        return member, await uow.passes.of_member(member.id)

    return await studio.read(query)


async def passes_of_member(studio: Studio, actor_id: int, member_id: int) -> tuple[Person, list[Pass]]:
    """`passes_of` by the member's id, for a page button of the list."""

    async def query(uow: UnitOfWork) -> tuple[Person, list[Pass]]:
        require_admin(await uow.people.get(actor_id))
        member = await uow.people.get(member_id)
        if member is None or not member.holds(Role.MEMBER):
            raise NotFound("That member is unknown.")
        return member, await uow.passes.of_member(member.id)

    return await studio.read(query)


async def grant_pass(studio: Studio, actor_id: int, member_id: int, template_id: int) -> Pass:
    return await studio.change(lambda uow: grant_pass_in(uow, studio, actor_id, member_id, template_id))


async def grant_pass_in(uow: UnitOfWork, studio: Studio, actor_id: int, member_id: int, template_id: int) -> Pass:
    """Grant a pass (its grant entry in the ledger gives it its sessions); a closed
    schedule's pass enrols the member in that schedule's sessions."""
    require_admin(await uow.people.get(actor_id))
    member = await uow.people.get(member_id)
    if member is None or not member.holds(Role.MEMBER):
        raise NotFound("That member is unknown.")
    template = await uow.passes.template(template_id)
    if template is None or not template.active:
        raise NotFound("That pass template is unknown.")
    now = studio.now()
    pass_ = await uow.passes.add(member_id, template, now)
    await uow.passes.record([grant_entry(pass_.id, template.sessions, now)])
    granted = await uow.passes.get(pass_.id)
    assert granted is not None
    await enrol(uow, studio.zone, granted, now)
    return pass_


def _schedule_named(schedules: list[Schedule], title: str) -> Schedule:
    return match(title, [(s.title, s) for s in schedules], "schedule")
