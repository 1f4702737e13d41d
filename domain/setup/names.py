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
from typing import Protocol, TypeVar

from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.roles import Person, Role

MAX_NAME = 100
_MARKED = re.compile(r"^(?P<name>.*?)\s*#(?P<id>\d{1,12})$")
_NEW = re.compile(r"^(?P<name>.*?)\s*\(new\)$", re.IGNORECASE)


class SetupError(DomainError):
    """A setup command that cannot be carried out as given."""


class Identified(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=Identified)


def clean_name(name: str, what: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise SetupError(f"The {what} needs a name.")
    if len(text) > MAX_NAME:
        raise SetupError(f"That {what} name is too long: at most {MAX_NAME} characters.")
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


def match(name: str, candidates: Iterable[tuple[str, T]], what: str) -> T:
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
        raise SetupError(f"“{name}” fits several {what}s: {_told_apart(starting)}")
    raise SetupError(f"No {what} is called “{name}”.")


def _told_apart(starting: list[tuple[str, T]]) -> str:
    """The names a typed beginning fits, and how to pick one of them."""
    shown = labelled(starting)
    names = ", ".join(sorted(label for label, _ in shown)[:5])
    marked = [label for (label, _), (name, _) in zip(shown, starting, strict=True) if label != name]
    if marked:
        return f"{names}. Add the number to say which, e.g. “{min(marked)}”."
    return f"{names}. Type more of the name."


def _numbered(start: str, number: int, pool: list[tuple[str, T]], what: str, typed: str) -> T:
    """`Anna Berg #14`: the candidate with that number, if its name fits too (a typo in
    the number must not pick someone else)."""
    for label, item in pool:
        if item.id == number and label.casefold().startswith(start.casefold()):
            return item
    raise SetupError(f"No {what} is called “{typed}”: check the name and the number (#{number}).")


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
            raise SetupError(f"“{text}”: a new person's name cannot end in a number like #14.")
        return cls(name, new=True)

    @property
    def number(self) -> int | None:
        marked = _MARKED.match(self.text)
        return int(marked.group("id")) if marked and not self.new else None


async def person_named(uow: UnitOfWork, name: str, role: Role) -> Person:
    return match(name, [(p.name, p) for p in await uow.people.holding(role) if p.active], role.value)
