"""laborcoin's settings: environment variables prefixed NTB_LABORCOIN_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings


class LaborCoinSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_LABORCOIN_", extra="ignore")

    service_name: str = "laborcoin"
    grpc_port: int = 50052
    database_url: str = "sqlite+aiosqlite:///data/laborcoin.db"
    database_schema: str = "laborcoin"
