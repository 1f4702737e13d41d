"""SPEC §2.4, checked inside every domain command from the acting person."""

from __future__ import annotations

from domain.errors import NotAllowed
from domain.occurrence import Occurrence
from domain.roles import Person
from domain.wording import N_


def may_view_sessions(person: Person | None) -> bool:
    return person is not None and person.is_staff


def may_change(person: Person | None, occurrence: Occurrence) -> bool:
    """Admins change every session; trainers only the ones they lead now."""
    if person is None or not person.active:
        return False
    return person.is_admin or (person.is_trainer and occurrence.trainer_id == person.id)


def require_view_sessions(person: Person | None) -> Person:
    if person is None or not may_view_sessions(person):
        raise NotAllowed(N_("Only trainers and admins can see the session list."))
    return person


def require_change(person: Person | None, occurrence: Occurrence) -> Person:
    if person is None or not may_change(person, occurrence):
        raise NotAllowed(N_("Only an admin or the trainer who leads this session can change it."))
    return person


def require_admin(person: Person | None) -> Person:
    if person is None or not person.is_admin:
        raise NotAllowed(N_("Only admins can do that."))
    return person
