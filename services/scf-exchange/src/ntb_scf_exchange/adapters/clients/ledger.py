"""laborcoin's ledger over gRPC: payments between principals' wallets."""

from __future__ import annotations

import grpc

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_scf_exchange.service.common import derived_id
from ntb_scf_exchange.service.ports import InsufficientFunds, Payment
from ntbkit.errors import FailedPrecondition, Unavailable

TIMEOUT_S = 10.0
_DONE = (pb.CREATE_TRANSFER_RESULT_CODE_OK, pb.CREATE_TRANSFER_RESULT_CODE_EXISTS)
_SHORT = (pb.CREATE_TRANSFER_RESULT_CODE_EXCEEDS_CREDITS,)


class GrpcLedger:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)

    async def _wallet(self, owner_id: str, asset: str) -> str:
        try:
            response = await self._stub.GetAccount(pb.GetAccountRequest(
                owner=pb.AccountOwnerKey(owner_id=owner_id, asset=asset,
                                         kind=pb.ACCOUNT_KIND_WALLET)), timeout=TIMEOUT_S)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                raise FailedPrecondition("WALLET_MISSING",
                                         f"{owner_id} has no {asset} wallet") from error
            raise Unavailable(f"laborcoin: {error.details()}") from error
        return str(response.account.account_id)

    async def pay(self, payments: list[Payment]) -> None:
        transfers = []
        for payment in payments:
            transfers.append(pb.Transfer(
                transfer_id=payment.transfer_id,
                debit_account_id=await self._wallet(payment.payer_id, payment.amount.asset),
                credit_account_id=await self._wallet(payment.payee_id, payment.amount.asset),
                amount=common_pb2.Money(asset=payment.amount.asset, units=payment.amount.units),
                code=pb.TransferCode.Value(f"TRANSFER_CODE_{payment.code.value}"),
                reference=payment.reference))
        request = pb.CreateTransfersRequest(
            request_id=derived_id("batch", *[p.transfer_id for p in payments]),
            transfers=transfers, mode=pb.TRANSFER_BATCH_MODE_ATOMIC)
        try:
            response = await self._stub.CreateTransfers(request, timeout=TIMEOUT_S)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.PERMISSION_DENIED,
                                grpc.StatusCode.FAILED_PRECONDITION,
                                grpc.StatusCode.INVALID_ARGUMENT):
                raise FailedPrecondition("LEDGER_REFUSED",
                                         f"laborcoin: {error.details()}") from error
            raise Unavailable(f"laborcoin: {error.details()}") from error
        codes = [r.code for r in response.results]
        if all(c in _DONE for c in codes):
            return
        if any(c in _SHORT for c in codes):
            raise InsufficientFunds(", ".join(pb.CreateTransferResultCode.Name(c) for c in codes))
        raise FailedPrecondition("LEDGER_REFUSED", ", ".join(
            pb.CreateTransferResultCode.Name(c) for c in codes))
