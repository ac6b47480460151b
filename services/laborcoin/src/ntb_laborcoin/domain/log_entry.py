"""A transfer's leaf in the verifiable log: canonical bytes anyone can re-derive."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ntb_laborcoin.domain.transfers import Transfer

LOG_ORIGIN = "ntb.laborcoin/transfers"
_PREFIX = b"ntb-transfer-v1\n"


def canonical_bytes(transfer: Transfer) -> bytes:
    """Sorted-key JSON of every field of the transfer, times in UTC to the microsecond.

    A changed byte in any stored field changes the leaf hash, so the inclusion proof
    of the altered transfer no longer verifies against the signed checkpoint.
    """
    fields = {
        "transfer_id": transfer.transfer_id,
        "debit_account_id": transfer.debit_account_id,
        "credit_account_id": transfer.credit_account_id,
        "asset": transfer.asset,
        "amount": transfer.amount,
        "code": transfer.code,
        "kind": transfer.kind.value,
        "pending_id": transfer.pending_id,
        "timeout_s": transfer.timeout_s,
        "expires_at": _utc(transfer.expires_at),
        "reference": transfer.reference,
        "memo": transfer.memo,
        "created_at": _utc(transfer.created_at),
    }
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _PREFIX + body.encode()


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
