"""Posting and voiding one pending transfer (the two-phase escrow's second phase)."""

from __future__ import annotations

from ntb_laborcoin.domain.transfers import Transfer, TransferKind, TransferRequest
from ntb_laborcoin.service.ledger import CreateTransfers, create_transfers
from ntb_laborcoin.service.unit_of_work import NewUnit
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition


async def resolve_pending(
    new_unit: NewUnit,
    caller: Caller,
    *,
    request_id: str,
    transfer_id: str,
    pending_id: str,
    post: bool,
    amount: int = 0,
    asset: str = "",
    reference: str = "",
    memo: str = "",
) -> Transfer:
    request = TransferRequest(
        transfer_id=transfer_id or request_id, debit_account_id="", credit_account_id="",
        asset=asset, amount=amount, code="",
        kind=TransferKind.POST_PENDING if post else TransferKind.VOID_PENDING,
        pending_id=pending_id, reference=reference, memo=memo,
    )
    [result] = await create_transfers(
        new_unit, CreateTransfers(request_id, (request,)), caller)
    if not result.code.succeeded or result.transfer is None:
        raise FailedPrecondition(
            result.code.value, f"cannot {'post' if post else 'void'} pending transfer "
            f"{pending_id}: {result.code.value}", {"pending_id": pending_id})
    return result.transfer
