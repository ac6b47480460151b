"""scf-exchange's settings: environment variables prefixed NTB_SCF_EXCHANGE_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_SCF_EXCHANGE_", extra="ignore")

    service_name: str = "scf-exchange"
    grpc_port: int = 50055
    database_url: str = "sqlite+aiosqlite:///data/scf-exchange.db"
    database_schema: str = "scf_exchange"
