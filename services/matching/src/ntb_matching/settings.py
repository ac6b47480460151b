"""matching's settings: environment variables prefixed NTB_MATCHING_."""

from __future__ import annotations

import hashlib

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings

# Embedded mode and tests only; deployments set NTB_MATCHING_CONTRACT_SIGNING_SEED.
DEVELOPMENT_SEED_HEX = hashlib.sha256(b"ntb development contract key - not for production"
                                      ).hexdigest()


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_MATCHING_", extra="ignore")

    service_name: str = "matching"
    grpc_port: int = 50053
    database_url: str = "sqlite+aiosqlite:///data/matching.db"
    database_schema: str = "matching"
    laborcoin_target: str = Field(
        "127.0.0.1:50052", description="host:port of laborcoin (escrow, purchases, settlement).")
    laborcoin_timeout_s: float = Field(10.0, description="Deadline of each call to laborcoin.")
    order_recovery_period_s: float = Field(
        2.0, description="How often unfinished order sagas are resumed and expired escrows "
        "looked up.")
    escrow_grace_s: int = Field(
        14 * 86_400, description="An escrow's reservation lasts until the order is due plus "
        "this long; then laborcoin releases it to the buyer and the order is cancelled.")
    failpoint: str = Field(
        "", description="Tests only: \"exit-after:<ledger call>\" makes the process exit "
        "right after that call to laborcoin returned (saga crash-point tests).")
    contract_signing_seed: SecretStr = Field(
        SecretStr(DEVELOPMENT_SEED_HEX),
        description="Hex of the platform's 32-byte Ed25519 seed that countersigns contracts.",
    )
