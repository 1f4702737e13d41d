"""A person's own settings (SPEC §6.1 `/settings`). A person who never changed them
has the defaults; only a change is stored."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preferences:
    person_id: int
    reminders: bool = True  # a member's reminders before booked sessions
    trainer_day: bool = True  # a trainer's list of the day's sessions, in the morning
    language: str | None = None  # their own choice (a code the bot knows); None: not chosen


@dataclass(frozen=True)
class Languages:
    """What decides a linked person's language (SPEC §3): their own choice, else the
    last language Telegram sent for them that the bot knows, else the studio's."""

    person_id: int
    chosen: str | None = None
    telegram: str | None = None
