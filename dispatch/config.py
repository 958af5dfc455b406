"""Settings from environment variables (or .env); the only place the environment is read."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Deployment settings; with none set, Purna runs embedded on a SQLite file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./purna.db"
    sql_echo: bool = False
    default_timezone: str = "Asia/Jakarta"
    geocoder: Literal["none", "nominatim"] = "none"
    geocoder_user_agent: str = "purna/0.1"  # Nominatim asks every client to identify itself
    geocoder_timeout_s: float = Field(default=5.0, gt=0)


@cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
