"""The Internet Patent Bank process's settings: environment variables prefixed
NTB_PATENT_BANK_. It shares intangible-bank's database schema (its own pb_* tables,
the same migrations) and its outbox, which intangible-bank's relay publishes."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings


class PatentBankSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_PATENT_BANK_", extra="ignore")

    service_name: str = "patent-bank"
    grpc_port: int = 50057
    database_url: str = "sqlite+aiosqlite:///data/intangible-bank.db"
    database_schema: str = "intangible_bank"
    relay_poll_interval_s: float = Field(
        1.0, description="The schema's one outbox is relayed by intangible-bank's process, "
        "which polls it often; this process's relay only sweeps it now and then (rarely a "
        "row goes out twice; consumers drop it by its event id).")
    laborcoin_target: str = Field(
        "127.0.0.1:50052", description="laborcoin's gRPC address (upfront fees, prices, "
        "royalties).")
