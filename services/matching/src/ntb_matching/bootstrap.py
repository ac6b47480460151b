"""Composition root of matching: entrustments with signed contracts, demands and
matching, orders paid through laborcoin's escrow (with the saga's recovery worker)."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import cast

import grpc
import structlog

from ntb.matching.v1 import matching_pb2_grpc
from ntb_matching.adapters.contract_signer import Ed25519ContractSigner, Ed25519SignatureVerifier
from ntb_matching.adapters.failpoint_gateway import FailpointLedgerGateway
from ntb_matching.adapters.laborcoin_gateway import GrpcLedgerGateway
from ntb_matching.adapters.unit_of_work import SqlMatchingUnitOfWork
from ntb_matching.data import load_weights
from ntb_matching.entrypoints import consumers
from ntb_matching.entrypoints.grpc_api import MatchingApi
from ntb_matching.service import entrustments, order_saga
from ntb_matching.service.ledger_gateway import LedgerGateway
from ntb_matching.service.orders import OrderServices
from ntb_matching.settings import DEVELOPMENT_SEED_HEX, Settings
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import EventSubscription, Infrastructure, ServiceParts
from ntbkit.service_client import ServiceTokens, service_channel

MIGRATIONS = "ntb_matching:migrations"
log = structlog.get_logger(__name__)


async def build(infrastructure: Infrastructure) -> ServiceParts:
    settings = infrastructure.settings
    assert isinstance(settings, Settings)

    def new_unit() -> SqlMatchingUnitOfWork:
        return SqlMatchingUnitOfWork(infrastructure.sessions, source=settings.service_name,
                                     on_commit=infrastructure.relay.wake)

    seed_hex = settings.contract_signing_seed.get_secret_value()
    if seed_hex == DEVELOPMENT_SEED_HEX:
        log.warning("contracts countersigned with the development key; set "
                    "NTB_MATCHING_CONTRACT_SIGNING_SEED outside embedded mode")
    platform = Ed25519ContractSigner.from_seed(bytes.fromhex(seed_hex))
    key_id = hashlib.sha256(platform.public_key).hexdigest()[:32]
    ledger: LedgerGateway = GrpcLedgerGateway(_laborcoin_channel(settings),
                                              timeout_s=settings.laborcoin_timeout_s)
    if settings.failpoint:
        log.warning("failpoint armed (tests only)", failpoint=settings.failpoint)
        ledger = cast(LedgerGateway, FailpointLedgerGateway(ledger, settings.failpoint))
    saga = order_saga.SagaSettings(escrow_grace_s=settings.escrow_grace_s)
    orders = OrderServices(new_unit, ledger, saga)
    api = MatchingApi(new_unit=new_unit, platform=platform, platform_key_id=key_id,
                      verifier=Ed25519SignatureVerifier(), weights=load_weights(),
                      orders=orders)
    return ServiceParts(
        apis=[GrpcApi(
            full_name="ntb.matching.v1.MatchingService",
            add_to_server=partial(matching_pb2_grpc.add_MatchingServiceServicer_to_server, api),
            public_methods=("/ntb.matching.v1.MatchingService/GetPlatformSigningKeys",),
        )],
        subscriptions=[EventSubscription(topics=[consumers.PRINCIPAL_TOPIC, consumers.CREDIT_TOPIC],
                                         handler=consumers.persons_projection(new_unit))],
        background=[
            ("order-recovery", partial(order_saga.run_recovery, new_unit, ledger,
                                       period_s=settings.order_recovery_period_s,
                                       settings=saga)),
            ("entrustment-expiry", partial(entrustments.run_expiry, new_unit)),
        ],
    )


def _laborcoin_channel(settings: Settings) -> grpc.aio.Channel:
    """Calls to laborcoin carry matching's own service token (role `service`)."""
    return service_channel(settings.laborcoin_target, ServiceTokens.from_settings(settings))
