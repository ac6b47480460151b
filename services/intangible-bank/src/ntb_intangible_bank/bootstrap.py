"""Composition roots of intangible-bank and of the Internet Patent Bank (the same
package, two processes: `python -m ntb_intangible_bank` and
`python -m ntb_intangible_bank.patent_bank`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

import structlog

from ntb.intangible_bank.v1 import intangible_bank_pb2_grpc
from ntb_intangible_bank.adapters.ledger import GrpcLedger, UnconfiguredLedger
from ntb_intangible_bank.adapters.unit_of_work import SqlIntangibleBankUnitOfWork
from ntb_intangible_bank.domain.assets import AssetKind
from ntb_intangible_bank.entrypoints import consumers
from ntb_intangible_bank.entrypoints.grpc_api import IntangibleBankApi
from ntb_intangible_bank.entrypoints.patent_bank_api import PatentBankApi
from ntb_intangible_bank.service.loans import LoanPolicy
from ntb_intangible_bank.service.ports import Ledger
from ntb_intangible_bank.settings import DEFAULT_MAX_LOAN_TO_VALUE, Settings
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import Builder, EventSubscription, Infrastructure, ServiceParts
from ntbkit.service_client import ServiceTokens, service_channel

MIGRATIONS = "ntb_intangible_bank:migrations"
log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _units(infrastructure: Infrastructure, *, relays: bool = True
           ) -> Callable[[], SqlIntangibleBankUnitOfWork]:
    def new_unit() -> SqlIntangibleBankUnitOfWork:
        return SqlIntangibleBankUnitOfWork(
            infrastructure.sessions, source=infrastructure.settings.service_name,
            on_commit=infrastructure.relay.wake if relays else None)
    return new_unit


def _ledger(infrastructure: Infrastructure) -> Ledger:
    """laborcoin, called with this service's own token (client credentials, role service);
    without credentials payments answer UNAVAILABLE rather than pretend money moved."""
    settings = infrastructure.settings
    assert isinstance(settings, Settings)
    if settings.service_client_id is None or settings.service_client_secret is None:
        log.warning("no service credentials: loan and deal payments answer UNAVAILABLE")
        return UnconfiguredLedger()
    tokens = ServiceTokens.from_settings(settings)
    return GrpcLedger(service_channel(settings.laborcoin_target, tokens))


def policy(settings: Settings) -> LoanPolicy:
    limits = {AssetKind(k): Decimal(v) for k, v in DEFAULT_MAX_LOAN_TO_VALUE.items()}
    limits.update({AssetKind(k): v for k, v in settings.max_loan_to_value.items()})
    return LoanPolicy(limits)


def intangible_bank(*, ledger: Ledger | None = None, clock: Clock = _now) -> Builder:
    async def build(infrastructure: Infrastructure) -> ServiceParts:
        settings = infrastructure.settings
        assert isinstance(settings, Settings)
        new_unit = _units(infrastructure)
        api = IntangibleBankApi(new_unit=new_unit, clock=clock,
                                ledger=ledger or _ledger(infrastructure),
                                policy=policy(settings))
        return ServiceParts(
            apis=[GrpcApi(
                full_name="ntb.intangible_bank.v1.IntangibleBankService",
                add_to_server=partial(
                    intangible_bank_pb2_grpc.add_IntangibleBankServiceServicer_to_server, api))],
            subscriptions=[EventSubscription(
                topics=list(consumers.TOPICS),
                handler=consumers.principals_projection(new_unit))])
    return build


def patent_bank(*, ledger: Ledger | None = None, clock: Clock = _now) -> Builder:
    async def build(infrastructure: Infrastructure) -> ServiceParts:
        # intangible-bank's relay publishes the shared outbox (see PatentBankSettings).
        api = PatentBankApi(new_unit=_units(infrastructure, relays=False), clock=clock,
                            ledger=ledger or _ledger(infrastructure))
        return ServiceParts(apis=[GrpcApi(
            full_name="ntb.intangible_bank.v1.PatentBankService",
            add_to_server=partial(
                intangible_bank_pb2_grpc.add_PatentBankServiceServicer_to_server, api))])
    return build


build = intangible_bank()
build_patent_bank = patent_bank()
