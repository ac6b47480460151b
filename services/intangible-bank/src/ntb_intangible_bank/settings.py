"""intangible-bank's settings: environment variables prefixed NTB_INTANGIBLE_BANK_ (the
patent bank process reads the same, see patent_bank_settings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings

DEFAULT_MAX_LOAN_TO_VALUE = {
    "PATENT_INVENTION": "0.25", "PATENT_UTILITY_MODEL": "0.15", "PATENT_DESIGN": "0.15",
    "TRADEMARK": "0.50", "COPYRIGHT": "0.30", "ARTWORK_PROPERTY": "0.30",
    "CULTURAL_PROPERTY": "0.30",
}


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_INTANGIBLE_BANK_", extra="ignore")

    service_name: str = "intangible-bank"
    grpc_port: int = 50054
    database_url: str = "sqlite+aiosqlite:///data/intangible-bank.db"
    database_schema: str = "intangible_bank"
    serves: Literal["intangible-bank", "patent-bank"] = Field(
        "intangible-bank", description="Which API this process serves: the intangible asset "
        "bank, or the Internet Patent Bank (its own Deployment of the same image, same "
        "schema).")
    laborcoin_target: str = Field(
        "127.0.0.1:50052", description="laborcoin's gRPC address (loan and deal payments).")
    max_loan_to_value: dict[str, Decimal] = Field(
        default_factory=lambda: {k: Decimal(v) for k, v in DEFAULT_MAX_LOAN_TO_VALUE.items()},
        description="Highest loan-to-value of a pledge loan by asset kind (JSON object, "
        "e.g. {\"PATENT_INVENTION\": \"0.25\"}); kinds left out keep their default.")
