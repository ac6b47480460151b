"""The LedgerGateway port over laborcoin's gRPC API (service credentials on the channel).

Answers are sorted into the saga's two kinds: a rule refusing the call (FAILED_PRECONDITION
with its ErrorInfo reason, NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, or a per-transfer
result code) is `LedgerRefused`; no answer or a failure that may be temporary
(UNAVAILABLE, DEADLINE_EXCEEDED, auth not yet ready, INTERNAL) is `LedgerUnavailable`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from decimal import Decimal
from typing import TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_matching.service.ledger_gateway import (
    EscrowSettled,
    LedgerRefused,
    LedgerUnavailable,
    PurchaseResult,
    Quote,
)
from ntbkit.errors import Unavailable

PLATFORM = "platform"
_REFUSALS = {grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND,
             grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.INVALID_ARGUMENT}
_SUCCEEDED = {pb.CREATE_TRANSFER_RESULT_CODE_OK, pb.CREATE_TRANSFER_RESULT_CODE_EXISTS}
_PENDING_STATUS = {pb.PENDING_STATUS_PENDING: "PENDING", pb.PENDING_STATUS_POSTED: "POSTED",
                   pb.PENDING_STATUS_VOIDED: "VOIDED", pb.PENDING_STATUS_EXPIRED: "EXPIRED"}
T = TypeVar("T")


def _reason(error: grpc.aio.AioRpcError) -> str:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    if status is not None:
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                return str(info.reason)
    return error.code().name


async def _answer(call: Awaitable[T]) -> T:
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        if error.code() in _REFUSALS:
            raise LedgerRefused(_reason(error), str(error.details())) from error
        raise LedgerUnavailable(f"{error.code().name}: {error.details()}") from error
    except Unavailable as error:  # no service token: identity did not answer
        raise LedgerUnavailable(str(error)) from error


class GrpcLedgerGateway:
    def __init__(self, channel: grpc.aio.Channel, *, timeout_s: float = 10.0) -> None:
        self._stub = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        self._timeout_s = timeout_s
        self._escrow_account_id = ""

    async def _account(self, owner_id: str, asset: str, kind: int) -> pb.Account:
        found = await _answer(self._stub.GetAccount(pb.GetAccountRequest(
            owner=pb.AccountOwnerKey(owner_id=owner_id, asset=asset, kind=kind)),  # type: ignore[arg-type]
            timeout=self._timeout_s))
        return found.account

    async def lbc_wallet(self, owner_id: str) -> str:
        return (await self._account(owner_id, "LBC", pb.ACCOUNT_KIND_WALLET)).account_id

    async def quote(self, buyer_id: str) -> Quote:
        wallet = await self._account(buyer_id, "LBC", pb.ACCOUNT_KIND_WALLET)
        price = await _answer(self._stub.GetCoinPrice(pb.GetCoinPriceRequest(),
                                                      timeout=self._timeout_s))
        available = wallet.credits_posted - wallet.debits_posted - wallet.debits_pending
        return Quote(Decimal(price.price.price.value), available, wallet.account_id)

    async def purchase_for_order(self, *, request_id: str, buyer_id: str, pay_fen: int,
                                 order_id: str, max_price: Decimal) -> PurchaseResult:
        done = await _answer(self._stub.PurchaseCoins(pb.PurchaseCoinsRequest(
            request_id=request_id, buyer_id=buyer_id,
            pay=common_pb2.Money(asset="CNY", units=pay_fen),
            purpose=pb.PURCHASE_PURPOSE_ORDER_PAYMENT, order_id=order_id,
            max_price=common_pb2.Decimal(value=str(max_price))), timeout=self._timeout_s))
        p = done.purchase
        return PurchaseResult(p.paid.units, p.received.units, Decimal(p.price.value))

    async def _escrow(self) -> str:
        if not self._escrow_account_id:
            self._escrow_account_id = (await self._account(
                PLATFORM, "LBC", pb.ACCOUNT_KIND_ESCROW)).account_id
        return self._escrow_account_id

    async def create_escrow(self, *, request_id: str, transfer_id: str, payer_wallet_id: str,
                            units: int, timeout_s: int, reference: str) -> None:
        escrow = await self._escrow()
        answer = await _answer(self._stub.CreateTransfers(pb.CreateTransfersRequest(
            request_id=request_id, transfers=[pb.Transfer(
                transfer_id=transfer_id, debit_account_id=payer_wallet_id,
                credit_account_id=escrow, amount=common_pb2.Money(asset="LBC", units=units),
                timeout_s=timeout_s, code=pb.TRANSFER_CODE_ORDER_ESCROW,
                flags=pb.TransferFlags(pending=True), reference=reference)]),
            timeout=self._timeout_s))
        [result] = answer.results
        if result.code not in _SUCCEEDED:
            raise LedgerRefused(pb.CreateTransferResultCode.Name(result.code).removeprefix(
                "CREATE_TRANSFER_RESULT_CODE_"))

    async def settle_escrow(self, *, request_id: str, pending_id: str, payee_wallet_id: str,
                            gross_units: int, reference: str) -> EscrowSettled:
        request = pb.SettleEscrowRequest(request_id=request_id, pending_id=pending_id,
                                         payee_account_id=payee_wallet_id, reference=reference)
        if gross_units:
            request.payee_gross.CopyFrom(common_pb2.Money(asset="LBC", units=gross_units))
        s = (await _answer(self._stub.SettleEscrow(request, timeout=self._timeout_s))).settlement
        return EscrowSettled(s.gross.units, s.fee.units, s.net.units, s.retired.units,
                             s.refunded.units, tuple(s.transfer_ids),
                             Decimal(s.price_after.value))

    async def void_escrow(self, *, request_id: str, pending_id: str, reason: str) -> None:
        await _answer(self._stub.VoidPendingTransfer(pb.VoidPendingTransferRequest(
            request_id=request_id, pending_id=pending_id, reason=reason[:500]),
            timeout=self._timeout_s))

    async def pending_status(self, transfer_id: str) -> str:
        try:
            found = await _answer(self._stub.GetTransfer(pb.GetTransferRequest(
                transfer_id=transfer_id), timeout=self._timeout_s))
        except LedgerRefused as refused:
            if refused.reason == "NOT_FOUND":
                return "NOT_FOUND"
            raise
        return _PENDING_STATUS.get(found.transfer.pending_status, "NOT_PENDING")
