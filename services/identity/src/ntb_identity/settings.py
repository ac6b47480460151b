"""identity's settings: environment variables prefixed NTB_IDENTITY_."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ntbkit.settings import ServiceSettings

# For embedded mode and tests only: anyone can read it here. Deployments set
# NTB_IDENTITY_KEY_ENCRYPTION_KEY (the Helm chart takes it from a Secret).
DEVELOPMENT_KEY_ENCRYPTION_KEY = "bnRiLWRldmVsb3BtZW50LW9ubHkta2V5LTAwMDAwMDA="


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NTB_IDENTITY_", extra="ignore")

    service_name: str = "identity"
    grpc_port: int = 50051
    database_url: str = "sqlite+aiosqlite:///data/identity.db"
    database_schema: str = "identity"
    token_ttl_s: int = Field(900, description="Lifetime of an access token.")
    key_encryption_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_KEY_ENCRYPTION_KEY),
        description="Fernet key sealing the token-signing keys at rest.",
    )
    bootstrap_client_id: str = Field(
        "ntb-operator", description="Client id of the first operator's credentials."
    )
    wave_refresh_interval_s: float = Field(
        86_400.0, gt=0,
        description="Credit points older than this get a SCHEDULED point (decay, ageing).",
    )
    bootstrap_client_secret: SecretStr | None = Field(
        None, description="Its secret; unset means no bootstrap operator is created."
    )
    service_clients: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Platform services' own credentials (role service), JSON "
        '{"svc-matching": "<secret>", ...}; created or re-keyed at start-up.',
    )
