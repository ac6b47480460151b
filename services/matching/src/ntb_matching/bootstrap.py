"""Composition root of matching.

Its RPCs answer UNIMPLEMENTED (the generated base servicer) until its issue lands;
the process still runs the whole runtime: migrations, outbox relay, health, metrics.
"""

from __future__ import annotations

from functools import partial

from ntb.matching.v1 import matching_pb2_grpc
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import Infrastructure, ServiceParts

MIGRATIONS = "ntb_matching:migrations"


async def build(infrastructure: Infrastructure) -> ServiceParts:
    return ServiceParts(
        apis=[
            GrpcApi(
                full_name="ntb.matching.v1.MatchingService",
                add_to_server=partial(
                    matching_pb2_grpc.add_MatchingServiceServicer_to_server,
                    matching_pb2_grpc.MatchingServiceServicer(),
                ),
            ),
        ]
    )
