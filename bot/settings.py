"""Process settings, exactly as SPEC §6.2: environment or `.env`."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///trainery.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRAINERY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "UTC"
    owner_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    bot_api_url: str = ""

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

    @field_validator("database_url", "bot_api_url", "bot_token")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _default_when_empty(cls, value: str) -> str:
        """`TRAINERY_DATABASE_URL=` (empty, as in a copied .env.example) means the default."""
        return value or DEFAULT_DATABASE_URL

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
