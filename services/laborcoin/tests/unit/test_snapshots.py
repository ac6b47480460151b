"""Stored answers: what a retried CreateTransfers gets back, byte for byte the first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from ntb_laborcoin.domain.snapshots import (
    results_from_bytes,
    results_to_bytes,
    transfer_to_dict,
)
from ntb_laborcoin.domain.transfers import ResultCode, Transfer, TransferKind, TransferResult

_AT = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)


def _results() -> list[TransferResult]:
    posted = Transfer("t-1", "a-1", "a-2", "CNY", 250, "PAYMENT", TransferKind.POSTED, _AT,
                      reference="order 7, \"rush\"", memo="学费")
    pending = Transfer("t-2", "a-2", "a-3", "LBC", 9, "ESCROW", TransferKind.PENDING, _AT,
                       timeout_s=60, expires_at=_AT + timedelta(seconds=60))
    return [TransferResult(0, "t-1", ResultCode.OK, posted),
            TransferResult(1, "t-2", ResultCode.EXISTS, pending),
            TransferResult(2, "t-3", ResultCode.EXCEEDS_CREDITS)]


def test_results_come_back_as_they_were_stored() -> None:
    assert results_from_bytes(results_to_bytes(_results())) == _results()


def test_results_stored_as_objects_before_are_still_read() -> None:
    stored = json.dumps([
        {"index": r.index, "transfer_id": r.transfer_id, "code": r.code.value,
         "transfer": transfer_to_dict(r.transfer) if r.transfer else None}
        for r in _results()]).encode()

    assert results_from_bytes(stored) == _results()


def test_a_result_is_one_row_not_an_object() -> None:
    stored = json.loads(results_to_bytes(_results()))

    assert stored[2] == [2, "t-3", "EXCEEDS_CREDITS", None]
    assert stored[0][3][:3] == ["t-1", "a-1", "a-2"]
