"""Composition root of laborcoin: builds every part from settings, once."""

from __future__ import annotations

from functools import partial

from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_laborcoin.adapters.unit_of_work import SqlLaborCoinUnitOfWork
from ntb_laborcoin.entrypoints import consumers
from ntb_laborcoin.entrypoints.grpc_api import LaborCoinApi
from ntb_laborcoin.service import coin, ledger
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import EventSubscription, Infrastructure, ServiceParts

MIGRATIONS = "ntb_laborcoin:migrations"


async def build(infrastructure: Infrastructure) -> ServiceParts:
    def new_unit() -> SqlLaborCoinUnitOfWork:
        return SqlLaborCoinUnitOfWork(
            infrastructure.sessions, source=infrastructure.settings.service_name,
            on_commit=infrastructure.relay.wake,
        )

    await coin.ensure_platform_accounts(new_unit)
    api = LaborCoinApi(new_unit=new_unit)
    return ServiceParts(
        apis=[
            GrpcApi(
                full_name="ntb.laborcoin.v1.LaborCoinService",
                add_to_server=lambda server: (
                    laborcoin_pb2_grpc.add_LaborCoinServiceServicer_to_server(api, server)
                ),
            )
        ],
        background=[("pending-expirer", partial(ledger.run_expirer, new_unit))],
        subscriptions=[
            EventSubscription(
                topics=[consumers.PRINCIPAL_TOPIC], handler=consumers.wallet_opener(new_unit)
            ),
            EventSubscription(
                topics=[consumers.LABOR_TOPIC, consumers.VALUE_TOPIC],
                handler=consumers.labor_basis_keeper(new_unit),
            ),
        ],
    )
