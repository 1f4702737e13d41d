"""A person's own settings (SPEC §6.1 `/settings`). A person who never changed them
has the defaults; only a change is stored."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preferences:
    person_id: int
    reminders: bool = True  # a member's reminders before booked sessions
    trainer_day: bool = True  # a trainer's list of the day's sessions, in the morning
    # The language (SPEC §6.1) comes with a later issue: a field here, a column in
    # `person_settings`, a line and a button on /settings.
