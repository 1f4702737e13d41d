"""Process settings, exactly as SPEC §6.2: environment or `.env`."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.reminders.policy import DEFAULT_LEADS, NoticePolicy, parse_leads

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///trainery.sqlite3"
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRAINERY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "UTC"
    # Who has chosen no language of ours and whose Telegram speaks none reads this one.
    language: str = "en"
    owner_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    bot_api_url: str = ""
    # Webhook mode when webhook_url is set (README "Running in production"); else long polling.
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: str = ""  # empty: generated once and kept in the database
    # /healthz and /metrics on their own small server; off when the port is unset.
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_listen: str = "127.0.0.1"
    # Days a pass's expiry moves on for each of its sessions cancelled by the studio; 0: off.
    pass_extension_days: int = Field(default=0, ge=0, le=366)
    # Timed notices (README "What people are told, and when"): lead times of members'
    # reminders (empty: none), the hour of the trainer's day (empty: none), and how
    # many days before its expiry a pass with sessions left is announced (0: never).
    reminders: str = DEFAULT_LEADS
    trainer_day_at: str = "07:00"
    pass_warning_days: int = Field(default=7, ge=0, le=365)
    # Updates handled at once, each chat's in order (bot/update_order.py); 1: one at a time.
    concurrent_updates: int = Field(default=32, ge=1, le=1024)

    @field_validator("owner_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(" ", "").split(",") if part]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Europe/Berlin)") from error
        return value

    @field_validator("language")
    @classmethod
    def _our_language(cls, value: str) -> str:
        from bot.i18n import LANGUAGES

        language = value.strip().lower()
        if language not in LANGUAGES:
            raise ValueError(f"{value!r} is not one of the bot's languages: {', '.join(LANGUAGES)}")
        return language

    @field_validator("database_url", "bot_api_url", "bot_token", "webhook_url", "webhook_secret")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("health_port", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        """`TRAINERY_HEALTH_PORT=` (empty, as in .env.example) means off."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("expected the public https:// address Telegram posts updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: str) -> str:
        if value and not SECRET_TOKEN.fullmatch(value):
            raise ValueError("Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - (or leave it empty)")
        return value

    @field_validator("database_url")
    @classmethod
    def _default_when_empty(cls, value: str) -> str:
        """`TRAINERY_DATABASE_URL=` (empty, as in a copied .env.example) means the default."""
        return value or DEFAULT_DATABASE_URL

    @field_validator("reminders")
    @classmethod
    def _lead_times(cls, value: str) -> str:
        parse_leads(value)  # a ValueError says what is wrong, e.g. "'2x' is not a lead time; …"
        return value.strip()

    @field_validator("trainer_day_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"{value!r} is not a time of day; write HH:MM like 07:00, or leave it empty for none")
        return value

    @field_validator("pass_warning_days", "pass_extension_days", mode="before")
    @classmethod
    def _zero_when_empty(cls, value: object) -> object:
        return 0 if isinstance(value, str) and not value.strip() else value

    @property
    def notice_policy(self) -> NoticePolicy:
        at = time.fromisoformat(self.trainer_day_at.zfill(5)) if self.trainer_day_at else None
        return NoticePolicy(parse_leads(self.reminders), at, self.pass_warning_days)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
