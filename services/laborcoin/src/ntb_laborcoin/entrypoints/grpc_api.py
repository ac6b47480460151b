"""laborcoin's gRPC API: decode -> use case -> encode, nothing else.

RPCs not listed here answer UNIMPLEMENTED (the generated base class) until built.
"""

from __future__ import annotations

from dataclasses import dataclass

from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_laborcoin.entrypoints import codec
from ntb_laborcoin.service import handlers
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext


@dataclass
class LaborCoinApi(laborcoin_pb2_grpc.LaborCoinServiceServicer):
    new_unit: handlers.NewUnit

    async def GetAccount(
        self, request: pb.GetAccountRequest, context: ServicerContext
    ) -> pb.GetAccountResponse:
        selector = codec.account_selector(request)
        account = await handlers.get_account(self.new_unit, selector, current_caller())
        return pb.GetAccountResponse(account=codec.account(account))
