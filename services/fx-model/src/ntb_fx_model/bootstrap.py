"""Composition root of fx-model: the packaged indicators, served read-only for now."""

from __future__ import annotations

from functools import partial

from ntb.fx_model.v1 import fx_model_pb2_grpc
from ntb_fx_model.domain import load_default_indicators
from ntb_fx_model.entrypoints.grpc_api import PUBLIC_METHODS, FxModelApi
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import Infrastructure, ServiceParts

MIGRATIONS = "ntb_fx_model:migrations"


async def build(infrastructure: Infrastructure) -> ServiceParts:
    table = load_default_indicators()
    api = FxModelApi(active_table=lambda: table)
    return ServiceParts(
        apis=[
            GrpcApi(
                full_name="ntb.fx_model.v1.FxModelService",
                add_to_server=partial(fx_model_pb2_grpc.add_FxModelServiceServicer_to_server, api),
                public_methods=PUBLIC_METHODS,
            )
        ]
    )
