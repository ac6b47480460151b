"""The six services of the suite: how each is built, configured and addressed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ntb_fx_model.bootstrap
import ntb_fx_model.settings
import ntb_identity.bootstrap
import ntb_identity.settings
import ntb_intangible_bank.bootstrap
import ntb_intangible_bank.patent_bank_settings
import ntb_intangible_bank.settings
import ntb_laborcoin.bootstrap
import ntb_laborcoin.settings
import ntb_matching.bootstrap
import ntb_matching.settings
import ntb_scf_exchange.bootstrap
import ntb_scf_exchange.settings
from ntbkit.runtime import Builder
from ntbkit.settings import ServiceSettings

DEVELOPMENT_OPERATOR_ID = "ntb-operator"
DEVELOPMENT_OPERATOR_SECRET = "ntb-development-operator-secret"  # embedded mode only
METRICS_PORT = 9464


@dataclass(frozen=True)
class SuiteMember:
    name: str
    module: str  # `python -m <module>` serves it alone
    env_prefix: str
    port: int
    settings_type: type[ServiceSettings]
    build: Builder
    migrations: str
    database_of: str = ""  # another member whose database (schema) this one shares

    @property
    def database(self) -> str:
        """Name of the member owning the database (schema) this member uses."""
        return self.database_of or self.name

    def settings(self, **overrides: Any) -> ServiceSettings:
        return self.settings_type(**overrides)


SUITE = (
    SuiteMember("identity", "ntb_identity", "NTB_IDENTITY_", 50051,
                ntb_identity.settings.IdentitySettings, ntb_identity.bootstrap.build,
                ntb_identity.bootstrap.MIGRATIONS),
    SuiteMember("laborcoin", "ntb_laborcoin", "NTB_LABORCOIN_", 50052,
                ntb_laborcoin.settings.LaborCoinSettings, ntb_laborcoin.bootstrap.build,
                ntb_laborcoin.bootstrap.MIGRATIONS),
    SuiteMember("matching", "ntb_matching", "NTB_MATCHING_", 50053,
                ntb_matching.settings.Settings, ntb_matching.bootstrap.build,
                ntb_matching.bootstrap.MIGRATIONS),
    SuiteMember("intangible-bank", "ntb_intangible_bank", "NTB_INTANGIBLE_BANK_", 50054,
                ntb_intangible_bank.settings.Settings, ntb_intangible_bank.bootstrap.build,
                ntb_intangible_bank.bootstrap.MIGRATIONS),
    # Wing 2, the Internet Patent Bank: intangible-bank's package serving PatentBankService
    # in its own process, on intangible-bank's schema.
    SuiteMember("patent-bank", "ntb_intangible_bank.patent_bank", "NTB_INTANGIBLE_BANK_",
                50057, ntb_intangible_bank.patent_bank_settings.PatentBankSettings,
                ntb_intangible_bank.bootstrap.build_patent_bank,
                ntb_intangible_bank.bootstrap.MIGRATIONS, database_of="intangible-bank"),
    SuiteMember("scf-exchange", "ntb_scf_exchange", "NTB_SCF_EXCHANGE_", 50055,
                ntb_scf_exchange.settings.Settings, ntb_scf_exchange.bootstrap.build,
                ntb_scf_exchange.bootstrap.MIGRATIONS),
    SuiteMember("fx-model", "ntb_fx_model", "NTB_FX_MODEL_", 50056,
                ntb_fx_model.settings.Settings, ntb_fx_model.bootstrap.build,
                ntb_fx_model.bootstrap.MIGRATIONS),
)


def development_service_secret(name: str) -> str:
    """A member's own client secret at identity in embedded and local distributed runs."""
    return f"ntb-development-{name}-service-secret"


def wiring(member: SuiteMember, target_of: Callable[[str], str]) -> dict[str, Any]:
    """Settings that connect one member to the others: addresses and credentials.

    A member that declares `<peer>_target` (e.g. `laborcoin_target`) gets the peer's
    address; every member but identity gets its own service client credentials, and
    identity creates them (development secrets; deployments bring their own).
    """
    fields = member.settings_type.model_fields
    settings: dict[str, Any] = {"identity_target": target_of("identity")}
    for peer in SUITE:
        key = f"{peer.name.replace('-', '_')}_target"
        if key in fields:
            settings[key] = target_of(peer.name)
    if member.name == "identity":
        settings["bootstrap_client_id"] = DEVELOPMENT_OPERATOR_ID
        settings["bootstrap_client_secret"] = DEVELOPMENT_OPERATOR_SECRET
        settings["service_clients"] = {
            f"svc-{other.name}": development_service_secret(other.name)
            for other in SUITE if other.name != "identity"
        }
    else:
        settings["service_client_id"] = f"svc-{member.name}"
        settings["service_client_secret"] = development_service_secret(member.name)
    return settings


def as_environment(member: SuiteMember, settings: dict[str, Any]) -> dict[str, str]:
    """The same settings as NTB_<SERVICE>_* variables (JSON for mappings)."""
    return {
        f"{member.env_prefix}{key.upper()}":
            json.dumps(value) if isinstance(value, dict) else str(value)
        for key, value in settings.items()
    }


def embedded_overrides(
    member: SuiteMember, data_dir: Path, host: str, *, port_offset: int = 0,
    metrics_port: int = METRICS_PORT,
) -> dict[str, Any]:
    """Settings of one member in embedded mode: SQLite file, memory bus, shared metrics."""
    overrides: dict[str, Any] = {
        "grpc_host": host,
        "grpc_port": member.port + port_offset,
        "database_url": f"sqlite+aiosqlite:///{data_dir / member.database}.db",
        "event_bus": "memory",
        "metrics_port": metrics_port,
    }
    ports = {other.name: other.port + port_offset for other in SUITE}
    overrides.update(wiring(member, lambda name: f"{host}:{ports[name]}"))
    return overrides
