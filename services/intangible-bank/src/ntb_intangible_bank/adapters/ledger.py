"""The Ledger port over laborcoin's gRPC API: CNY wallet to CNY wallet transfers.

The channel carries intangible-bank's own service token (ntbkit.service_client), so
laborcoin lets it move money for the principals it acts for."""

from __future__ import annotations

import grpc

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as lc
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntbkit.errors import FailedPrecondition, PermissionDenied, Unavailable

CNY = "CNY"
DEADLINE_S = 5.0
_OK = frozenset({lc.CREATE_TRANSFER_RESULT_CODE_OK, lc.CREATE_TRANSFER_RESULT_CODE_EXISTS})
_REASONS = {
    lc.CREATE_TRANSFER_RESULT_CODE_EXCEEDS_CREDITS: "INSUFFICIENT_FUNDS",
    lc.CREATE_TRANSFER_RESULT_CODE_DEBIT_ACCOUNT_NOT_FOUND: "WALLET_NOT_FOUND",
    lc.CREATE_TRANSFER_RESULT_CODE_CREDIT_ACCOUNT_NOT_FOUND: "WALLET_NOT_FOUND",
}


class GrpcLedger:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)

    async def _wallet(self, owner_id: str) -> str:
        request = lc.GetAccountRequest(owner=lc.AccountOwnerKey(
            owner_id=owner_id, asset=CNY, kind=lc.ACCOUNT_KIND_WALLET))
        try:
            response = await self._stub.GetAccount(request, timeout=DEADLINE_S)
        except grpc.aio.AioRpcError as error:
            raise _mapped(error, owner_id) from error
        return response.account.account_id

    async def pay(self, *, transfer_id: str, payer_id: str, payee_id: str, amount_fen: int,
                  code: str, reference: str) -> str:
        assert amount_fen > 0
        transfer = lc.Transfer(
            transfer_id=transfer_id, debit_account_id=await self._wallet(payer_id),
            credit_account_id=await self._wallet(payee_id),
            amount=common_pb2.Money(asset=CNY, units=amount_fen),
            code=lc.TransferCode.Value(f"TRANSFER_CODE_{code}"), reference=reference)
        try:
            response = await self._stub.CreateTransfers(
                lc.CreateTransfersRequest(request_id=transfer_id, transfers=[transfer]),
                timeout=DEADLINE_S)
        except grpc.aio.AioRpcError as error:
            raise _mapped(error, payer_id) from error
        result = response.results[0]
        if result.code in _OK:
            return transfer_id
        reason = _REASONS.get(result.code, "LEDGER_REFUSED")
        raise FailedPrecondition(reason, f"laborcoin refused the transfer: "
                                 f"{lc.CreateTransferResultCode.Name(result.code)}",
                                 {"transfer_id": transfer_id})


def _mapped(error: grpc.aio.AioRpcError, owner_id: str) -> Exception:
    if error.code() == grpc.StatusCode.NOT_FOUND:
        return FailedPrecondition("WALLET_NOT_FOUND", f"{owner_id} has no CNY wallet on "
                                  "laborcoin", {"principal_id": owner_id})
    if error.code() == grpc.StatusCode.PERMISSION_DENIED:
        return PermissionDenied(f"laborcoin: {error.details()}")
    return Unavailable(f"laborcoin: {error.code().name}")


class UnconfiguredLedger:
    """Until the service has credentials for laborcoin, payments fail honestly."""

    async def pay(self, *, transfer_id: str, payer_id: str, payee_id: str, amount_fen: int,
                  code: str, reference: str) -> str:
        raise Unavailable("intangible-bank has no service credentials for laborcoin "
                          "(set SERVICE_CLIENT_ID / SERVICE_CLIENT_SECRET)")
