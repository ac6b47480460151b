"""fx-model's settings: environment variables prefixed NTB_FX_MODEL_."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_FX_MODEL_", extra="ignore")

    service_name: str = "fx-model"
    grpc_port: int = 50056
    database_url: str = "sqlite+aiosqlite:///data/fx-model.db"
    database_schema: str = "fx_model"
