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


# Stored answers are rows (lists) rather than objects: half the bytes and half the
# encoding time of the objects stored before, which are still read.
_TRANSFER_ROW = ("transfer_id", "debit_account_id", "credit_account_id", "asset", "amount",
                 "code", "kind", "created_at", "pending_id", "timeout_s", "expires_at",
                 "reference", "memo")


def _transfer_row(t: Transfer) -> list[Any]:
    return [t.transfer_id, t.debit_account_id, t.credit_account_id, t.asset, t.amount, t.code,
            t.kind.value, t.created_at.isoformat(), t.pending_id, t.timeout_s,
            t.expires_at.isoformat() if t.expires_at else None, t.reference, t.memo]


def results_to_bytes(results: list[TransferResult]) -> bytes:
    """`[index, transfer_id, code, transfer row or null]` per result."""
    return json.dumps([
        [r.index, r.transfer_id, r.code.value, _transfer_row(r.transfer) if r.transfer else None]
        for r in results
    ], separators=(",", ":")).encode()


def results_from_bytes(stored: bytes) -> list[TransferResult]:
    return [_result(item) if isinstance(item, list) else _result_stored_as_object(item)
            for item in json.loads(stored)]


def _result(item: list[Any]) -> TransferResult:
    index, transfer_id, code, row = item
    return TransferResult(
        index=index, transfer_id=transfer_id, code=ResultCode(code),
        transfer=transfer_from_dict(dict(zip(_TRANSFER_ROW, row, strict=True))) if row else None)


def _result_stored_as_object(item: dict[str, Any]) -> TransferResult:
    return TransferResult(
        index=item["index"], transfer_id=item["transfer_id"], code=ResultCode(item["code"]),
        transfer=transfer_from_dict(item["transfer"]) if item["transfer"] else None,
    )
