"""People and their roles; who may do what (SPEC §1, §2.4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.wording import Wording, pgettext


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    TRAINER = "trainer"
    MEMBER = "member"


# A role's name where a sentence lists them ("in the studio already (admin, trainer)").
ROLE_WORDS: dict[Role, Wording] = {
    Role.OWNER: pgettext("role", "owner"),
    Role.ADMIN: pgettext("role", "admin"),
    Role.TRAINER: pgettext("role", "trainer"),
    Role.MEMBER: pgettext("role", "member"),
}


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    roles: frozenset[Role]
    telegram_user_id: int | None = None
    chat_id: int | None = None
    active: bool = True

    def holds(self, role: Role) -> bool:
        return self.active and role in self.roles

    @property
    def is_admin(self) -> bool:
        """Owners can do everything admins can."""
        return self.holds(Role.ADMIN) or self.holds(Role.OWNER)

    @property
    def is_trainer(self) -> bool:
        return self.holds(Role.TRAINER)

    @property
    def is_staff(self) -> bool:
        return self.is_admin or self.is_trainer
