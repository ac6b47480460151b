"""Composition root of scf-exchange: alliances, the three flows, credit sharing,
pricing, financing products with bids, letters of credit, securitization, and the
scheduler that settles at maturity (DESIGN.md 4.5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import grpc

from ntb.scf_exchange.v1 import scf_exchange_pb2_grpc
from ntb_scf_exchange.adapters.clients.fx import GrpcFxRates
from ntb_scf_exchange.adapters.clients.ledger import GrpcLedger
from ntb_scf_exchange.adapters.clients.ratings import GrpcDirectory, GrpcRatings
from ntb_scf_exchange.adapters.unit_of_work import SqlScfUnitOfWork
from ntb_scf_exchange.entrypoints import metrics
from ntb_scf_exchange.entrypoints.grpc_api import ScfExchangeApi
from ntb_scf_exchange.service import settlement
from ntb_scf_exchange.service.financing import Ports
from ntb_scf_exchange.service.unit_of_work import Clock
from ntb_scf_exchange.settings import Settings
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import Builder, Infrastructure, ServiceParts
from ntbkit.service_client import ServiceTokens, service_channel

MIGRATIONS = "ntb_scf_exchange:migrations"


def _now() -> datetime:
    return datetime.now(UTC)


def default_ports(settings: Settings) -> Ports:
    """laborcoin and identity are called with scf-exchange's own service token (client
    credentials from identity); fx-model's reads are public."""
    tokens = ServiceTokens.from_settings(settings)
    identity = service_channel(settings.identity_target, tokens)
    return Ports(
        ledger=GrpcLedger(service_channel(settings.laborcoin_target, tokens)),
        ratings=GrpcRatings(identity), directory=GrpcDirectory(identity),
        fx=GrpcFxRates(grpc.aio.insecure_channel(settings.fx_model_target),
                       year=settings.fx_rate_year, model=settings.fx_rate_model))


def builder(*, ports: Callable[[Settings], Ports] = default_ports, clock: Clock = _now
            ) -> Builder:
    """The service's parts; tests swap the other services (ports) and the clock."""

    async def build(infrastructure: Infrastructure) -> ServiceParts:
        settings = infrastructure.settings
        assert isinstance(settings, Settings)

        def new_unit() -> SqlScfUnitOfWork:
            return SqlScfUnitOfWork(infrastructure.sessions, source=settings.service_name,
                                    on_commit=infrastructure.relay.wake)

        the_ports = ports(settings)
        terms = settlement.Terms(late_fee_rate=settings.late_fee_rate,
                                 grace_days=settings.grace_days)
        api = ScfExchangeApi(new_unit=new_unit, ports=the_ports, terms=terms, clock=clock)
        scheduler = partial(settlement.run_scheduler, new_unit, the_ports, terms=terms,
                            clock=clock, period_s=settings.scheduler_period_s)
        return ServiceParts(
            apis=[GrpcApi(full_name="ntb.scf_exchange.v1.ScfExchangeService",
                          add_to_server=partial(
                              scf_exchange_pb2_grpc.add_ScfExchangeServiceServicer_to_server,
                              api))],
            background=[("settlement-scheduler", scheduler),
                        ("analytics-gauges", partial(metrics.refresh_gauges, new_unit))],
        )

    return build


build = builder()
