"""Names as admins type them: cleaned, and matched case-insensitively, a unique
beginning being enough.

Two people may share a name. Wherever that could confuse, the name is shown with the
person's number, `Anna Berg #14`, and every command that takes a name takes that form
too. `Anna Berg (new)` in an invite asks for another person of a name that exists."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.wording import N_, Wording, said

MAX_NAME = 100
_MARKED = re.compile(r"^(?P<name>.*?)\s*#(?P<id>\d{1,12})$")
_NEW = re.compile(r"^(?P<name>.*?)\s*\(new\)$", re.IGNORECASE)


class SetupError(DomainError):
    """A setup command that cannot be carried out as given."""


@dataclass(frozen=True)
class Kind:
    """The sentences about one kind of named thing, each whole, so that a translator
    can inflect the noun (`No space is called “{name}”.`)."""

    nameless: str  # its name was left out
    too_long: str  # {most}: the longest name
    several: str  # {name}: as typed; {choices}: the names it fits and how to pick one
    unknown: str  # {name}
    unknown_numbered: str  # {name}, {number}
    params: tuple[tuple[str, Any], ...] = ()  # e.g. whose open pass

    def says(self, template: str, /, **params: Any) -> Wording:
        return said(template, **dict(self.params), **params)


KINDS = {
    "space": Kind(
        N_("The space needs a name."),
        N_("That space name is too long: at most {most} characters."),
        N_("“{name}” fits several spaces: {choices}"),
        N_("No space is called “{name}”."),
        N_("No space is called “{name}”: check the name and the number (#{number})."),
    ),
    "person": Kind(
        N_("The person needs a name."),
        N_("That person name is too long: at most {most} characters."),
        N_("“{name}” fits several persons: {choices}"),
        N_("No person is called “{name}”."),
        N_("No person is called “{name}”: check the name and the number (#{number})."),
    ),
    "member": Kind(
        N_("The member needs a name."),
        N_("That member name is too long: at most {most} characters."),
        N_("“{name}” fits several members: {choices}"),
        N_("No member is called “{name}”."),
        N_("No member is called “{name}”: check the name and the number (#{number})."),
    ),
    "trainer": Kind(
        N_("The trainer needs a name."),
        N_("That trainer name is too long: at most {most} characters."),
        N_("“{name}” fits several trainers: {choices}"),
        N_("No trainer is called “{name}”."),
        N_("No trainer is called “{name}”: check the name and the number (#{number})."),
    ),
    "admin": Kind(
        N_("The admin needs a name."),
        N_("That admin name is too long: at most {most} characters."),
        N_("“{name}” fits several admins: {choices}"),
        N_("No admin is called “{name}”."),
        N_("No admin is called “{name}”: check the name and the number (#{number})."),
    ),
    "owner": Kind(
        N_("The owner needs a name."),
        N_("That owner name is too long: at most {most} characters."),
        N_("“{name}” fits several owners: {choices}"),
        N_("No owner is called “{name}”."),
        N_("No owner is called “{name}”: check the name and the number (#{number})."),
    ),
    "schedule": Kind(
        N_("The schedule needs a name."),
        N_("That schedule name is too long: at most {most} characters."),
        N_("“{name}” fits several schedules: {choices}"),
        N_("No schedule is called “{name}”."),
        N_("No schedule is called “{name}”: check the name and the number (#{number})."),
    ),
    "pass template": Kind(
        N_("The pass template needs a name."),
        N_("That pass template name is too long: at most {most} characters."),
        N_("“{name}” fits several pass templates: {choices}"),
        N_("No pass template is called “{name}”."),
        N_("No pass template is called “{name}”: check the name and the number (#{number})."),
    ),
}


def open_pass_of(member: str) -> Kind:
    """A member's open passes, by their template's name."""
    return Kind(
        N_("The open pass of {member} needs a name."),
        N_("That open pass of {member} name is too long: at most {most} characters."),
        N_("“{name}” fits several open pass of {member}s: {choices}"),
        N_("No open pass of {member} is called “{name}”."),
        N_("No open pass of {member} is called “{name}”: check the name and the number (#{number})."),
        (("member", member),),
    )


def kind(what: str | Kind) -> Kind:
    return what if isinstance(what, Kind) else KINDS[what]


class Identified(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=Identified)


def clean_name(name: str, what: str | Kind) -> str:
    text = " ".join(name.split())
    if not text:
        raise SetupError(kind(what).says(kind(what).nameless))
    if len(text) > MAX_NAME:
        raise SetupError(kind(what).says(kind(what).too_long, most=MAX_NAME))
    return text


def labelled(candidates: Iterable[tuple[str, T]]) -> list[tuple[str, T]]:
    """Each name as shown: with `#id` where another of `candidates` bears it too."""
    pool = list(candidates)
    counts = Counter(name.casefold() for name, _ in pool)
    return [(f"{name} #{item.id}" if counts[name.casefold()] > 1 else name, item) for name, item in pool]


def person_labels(people: Iterable[Person]) -> dict[int, str]:
    """Person id -> the name to show them by: `#id` added where someone else of the
    studio has the same name."""
    return {person.id: label for label, person in labelled((p.name, p) for p in people)}


def match(name: str, candidates: Iterable[tuple[str, T]], what: str | Kind) -> T:
    """The one candidate whose name is `name` (case-insensitive), or whose name starts
    with it when exactly one does, or the one `name #id` points at; otherwise a clear
    error that shows how to tell apart the ones it fits."""
    wanted = " ".join(name.split())
    pool = list(candidates)
    exact = [item for label, item in pool if label.casefold() == wanted.casefold()]
    if len(exact) == 1:
        return exact[0]
    marked = _MARKED.match(wanted)
    if marked and not exact:
        return _numbered(marked.group("name"), int(marked.group("id")), pool, what, name)
    starting = (
        [(label, item) for label, item in pool if label.casefold().startswith(wanted.casefold())] if wanted else []
    )
    if len(starting) == 1:
        return starting[0][1]
    if len(starting) > 1:
        raise SetupError(kind(what).says(kind(what).several, name=name, choices=_told_apart(starting)))
    raise SetupError(kind(what).says(kind(what).unknown, name=name))


def _told_apart(starting: list[tuple[str, T]]) -> Wording:
    """The names a typed beginning fits, and how to pick one of them."""
    shown = labelled(starting)
    names = ", ".join(sorted(label for label, _ in shown)[:5])
    marked = [label for (label, _), (name, _) in zip(shown, starting, strict=True) if label != name]
    if marked:
        return said(N_("{names}. Add the number to say which, e.g. “{example}”."), names=names, example=min(marked))
    return said(N_("{names}. Type more of the name."), names=names)


def _numbered(start: str, number: int, pool: list[tuple[str, T]], what: str | Kind, typed: str) -> T:
    """`Anna Berg #14`: the candidate with that number, if its name fits too (a typo in
    the number must not pick someone else)."""
    for label, item in pool:
        if item.id == number and label.casefold().startswith(start.casefold()):
            return item
    raise SetupError(kind(what).says(kind(what).unknown_numbered, name=typed, number=number))


@dataclass(frozen=True)
class InviteName:
    """A name as written in an invite: `Anna Berg`, `Anna Berg #14` (that person) or
    `Anna Berg (new)` (another person of a name that exists)."""

    text: str
    new: bool = False

    @classmethod
    def parse(cls, written: str) -> InviteName:
        text = clean_name(written, "person")
        new = _NEW.match(text)
        if new is None:
            return cls(text)
        name = clean_name(new.group("name"), "person")
        if _MARKED.match(name):
            raise SetupError(N_("“{name}”: a new person's name cannot end in a number like #14."), name=text)
        return cls(name, new=True)

    @property
    def number(self) -> int | None:
        marked = _MARKED.match(self.text)
        return int(marked.group("id")) if marked and not self.new else None


async def person_named(uow: UnitOfWork, name: str, role: Role) -> Person:
    return match(name, [(p.name, p) for p in await uow.people.holding(role) if p.active], role.value)
