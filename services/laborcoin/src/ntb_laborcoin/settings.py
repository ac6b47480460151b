"""laborcoin's settings: environment variables prefixed NTB_LABORCOIN_."""

from __future__ import annotations

import hashlib

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ntb_laborcoin.adapters.log_signer import Ed25519NoteSigner
from ntb_laborcoin.domain.log_entry import LOG_ORIGIN
from ntbkit.settings import ServiceSettings

# Embedded mode and tests only; deployments set NTB_LABORCOIN_LOG_SIGNING_KEY.
_DEVELOPMENT_SEED = hashlib.sha256(b"ntb development log key - not for production").digest()


class LaborCoinSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_LABORCOIN_", extra="ignore")

    service_name: str = "laborcoin"
    grpc_port: int = 50052
    database_url: str = "sqlite+aiosqlite:///data/laborcoin.db"
    database_schema: str = "laborcoin"
    log_signing_key: SecretStr | None = Field(
        None,
        description="C2SP signer key (PRIVATE+KEY+ntb.laborcoin/transfers+...) that signs "
        "checkpoints; unset uses a development key.",
    )
    log_seal_period_s: float = Field(0.5, description="How often the log sealer runs.")
    # Every committed transfer is an event: under load, fewer and larger relay passes.
    relay_batch_size_max: int = Field(2000, description="Outbox rows published per batch.")
    relay_linger_s: float = Field(
        0.02, description="After a wake-up, wait this long so one relay pass publishes the "
        "commits of a busy moment together.")
    # One: the calls arriving while a group is in the database all wait for the next, so
    # groups grow with load and their fixed cost (two round trips and a commit) is shared
    # by more calls. Groups read without locks, so two in flight that touch one account
    # make the later one re-run its calls alone. The ledger bench measured 1 over 2 (when
    # groups still locked): single-transfer calls 985-1,282/s against 762-769/s, batches
    # 7,155 against 6,345 transfers/s.
    transfer_groups_max: int = Field(
        1, ge=1, description="CreateTransfers groups in the database at once (group commit).")

    def log_signer(self) -> Ed25519NoteSigner:
        if self.log_signing_key is None:
            return Ed25519NoteSigner.from_seed(LOG_ORIGIN, _DEVELOPMENT_SEED)
        return Ed25519NoteSigner.from_skey(self.log_signing_key.get_secret_value())
