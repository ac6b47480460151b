"""Credit sharing: splitting a payable conserves face exactly, at every tier, and the
anchored digest is recomputable from the record."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.payables import (
    Payable,
    PayableStatus,
    Split,
    confirm_invoice,
    split_payable,
)
from ntbkit.errors import FailedPrecondition

AT = datetime(2026, 1, 5, tzinfo=UTC)
TODAY = AT.date()
MATURITY = date(2026, 4, 5)


def ids(n: int) -> tuple[str, ...]:
    return tuple(str(uuid.uuid4()) for _ in range(n))


def root(units: int) -> Payable:
    payable, _ = confirm_invoice(payable_id=str(uuid.uuid4()), invoice_id=str(uuid.uuid4()),
                                 obligor_id="core", holder_id="tier1", face=Money("CNY", units),
                                 maturity_date=MATURITY, anchor_id=str(uuid.uuid4()), at=AT)
    return payable


def split(parent: Payable, amounts: list[int], recipients: list[str] | None = None
          ) -> tuple[Payable, tuple[Payable, ...]]:
    names = recipients or [f"{parent.holder_id}-s{i}" for i in range(len(amounts))]
    splits = tuple(Split(n, a) for n, a in zip(names, amounts, strict=True))
    done, children, _ = split_payable(parent, splits, child_ids=ids(len(splits) + 1),
                                      anchor_id=str(uuid.uuid4()), today=TODAY, at=AT)
    return done, children


@settings(max_examples=200, deadline=None)
@given(face=st.integers(1, 10**12), data=st.data())
def test_the_pieces_always_sum_to_the_original_down_three_tiers(face: int,
                                                                data: st.DataObject) -> None:
    leaves: list[Payable] = []
    frontier = [root(face)]
    for _ in range(3):  # tier 1 -> 2 -> 3 -> 4
        next_frontier = []
        for parent in frontier:
            n = data.draw(st.integers(1, 4))
            cuts = sorted(data.draw(st.lists(st.integers(0, parent.face.units), min_size=n,
                                             max_size=n)))
            amounts = [b - a for a, b in zip([0, *cuts], cuts, strict=False)]
            amounts = [a for a in amounts if a > 0] or [parent.face.units]
            done, children = split(parent, amounts)
            assert done.status is PayableStatus.SPLIT
            assert sum(c.face.units for c in children) == parent.face.units
            next_frontier.extend(c for c in children if c.holder_id != parent.holder_id)
            leaves.extend(c for c in children if c.holder_id == parent.holder_id)
        frontier = next_frontier
    leaves.extend(frontier)
    assert sum(p.face.units for p in leaves) == face
    assert all(p.face.units > 0 for p in leaves)


def test_a_split_passes_a_part_down_a_tier_and_keeps_the_rest() -> None:
    parent = root(1_000_000_00)
    _, children = split(parent, [400_000_00], ["tier2"])
    assert [(c.holder_id, c.tier, c.face.units) for c in children] == [
        ("tier2", 2, 400_000_00), ("tier1", 1, 600_000_00)]
    assert {c.root_payable_id for c in children} == {parent.payable_id}


def test_splits_beyond_face_or_to_oneself_or_after_maturity_are_refused() -> None:
    parent = root(100)
    with pytest.raises(FailedPrecondition) as raised:
        split(parent, [60, 41])
    assert raised.value.reason == "SPLITS_EXCEED_FACE"
    with pytest.raises(FailedPrecondition) as raised:
        split(parent, [10], ["tier1"])
    assert raised.value.reason == "RECIPIENT_IS_HOLDER"
    with pytest.raises(FailedPrecondition) as raised:
        split_payable(parent, (Split("x", 1),), child_ids=ids(2), anchor_id="a",
                      today=MATURITY, at=AT)
    assert raised.value.reason == "PAYABLE_MATURED"
    done, _ = split(parent, [50])
    with pytest.raises(FailedPrecondition) as raised:
        split(done, [10])
    assert raised.value.reason == "PAYABLE_NOT_OUTSTANDING"


def test_the_anchored_digest_is_recomputable_from_the_children() -> None:
    parent = root(900)
    _, children = split(parent, [300], ["tier2"])
    body = {"asset": "CNY", "children": [
        {"holder_id": c.holder_id, "payable_id": c.payable_id, "units": c.face.units}
        for c in children], "maturity_date": "2026-04-05", "obligor_id": "core",
        "operation": "split", "parent_payable_id": parent.payable_id,
        "root_payable_id": parent.payable_id}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    assert children[0].anchor_digest == hashlib.sha256(canonical).digest()
    assert children[0].anchor_digest == children[1].anchor_digest
