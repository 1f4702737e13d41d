"""Names as admins type them: cleaned, and matched case-insensitively, a unique
beginning being enough."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from domain.errors import DomainError
from domain.ports import UnitOfWork
from domain.roles import Person, Role

MAX_NAME = 100
T = TypeVar("T")


class SetupError(DomainError):
    """A setup command that cannot be carried out as given."""


def clean_name(name: str, what: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise SetupError(f"The {what} needs a name.")
    if len(text) > MAX_NAME:
        raise SetupError(f"That {what} name is too long: at most {MAX_NAME} characters.")
    return text


def match(name: str, candidates: Iterable[tuple[str, T]], what: str) -> T:
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


async def person_named(uow: UnitOfWork, name: str, role: Role) -> Person:
    return match(name, [(p.name, p) for p in await uow.people.holding(role) if p.active], role.value)
