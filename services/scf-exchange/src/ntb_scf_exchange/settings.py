"""scf-exchange's settings: environment variables prefixed NTB_SCF_EXCHANGE_."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_SCF_EXCHANGE_", extra="ignore")

    service_name: str = "scf-exchange"
    grpc_port: int = 50055
    database_url: str = "sqlite+aiosqlite:///data/scf-exchange.db"
    database_schema: str = "scf_exchange"
    laborcoin_target: str = Field("127.0.0.1:50052",
                                  description="laborcoin's gRPC address (the ledger).")
    fx_model_target: str = Field("127.0.0.1:50056",
                                 description="fx-model's gRPC address (cross-border rates).")
    fx_rate_year: int = Field(2013, description="Year of the fx-model data the rates use.")
    fx_rate_model: str = Field("LABOR_PRODUCTIVITY_PARITY",
                               description="fx-model RateModel name without its prefix.")
    late_fee_rate: Decimal = Field(Decimal("0.18"),
                                   description="Annual late-fee rate on face, per day late/360.")
    grace_days: int = Field(30, description="Days past maturity before an unpaid financing "
                                            "defaults automatically.")
    scheduler_period_s: float = Field(1.0, description="How often due settlements are looked "
                                                       "for.")
