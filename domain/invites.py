"""Invites (SPEC §3, §4): a deep link `/start <token>` that links a person's Telegram
chat to their record. A token is unguessable, works once, expires after 7 days and
says who it was for. Only a hash of it is stored, so a database copy opens nothing."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import DomainError
from domain.roles import Role
from domain.wording import N_

VALIDITY = timedelta(days=7)
TOKEN_BYTES = 24  # 192 random bits; Telegram allows 64 characters of [A-Za-z0-9_-]


class InviteRefused(DomainError):
    message = N_("This invite link is not valid. Ask the studio's admin for a new one.")


@dataclass(frozen=True)
class Invite:
    id: int
    person_id: int
    role: Role
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_usable(invite: Invite | None, now: datetime, name: str) -> Invite:
    if invite is None:
        raise InviteRefused()
    if invite.used_at is not None:
        raise InviteRefused(
            N_("This invite for {name} was used already. Ask the studio's admin for a new one."), name=name
        )
    if now >= invite.expires_at:
        raise InviteRefused(N_("This invite for {name} expired. Ask the studio's admin for a new one."), name=name)
    return invite
