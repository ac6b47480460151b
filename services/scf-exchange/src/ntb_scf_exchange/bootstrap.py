"""Composition root of scf-exchange.

Its RPCs answer UNIMPLEMENTED (the generated base servicer) until its issue lands;
the process still runs the whole runtime: migrations, outbox relay, health, metrics.
"""

from __future__ import annotations

from functools import partial

from ntb.scf_exchange.v1 import scf_exchange_pb2_grpc
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import Infrastructure, ServiceParts

MIGRATIONS = "ntb_scf_exchange:migrations"


async def build(infrastructure: Infrastructure) -> ServiceParts:
    return ServiceParts(
        apis=[
            GrpcApi(
                full_name="ntb.scf_exchange.v1.ScfExchangeService",
                add_to_server=partial(
                    scf_exchange_pb2_grpc.add_ScfExchangeServiceServicer_to_server,
                    scf_exchange_pb2_grpc.ScfExchangeServiceServicer(),
                ),
            ),
        ]
    )
