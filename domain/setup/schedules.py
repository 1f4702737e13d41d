"""Schedules (SPEC §1, §4): recurring trainings, open or closed, checked before they
are stored — a first date ahead, a duration and capacity that make sense, a space
that holds the capacity, and a rule that yields at least one session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.directory import Directory, load_directory
from domain.errors import DomainError
from domain.listing import merge_occurrences
from domain.occurrence import Occurrence
from domain.passes import PassTemplate
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.recurrence import original_starts, to_utc
from domain.roles import Role
from domain.schedule import Schedule
from domain.schedule_review import HORIZON, ScheduleWarning, first_start, review_schedule
from domain.setup.names import SetupError, clean_name, match, person_named
from domain.studio import Studio
from domain.wording import N_


@dataclass(frozen=True)
class ScheduleDraft:
    title: str
    rrule: str
    starts_on: date
    start_time: time
    duration: timedelta
    capacity: int
    space: str
    trainer: str
    closed_with: str | None = None  # the pass template of a closed schedule
    booking_deadline: timedelta | None = None
    private: bool = False  # 1:1: capacity 1, booked by staff only


TOO_MANY_FOR_SPACE = N_("{space} holds at most {most}; a capacity of {capacity} does not fit.")


class ScheduleNeedsConfirmation(DomainError):
    """The new schedule has warnings (domain/schedule_review.py): stored only once the
    admin confirms them. Nothing was stored."""

    message = N_("This schedule has warnings that need your confirmation.")

    def __init__(self, schedule: Schedule, warnings: list[ScheduleWarning], names: Directory) -> None:
        super().__init__()
        self.schedule, self.warnings, self.names = schedule, warnings, names


async def add_schedule(studio: Studio, actor_id: int, draft: ScheduleDraft, *, confirmed: bool = False) -> Schedule:
    return await studio.change(lambda uow: add_schedule_in(uow, studio, actor_id, draft, confirmed=confirmed))


async def add_schedule_in(
    uow: UnitOfWork, studio: Studio, actor_id: int, draft: ScheduleDraft, *, confirmed: bool = False
) -> Schedule:
    """Store the schedule; unless `confirmed`, first raise ScheduleNeedsConfirmation
    with its warnings, if it has any."""
    require_admin(await uow.people.get(actor_id))
    schedule = await _schedule_from(uow, studio, draft)
    if not confirmed:
        warnings = await schedule_warnings_in(uow, studio, schedule)
        if warnings:
            raise ScheduleNeedsConfirmation(schedule, warnings, await load_directory(uow))
    return await uow.schedules.add(schedule)


async def schedule_warnings_in(
    uow: UnitOfWork, studio: Studio, schedule: Schedule, since: datetime | None = None
) -> list[ScheduleWarning]:
    """The existing occurrences that could meet the new schedule's first year (or, for
    an edit, its year from `since`), then its review. Only schedules in its space or
    with its trainer are expanded (a year of a studio's every schedule is tens of
    thousands of occurrences); any other schedule's session can only meet it through
    an override, and overridden ones have records."""
    schedules = await uow.schedules.all()
    start = first_start(schedule, studio.zone) if since is None else max(since, first_start(schedule, studio.zone))
    low = start - max([s.longest for s in schedules], default=timedelta(0))
    high = start + HORIZON + schedule.duration
    records = await uow.occurrences.touching(low, high)
    alike = [
        s
        for s in schedules
        if s.default_space_id == schedule.default_space_id
        or s.default_trainer_id == schedule.default_trainer_id
        or s.eras
    ]
    existing = merge_occurrences(alike, studio.zone, low, high, records, {})
    others = {s.id: s for s in schedules if s not in alike}
    existing += [
        Occurrence.of(others[r.schedule_id], r) for r in records if r.schedule_id in others and low <= r.start < high
    ]
    return review_schedule(schedule, studio.zone, existing, since)


async def list_schedules(studio: Studio, actor_id: int) -> list[Schedule]:
    async def query(uow: UnitOfWork) -> list[Schedule]:
        require_admin(await uow.people.get(actor_id))
        return sorted(await uow.schedules.all(), key=lambda s: s.title.casefold())

    return await studio.read(query)


async def schedules_screen(studio: Studio, actor_id: int) -> tuple[list[Schedule], Directory, dict[int, PassTemplate]]:
    """The schedules with the names of their spaces, trainers and pass templates
    (a closed schedule's own), for `/schedules`."""

    async def query(uow: UnitOfWork) -> tuple[list[Schedule], Directory, dict[int, PassTemplate]]:
        require_admin(await uow.people.get(actor_id))
        found = sorted(await uow.schedules.all(), key=lambda s: s.title.casefold())
        return found, await load_directory(uow), {t.id: t for t in await uow.passes.templates()}

    return await studio.read(query)


async def _schedule_from(uow: UnitOfWork, studio: Studio, draft: ScheduleDraft) -> Schedule:
    title = clean_name(draft.title, "schedule")
    existing = await uow.schedules.all()
    if any(s.title.casefold() == title.casefold() for s in existing):
        raise SetupError(
            N_(
                "A schedule called “{title}” exists already. Titles tell schedules apart in /sessions and "
                "/template_add: pick another, e.g. “{title} (evening)”."
            ),
            title=title,
        )
    first_start = to_utc(datetime.combine(draft.starts_on, draft.start_time), studio.zone)
    if draft.starts_on < studio.today():
        raise SetupError(N_("The first date {day} is in the past; start today or later."), day=draft.starts_on)
    if draft.duration <= timedelta(0) or draft.duration > timedelta(hours=24):
        raise SetupError(N_("The duration is minutes between 1 and 1440, e.g. 60."))
    if draft.capacity <= 0:
        raise SetupError(N_("The capacity is a whole number above zero, e.g. 12."))
    _check_private(draft)
    space = match(draft.space, [(s.name, s) for s in await uow.spaces.all() if s.active], "space")
    if space.max_capacity is not None and draft.capacity > space.max_capacity:
        raise SetupError(TOO_MANY_FOR_SPACE, space=space.name, most=space.max_capacity, capacity=draft.capacity)
    trainer = await person_named(uow, draft.trainer, Role.TRAINER)
    template: PassTemplate | None = None
    if draft.closed_with is not None:
        active = [(t.name, t) for t in await uow.passes.templates() if t.active]
        template = _own_template(match(draft.closed_with, active, "pass template"), title, existing)
    schedule = Schedule(
        id=0,
        title=title,
        rrule=draft.rrule,
        starts_on=draft.starts_on,
        start_time=draft.start_time,
        duration=draft.duration,
        default_capacity=draft.capacity,
        default_space_id=space.id,
        default_trainer_id=trainer.id,
        closed=template is not None,
        pass_template_id=None if template is None else template.id,
        booking_deadline=draft.booking_deadline,
        private=draft.private,
    )
    horizon = first_start + timedelta(days=3 * 366)
    if not original_starts(schedule, studio.zone, first_start, horizon):
        raise SetupError(N_("That recurrence has no session from the first date on; check the days and the end."))
    return schedule


def _check_private(draft: ScheduleDraft) -> None:
    """A private session is one member's: capacity 1, and booked by staff, so it
    cannot also be a closed course that enrols whoever holds its pass."""
    if not draft.private:
        return
    if draft.capacity != 1:
        raise SetupError(
            N_(
                "A private session is for one member, so its capacity is 1, not {capacity}. "
                "Write 1 as the capacity, or leave out “private” for a class."
            ),
            capacity=draft.capacity,
        )
    if draft.closed_with is not None:
        raise SetupError(
            N_(
                "A private session cannot be closed too: staff book its member from the session card. "
                "Leave out “closed …”, or “private” for a course."
            )
        )


def _own_template(template: PassTemplate, title: str, schedules: list[Schedule]) -> PassTemplate:
    """A closed schedule owns its pass template (SPEC §1): one that covers open
    schedules would enrol whoever is granted it, unseen; one that belongs to another
    closed schedule would enrol them in both."""
    covered = sorted(s.title for s in schedules if s.id in template.covered_schedule_ids)
    if covered:
        raise SetupError(
            N_(
                "“{name}” covers {covered}, so it is not a closed schedule's own pass: "
                "granting it would enrol its members in {title} too. Add a template for {title} alone, "
                "e.g. /template_add {title} pass; 8; 70 (no schedules), and close {title} with that."
            ),
            name=template.name,
            covered=", ".join(covered),
            title=title,
        )
    owner = next((s for s in schedules if s.closed and s.pass_template_id == template.id), None)
    if owner is not None:
        raise SetupError(
            N_(
                "“{name}” belongs to the closed schedule {owner} already; each closed schedule "
                "needs a template of its own. Add one, e.g. /template_add {title} pass; 8; 70."
            ),
            name=template.name,
            owner=owner.title,
            title=title,
        )
    return template
