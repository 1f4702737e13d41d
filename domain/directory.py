"""Spaces and trainers by id: for showing names and offering choices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from domain.ports import UnitOfWork
from domain.roles import Person, Role
from domain.schedule import Space
from domain.setup.names import person_labels


@dataclass(frozen=True)
class Directory:
    spaces: Mapping[int, Space]
    trainers: Mapping[int, Person]

    def space_name(self, space_id: int) -> str:
        space = self.spaces.get(space_id)
        return space.name if space else f"space {space_id}"

    def trainer_name(self, trainer_id: int) -> str:
        """With `#id` when another trainer has the same name, so pickers and lists tell them apart."""
        trainer = self.trainers.get(trainer_id)
        return self._trainer_labels.get(trainer_id, trainer.name) if trainer else f"trainer {trainer_id}"

    @cached_property
    def _trainer_labels(self) -> dict[int, str]:
        return person_labels(self.trainers.values())

    def active_spaces(self) -> list[Space]:
        return [space for space in self.spaces.values() if space.active]

    def active_trainers(self) -> list[Person]:
        return [person for person in self.trainers.values() if person.is_trainer]


async def load_directory(uow: UnitOfWork) -> Directory:
    """Kept in the memo of reads (ports.Memo) until anything changes."""
    kept = uow.memo.get(DIRECTORY)
    if isinstance(kept, Directory):
        return kept
    directory = Directory(
        spaces={space.id: space for space in await uow.spaces.all()},
        trainers={person.id: person for person in await uow.people.holding(Role.TRAINER)},
    )
    uow.memo.put(DIRECTORY, directory)
    return directory


DIRECTORY = ("directory",)
