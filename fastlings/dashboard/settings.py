"""The dashboard's settings: read once per process through `get_settings`, never at import."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FASTLINGS_DASHBOARD_")

    db_url: str = "sqlite+aiosqlite:///.fastlings/dashboard/dashboard.db"
    instructor_token: str = Field(min_length=16)
    join_code: str = Field(min_length=4)
    events_per_minute: int = Field(default=120, ge=1)
    """Each learner's limit; a watch loop sends one event per save."""


@lru_cache
def get_settings() -> Settings:
    return Settings()  # the server sets the environment
