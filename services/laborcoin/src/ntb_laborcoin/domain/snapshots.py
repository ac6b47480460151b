"""Transfers and results as JSON bytes: what an idempotent retry gets back verbatim."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ntb_laborcoin.domain.transfers import ResultCode, Transfer, TransferKind, TransferResult


def transfer_to_dict(transfer: Transfer) -> dict[str, Any]:
    return {
        "transfer_id": transfer.transfer_id, "debit_account_id": transfer.debit_account_id,
        "credit_account_id": transfer.credit_account_id, "asset": transfer.asset,
        "amount": transfer.amount, "code": transfer.code, "kind": transfer.kind.value,
        "created_at": transfer.created_at.isoformat(), "pending_id": transfer.pending_id,
        "timeout_s": transfer.timeout_s,
        "expires_at": transfer.expires_at.isoformat() if transfer.expires_at else None,
        "reference": transfer.reference, "memo": transfer.memo,
    }


def transfer_from_dict(data: dict[str, Any]) -> Transfer:
    expires_at = data["expires_at"]
    return Transfer(
        transfer_id=data["transfer_id"], debit_account_id=data["debit_account_id"],
        credit_account_id=data["credit_account_id"], asset=data["asset"],
        amount=data["amount"], code=data["code"], kind=TransferKind(data["kind"]),
        created_at=datetime.fromisoformat(data["created_at"]), pending_id=data["pending_id"],
        timeout_s=data["timeout_s"],
        expires_at=datetime.fromisoformat(expires_at) if expires_at else None,
        reference=data["reference"], memo=data["memo"],
    )


def results_to_bytes(results: list[TransferResult]) -> bytes:
    return json.dumps([
        {"index": r.index, "transfer_id": r.transfer_id, "code": r.code.value,
         "transfer": transfer_to_dict(r.transfer) if r.transfer else None}
        for r in results
    ]).encode()


def results_from_bytes(stored: bytes) -> list[TransferResult]:
    return [
        TransferResult(
            index=item["index"], transfer_id=item["transfer_id"],
            code=ResultCode(item["code"]),
            transfer=transfer_from_dict(item["transfer"]) if item["transfer"] else None,
        )
        for item in json.loads(stored)
    ]
