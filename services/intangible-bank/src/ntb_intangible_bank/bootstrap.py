"""Composition root of intangible-bank.

Its RPCs answer UNIMPLEMENTED (the generated base servicer) until its issue lands;
the process still runs the whole runtime: migrations, outbox relay, health, metrics.
"""

from __future__ import annotations

from functools import partial

from ntb.intangible_bank.v1 import intangible_bank_pb2_grpc
from ntbkit.grpc.server import GrpcApi
from ntbkit.runtime import Infrastructure, ServiceParts

MIGRATIONS = "ntb_intangible_bank:migrations"


async def build(infrastructure: Infrastructure) -> ServiceParts:
    return ServiceParts(
        apis=[
            GrpcApi(
                full_name="ntb.intangible_bank.v1.IntangibleBankService",
                add_to_server=partial(
                    intangible_bank_pb2_grpc.add_IntangibleBankServiceServicer_to_server,
                    intangible_bank_pb2_grpc.IntangibleBankServiceServicer(),
                ),
            ),
            GrpcApi(
                full_name="ntb.intangible_bank.v1.PatentBankService",
                add_to_server=partial(
                    intangible_bank_pb2_grpc.add_PatentBankServiceServicer_to_server,
                    intangible_bank_pb2_grpc.PatentBankServiceServicer(),
                ),
            ),
        ]
    )
