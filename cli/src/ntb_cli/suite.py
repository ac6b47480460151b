"""The six services of the suite: how each is built, configured and addressed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ntb_fx_model.bootstrap
import ntb_fx_model.settings
import ntb_identity.bootstrap
import ntb_identity.settings
import ntb_intangible_bank.bootstrap
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
    SuiteMember("scf-exchange", "ntb_scf_exchange", "NTB_SCF_EXCHANGE_", 50055,
                ntb_scf_exchange.settings.Settings, ntb_scf_exchange.bootstrap.build,
                ntb_scf_exchange.bootstrap.MIGRATIONS),
    SuiteMember("fx-model", "ntb_fx_model", "NTB_FX_MODEL_", 50056,
                ntb_fx_model.settings.Settings, ntb_fx_model.bootstrap.build,
                ntb_fx_model.bootstrap.MIGRATIONS),
)


# Which other members a member calls, by the name of its target setting.
PEERS = {
    "scf-exchange": {"laborcoin_target": "laborcoin", "fx_model_target": "fx-model"},
}


def peer_targets(member: SuiteMember, host: str, *, port_offset: int = 0) -> dict[str, str]:
    """Settings naming the other members this one calls, e.g. scf-exchange's ledger."""
    ports = {m.name: m.port + port_offset for m in SUITE}
    return {setting: f"{host}:{ports[peer]}"
            for setting, peer in PEERS.get(member.name, {}).items()}


def embedded_overrides(
    member: SuiteMember, data_dir: Path, host: str, *, port_offset: int = 0,
    metrics_port: int = METRICS_PORT,
) -> dict[str, Any]:
    """Settings of one member in embedded mode: SQLite file, memory bus, shared metrics."""
    overrides: dict[str, Any] = {
        "grpc_host": host,
        "grpc_port": member.port + port_offset,
        "database_url": f"sqlite+aiosqlite:///{data_dir / member.name}.db",
        "event_bus": "memory",
        "identity_target": f"{host}:{SUITE[0].port + port_offset}",
        "metrics_port": metrics_port,
        **peer_targets(member, host, port_offset=port_offset),
    }
    if member.name == "identity":
        overrides["bootstrap_client_id"] = DEVELOPMENT_OPERATOR_ID
        overrides["bootstrap_client_secret"] = DEVELOPMENT_OPERATOR_SECRET
    return overrides
