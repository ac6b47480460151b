"""intangible-bank's settings: environment variables prefixed NTB_INTANGIBLE_BANK_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_INTANGIBLE_BANK_", extra="ignore")

    service_name: str = "intangible-bank"
    grpc_port: int = 50054
    database_url: str = "sqlite+aiosqlite:///data/intangible-bank.db"
    database_schema: str = "intangible_bank"
