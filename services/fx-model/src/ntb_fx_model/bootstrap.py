"""Composition root of fx-model: builds every part from settings, once."""

from __future__ import annotations

from ntb.fx_model.v1 import fx_model_pb2_grpc
from ntb_fx_model.adapters.unit_of_work import SqlFxUnitOfWork
from ntb_fx_model.entrypoints import consumers
from ntb_fx_model.entrypoints.grpc_api import PUBLIC_METHODS, FxModelApi
from ntb_fx_model.service.handlers import ActiveDatasets, FxQueries
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import EventSubscription, Infrastructure, ServiceParts

MIGRATIONS = "ntb_fx_model:migrations"


async def build(infrastructure: Infrastructure) -> ServiceParts:
    def new_unit() -> SqlFxUnitOfWork:
        return SqlFxUnitOfWork(
            infrastructure.sessions, source=infrastructure.settings.service_name,
            on_commit=infrastructure.relay.wake,
        )

    active = ActiveDatasets()
    api = FxModelApi(queries=FxQueries(new_unit=new_unit, active=active))
    return ServiceParts(
        apis=[
            GrpcApi(
                full_name="ntb.fx_model.v1.FxModelService",
                add_to_server=lambda server: (
                    fx_model_pb2_grpc.add_FxModelServiceServicer_to_server(api, server)
                ),
                public_methods=PUBLIC_METHODS,
            )
        ],
        subscriptions=[
            EventSubscription(
                topics=[consumers.PRICE_TOPIC],
                handler=consumers.price_consumer(new_unit, active),
            )
        ],
    )
