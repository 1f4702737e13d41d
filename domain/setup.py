"""Setting the studio up (SPEC §4): spaces, pass templates, schedules, passes and
people, each a command an admin (or owner) gives in one line. Bad input raises a
DomainError with a clear message and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from domain import invites
from domain.clock import Clock
from domain.errors import DomainError, NotAllowed
from domain.passes import Pass, PassTemplate
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.recurrence import original_starts, to_utc
from domain.roles import Person, Role
from domain.schedule import Schedule, Space

MAX_NAME = 100


class SetupError(DomainError):
    """A setup command that cannot be carried out as given."""


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


def clean_name(name: str, what: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise SetupError(f"The {what} needs a name.")
    if len(text) > MAX_NAME:
        raise SetupError(f"That {what} name is too long: at most {MAX_NAME} characters.")
    return text


def match(name: str, candidates: Iterable[tuple[str, object]], what: str) -> object:
    """The one candidate whose name is `name` (case-insensitive), or whose name starts
    with it when exactly one does; otherwise a clear error."""
    wanted = " ".join(name.split()).casefold()
    pool = list(candidates)
    exact = [item for label, item in pool if label.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    starting = [(label, item) for label, item in pool if label.casefold().startswith(wanted)] if wanted else []
    if len(starting) == 1:
        return starting[0][1]
    if len(starting) > 1:
        names = ", ".join(sorted(label for label, _ in starting)[:5])
        raise SetupError(f"“{name}” fits several {what}s: {names}. Type more of the name.")
    raise SetupError(f"No {what} is called “{name}”.")


class StudioSetup:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock, zone: ZoneInfo) -> None:
        self._uow = unit_of_work
        self.clock = clock
        self.zone = zone

    # -- spaces ---------------------------------------------------------------------

    async def add_space(self, actor_id: int, name: str, max_capacity: int | None = None) -> Space:
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            name = clean_name(name, "space")
            if max_capacity is not None and max_capacity <= 0:
                raise SetupError("A maximum capacity is a whole number above zero, e.g. 20.")
            if any(space.name.casefold() == name.casefold() for space in await uow.spaces.all()):
                raise SetupError(f"A space called “{name}” exists already.")
            space = await uow.spaces.add(name, max_capacity)
            await uow.commit()
            return space

    async def spaces(self, actor_id: int) -> list[Space]:
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            return await uow.spaces.all()

    # -- people -----------------------------------------------------------------------

    async def people(self, actor_id: int, role: Role) -> list[Person]:
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            return sorted(await uow.people.holding(role), key=lambda p: p.name.casefold())

    async def find_person(self, actor_id: int, name: str, role: Role) -> Person:
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            return await _person_named(uow, name, role)

    async def appoint(self, actor_id: int, name: str, role: Role) -> Person:
        """Give someone already in the studio another role: owners appoint admins,
        admins appoint trainers and members."""
        async with self._uow() as uow:
            actor = require_admin(await uow.people.get(actor_id))
            require_may_appoint(actor, role)
            people = await uow.people.everyone()
            person = match(name, [(p.name, p) for p in people], "person")
            assert isinstance(person, Person)
            if role in person.roles:
                raise SetupError(f"{person.name} is already {_a(role)}.")
            person = await uow.people.grant(person.id, role)
            await uow.commit()
            return person

    async def find_owner(self, actor_id: int) -> Person | None:
        async with self._uow() as uow:
            person = await uow.people.get(actor_id)
            return person if person is not None and person.holds(Role.OWNER) else None

    async def is_set_up(self, actor_id: int) -> bool:
        """Whether the studio holds anything an admin set up (the demo needs none)."""
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            return bool(await uow.spaces.all() or await uow.schedules.all() or await uow.passes.templates())

    async def names_matching(self, actor_id: int, kinds: Iterable[str], text: str, limit: int = 20) -> list[tuple[str, str]]:
        """(kind, name) of members, trainers and spaces whose name contains `text`,
        those starting with it first: what inline mode offers as an admin types."""
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            found: list[tuple[str, str]] = []
            for kind in kinds:
                if kind == "space":
                    found += [("space", s.name) for s in await uow.spaces.all() if s.active]
                else:
                    found += [(kind, p.name) for p in await uow.people.holding(Role(kind)) if p.active]
        wanted = " ".join(text.split()).casefold()
        hits = [(kind, name) for kind, name in found if wanted in name.casefold()]
        hits.sort(key=lambda hit: (not hit[1].casefold().startswith(wanted), hit[1].casefold(), hit[0]))
        return hits[:limit]

    # -- pass templates and passes ------------------------------------------------------

    async def add_template(
        self, actor_id: int, name: str, sessions: int | None, validity_days: int, schedule_titles: list[str]
    ) -> PassTemplate:
        async with self._uow() as uow:
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
            template = await uow.passes.add_template(name, sessions, validity_days, covered)
            await uow.commit()
            return template

    async def templates(self, actor_id: int) -> list[PassTemplate]:
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            return await uow.passes.templates()

    async def passes_of(self, actor_id: int, member_name: str) -> tuple[Person, list[Pass]]:
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            member = await _person_named(uow, member_name, Role.MEMBER)
            return member, await uow.passes.of_member(member.id)

    # -- schedules ------------------------------------------------------------------------

    async def add_schedule(self, actor_id: int, draft: ScheduleDraft) -> Schedule:
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            schedule = await self._schedule_from(uow, draft)
            saved = await uow.schedules.add(schedule)
            await uow.commit()
            return saved

    async def _schedule_from(self, uow: UnitOfWork, draft: ScheduleDraft) -> Schedule:
        title = clean_name(draft.title, "schedule")
        first_start = to_utc(datetime.combine(draft.starts_on, draft.start_time), self.zone)
        if draft.starts_on < self.clock.now().astimezone(self.zone).date():
            raise SetupError(f"The first date {draft.starts_on} is in the past; start today or later.")
        if draft.duration <= timedelta(0) or draft.duration > timedelta(hours=24):
            raise SetupError("The duration is minutes between 1 and 1440, e.g. 60.")
        if draft.capacity <= 0:
            raise SetupError("The capacity is a whole number above zero, e.g. 12.")
        space = match(draft.space, [(s.name, s) for s in await uow.spaces.all() if s.active], "space")
        assert isinstance(space, Space)
        if space.max_capacity is not None and draft.capacity > space.max_capacity:
            raise SetupError(f"{space.name} holds at most {space.max_capacity}; a capacity of {draft.capacity} does not fit.")
        trainer = await _person_named(uow, draft.trainer, Role.TRAINER)
        template_id = None
        if draft.closed_with is not None:
            templates = await uow.passes.templates()
            template = match(draft.closed_with, [(t.name, t) for t in templates if t.active], "pass template")
            assert isinstance(template, PassTemplate)
            template_id = template.id
        schedule = Schedule(
            id=0, title=title, rrule=draft.rrule, starts_on=draft.starts_on, start_time=draft.start_time,
            duration=draft.duration, default_capacity=draft.capacity, default_space_id=space.id,
            default_trainer_id=trainer.id, closed=template_id is not None, pass_template_id=template_id,
            booking_deadline=draft.booking_deadline,
        )
        horizon = first_start + timedelta(days=3 * 366)
        if not original_starts(schedule, self.zone, first_start, horizon):
            raise SetupError("That recurrence has no session from the first date on; check the days and the end.")
        return schedule

    async def schedules(self, actor_id: int) -> list[Schedule]:
        async with self._uow() as uow:
            require_admin(await uow.people.get(actor_id))
            return sorted(await uow.schedules.all(), key=lambda s: s.title.casefold())


def require_may_appoint(actor: Person, role: Role) -> None:
    if role in (Role.ADMIN, Role.OWNER) and not actor.holds(Role.OWNER):
        raise NotAllowed("Only an owner can appoint admins.")


def _a(role: Role) -> str:
    return f"an {role.value}" if role.value[0] in "aeiou" else f"a {role.value}"


async def _person_named(uow: UnitOfWork, name: str, role: Role) -> Person:
    person = match(name, [(p.name, p) for p in await uow.people.holding(role) if p.active], role.value)
    assert isinstance(person, Person)
    return person


def _schedule_named(schedules: list[Schedule], title: str) -> Schedule:
    schedule = match(title, [(s.title, s) for s in schedules], "schedule")
    assert isinstance(schedule, Schedule)
    return schedule



class Invitations:
    """Inviting people by deep link and redeeming the links (SPEC §3, §4)."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = unit_of_work
        self.clock = clock

    async def invite(self, actor_id: int, role: Role, names: list[str]) -> list[tuple[Person, str, datetime]]:
        """A link per name. Someone invited before and not linked yet gets a fresh link
        for the same record, not a second record."""
        async with self._uow() as uow:
            actor = require_admin(await uow.people.get(actor_id))
            require_may_appoint(actor, role)
            cleaned = [clean_name(name, "person") for name in names]
            if not cleaned:
                raise SetupError("Name who to invite.")
            now = self.clock.now()
            links = []
            for name in cleaned:
                person = await _unlinked_named(uow, name, role) or await uow.people.add(name, [role])
                token = invites.new_token()
                await uow.invites.add(person.id, role, invites.token_hash(token), now, now + invites.VALIDITY)
                links.append((person, token, now + invites.VALIDITY))
            await uow.commit()
            return links

    async def redeem(self, token: str, telegram_user_id: int, chat_id: int) -> tuple[Person, Role]:
        async with self._uow() as uow:
            invite = await uow.invites.by_hash(invites.token_hash(token), for_update=True)
            person = await uow.people.get(invite.person_id) if invite else None
            now = self.clock.now()
            usable = invites.check_usable(invite, now, person.name if person else "")
            assert person is not None
            linked = await uow.people.by_telegram_user(telegram_user_id)
            if linked is not None and linked.id != person.id:
                raise invites.InviteRefused(
                    f"This Telegram account is linked to {linked.name} already. "
                    "Ask the studio's admin to add the role with /appoint instead."
                )
            if person.telegram_user_id not in (None, telegram_user_id):
                raise invites.InviteRefused(f"{person.name} is linked to another Telegram account already.")
            if not await uow.invites.use(usable.id, now):  # the database decides who was first
                raise invites.InviteRefused(f"This invite for {person.name} was used already.")
            person = await uow.people.link(person.id, telegram_user_id, chat_id)
            await uow.commit()
            return person, usable.role


async def _unlinked_named(uow: UnitOfWork, name: str, role: Role) -> Person | None:
    for person in await uow.people.holding(role):
        if person.telegram_user_id is None and person.name.casefold() == name.casefold():
            return person
    return None
