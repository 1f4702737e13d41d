"""People (SPEC §1, §2.4, §4): who is acting, the lists of staff and members, and
appointing roles — owners appoint admins, admins appoint trainers and members."""

from __future__ import annotations

from collections.abc import Iterable

from domain.errors import NotAllowed
from domain.permissions import require_admin
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.setup.names import SetupError, match, person_labels, person_named
from domain.studio import Studio
from domain.wording import N_


async def identify(studio: Studio, telegram_user_id: int, name: str, *, configured_owner: bool) -> Person | None:
    """The person behind a Telegram user, in one unit of work. The first owners come
    from the settings: they get a person with the owner role the first time they write,
    so the domain checks them like anyone."""

    def settled(person: Person | None) -> bool:
        return not configured_owner or (person is not None and Role.OWNER in person.roles)

    async def lookup(uow: UnitOfWork) -> Person | None:
        return await uow.people.by_telegram_user(telegram_user_id)

    async def read_or_create(uow: UnitOfWork) -> Person | None:
        person = await uow.people.by_telegram_user(telegram_user_id)
        if settled(person):
            return person
        if person is None:
            return await uow.people.add(name, [Role.OWNER], studio.now(), telegram_user_id=telegram_user_id)
        return await uow.people.grant(person.id, Role.OWNER)

    # A read (no write lock, and the memo of reads) on every update; a change only for
    # a configured owner's first message.
    person = await studio.read(lookup)
    return person if settled(person) else await studio.change(read_or_create)


async def people(studio: Studio, actor_id: int, *roles: Role) -> list[tuple[str, Person]]:
    """Everyone holding any of `roles`, by the name they are shown with (`#id` added
    where someone else of the studio has the same name), sorted by it."""

    async def query(uow: UnitOfWork) -> list[tuple[str, Person]]:
        require_admin(await uow.people.get(actor_id))
        everyone = await uow.people.everyone()
        labels = person_labels(everyone)
        found = [(labels[p.id], p) for p in everyone if p.roles & set(roles)]
        return sorted(found, key=lambda item: (item[0].casefold(), item[1].id))

    return await studio.read(query)


async def labels(studio: Studio, actor_id: int) -> dict[int, str]:
    """Person id -> the name an admin sees them by (domain/setup/names.py)."""

    async def query(uow: UnitOfWork) -> dict[int, str]:
        require_admin(await uow.people.get(actor_id))
        return person_labels(await uow.people.everyone())

    return await studio.read(query)


async def find_person(studio: Studio, actor_id: int, name: str, role: Role) -> Person:
    async def query(uow: UnitOfWork) -> Person:
        require_admin(await uow.people.get(actor_id))
        return await person_named(uow, name, role)

    return await studio.read(query)


async def appoint(studio: Studio, actor_id: int, name: str, role: Role) -> Person:
    """Give someone already in the studio another role."""

    async def command(uow: UnitOfWork) -> Person:
        actor = require_admin(await uow.people.get(actor_id))
        require_may_appoint(actor, role)
        person = match(name, [(p.name, p) for p in await uow.people.everyone()], "person")
        if role in person.roles:
            raise SetupError(ALREADY[role], name=person.name)
        return await uow.people.grant(person.id, role)

    return await studio.change(command)


async def names_matching(
    studio: Studio, actor_id: int, kinds: Iterable[str], text: str, limit: int = 20
) -> list[tuple[str, str]]:
    """(kind, name) of members, trainers and spaces whose name contains `text`,
    those starting with it first: what inline mode offers as an admin types."""

    async def query(uow: UnitOfWork) -> list[tuple[str, str]]:
        require_admin(await uow.people.get(actor_id))
        found: list[tuple[str, str]] = []
        everyone = await uow.people.everyone()
        labels = person_labels(everyone)
        for kind in kinds:
            if kind == "space":
                found += [("space", s.name) for s in await uow.spaces.all() if s.active]
            else:
                found += [(kind, labels[p.id]) for p in everyone if p.holds(Role(kind))]
        return found

    found = await studio.read(query)
    wanted = " ".join(text.split()).casefold()
    hits = [(kind, name) for kind, name in found if wanted in name.casefold()]
    hits.sort(key=lambda hit: (not hit[1].casefold().startswith(wanted), hit[1].casefold(), hit[0]))
    return hits[:limit]


def require_may_appoint(actor: Person, role: Role) -> None:
    if role in (Role.ADMIN, Role.OWNER) and not actor.holds(Role.OWNER):
        raise NotAllowed(N_("Only an owner can appoint admins."))


ALREADY = {  # one sentence a role, so that a translator can inflect it
    Role.MEMBER: N_("{name} is already a member."),
    Role.TRAINER: N_("{name} is already a trainer."),
    Role.ADMIN: N_("{name} is already an admin."),
    Role.OWNER: N_("{name} is already an owner."),
}
