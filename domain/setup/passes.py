"""Pass templates and passes (SPEC §1, §4): what admins grant, and granting it —
which, for a closed schedule's template, enrols the member (domain/bookings/enrol.py)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.bookings.enrol import Enrolment, enrol
from domain.errors import NotFound
from domain.passes import Pass, PassTemplate, grant_entry
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.schedule import Schedule
from domain.setup.names import SetupError, clean_name, match, person_named
from domain.studio import Studio
from domain.wording import N_, Wording, ngettext, said


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
        raise SetupError(N_("Sessions is a whole number above zero, or “unlimited”."))
    if validity_days <= 0:
        raise SetupError(N_("Validity is a number of days above zero, e.g. 60."))
    schedules, existing = await uow.schedules.all(), await uow.passes.templates()
    covered = [_open_schedule(_schedule_named(schedules, title), existing).id for title in schedule_titles]
    if await uow.passes.template_named(name) is not None:
        raise SetupError(N_("A pass template called “{name}” exists already."), name=name)
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
            raise NotFound(N_("That member is unknown."))
        return member, await uow.passes.of_member(member.id)

    return await studio.read(query)


@dataclass(frozen=True)
class Grant:
    pass_: Pass
    enrolment: Enrolment | None  # None: the pass belongs to no closed schedule


async def grant_pass(studio: Studio, actor_id: int, member_id: int, template_id: int) -> Grant:
    return await studio.change(lambda uow: grant_pass_in(uow, studio, actor_id, member_id, template_id))


async def grant_pass_in(uow: UnitOfWork, studio: Studio, actor_id: int, member_id: int, template_id: int) -> Grant:
    """Grant a pass (its grant entry in the ledger gives it its sessions); a closed
    schedule's pass enrols the member in that schedule's sessions — and is refused,
    changing nothing, when it would enrol them in none."""
    require_admin(await uow.people.get(actor_id))
    member = await uow.people.get(member_id)
    if member is None or not member.holds(Role.MEMBER):
        raise NotFound(N_("That member is unknown."))
    template = await uow.passes.template(template_id)
    if template is None or not template.active:
        raise NotFound(N_("That pass template is unknown."))
    now = studio.now()
    pass_ = await uow.passes.add(member_id, template, now)
    await uow.passes.record([grant_entry(pass_.id, template.sessions, now)])
    granted = await uow.passes.get(pass_.id)
    assert granted is not None
    enrolment = await enrol(uow, studio.zone, granted, now)
    if enrolment is not None and not enrolment.booked:
        raise SetupError(_enrols_nobody(enrolment, member, template))
    return Grant(pass_, enrolment)


def _enrols_nobody(enrolment: Enrolment, member: Person, template: PassTemplate) -> Wording:
    values = {"course": enrolment.title, "name": member.name, "template": template.name}
    if enrolment.ahead == 0:
        text = ngettext(
            "{course} has no session ahead within the pass's {n} days of validity, "
            "so “{template}” would enrol {name} in none. Nothing was granted.",
            "{course} has no session ahead within the pass's {n} days of validity, "
            "so “{template}” would enrol {name} in none. Nothing was granted.",
            template.validity.days,
            **values,
        )
    elif enrolment.held == enrolment.ahead:
        text = said(
            N_(
                "{name} is booked on every session of {course} ahead already, "
                "so “{template}” would enrol {name} in none. Nothing was granted."
            ),
            **values,
        )
    else:
        text = said(
            N_(
                "every session of {course} ahead that {name} is not booked on is full, "
                "so “{template}” would enrol {name} in none. Nothing was granted."
            ),
            **values,
        )
    if enrolment.full:
        return said(
            N_(
                "{refusal} To make room, raise a session's capacity (✎ Change on its card in /sessions), then grant again."
            ),
            refusal=text,
        )
    return text


def _schedule_named(schedules: list[Schedule], title: str) -> Schedule:
    return match(title, [(s.title, s) for s in schedules], "schedule")


def _open_schedule(schedule: Schedule, templates: list[PassTemplate]) -> Schedule:
    """A closed schedule is covered by its own pass only (SPEC §1): naming it here
    would do nothing, so it is refused rather than dropped."""
    if not schedule.closed:
        return schedule
    own = next((t.name for t in templates if t.id == schedule.pass_template_id), said(N_("its own pass")))
    raise SetupError(
        N_(
            "{title} is a closed schedule: only “{own}”, the pass it was closed with, covers it "
            "(granting that pass enrols the member). Leave {title} out of this template."
        ),
        title=schedule.title,
        own=own,
    )
