"""matching's settings: environment variables prefixed NTB_MATCHING_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_MATCHING_", extra="ignore")

    service_name: str = "matching"
    grpc_port: int = 50053
    database_url: str = "sqlite+aiosqlite:///data/matching.db"
    database_schema: str = "matching"
