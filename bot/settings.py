"""Process settings, exactly as SPEC §6.2: environment or `.env`."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///trainery.sqlite3"
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRAINERY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "UTC"
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

    @field_validator("database_url", "bot_api_url", "bot_token", "webhook_url", "webhook_secret")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("health_port", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        """`TRAINERY_HEALTH_PORT=` (empty, as in .env.example) means off."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("pass_extension_days", mode="before")
    @classmethod
    def _zero_when_empty(cls, value: object) -> object:
        """`TRAINERY_PASS_EXTENSION_DAYS=` (empty) means off."""
        return 0 if isinstance(value, str) and not value.strip() else value

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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
