"""Anchors: digests other services seal into the verifiable log (gene maps, payables)."""

from __future__ import annotations

from ntb_laborcoin.domain.log_entry import Anchor
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork
from ntbkit.errors import FailedPrecondition


async def record_anchor(unit: LaborCoinUnitOfWork, anchor: Anchor) -> None:
    """Once per anchor id: the sealer appends it with the next seal."""
    existing = await unit.log.add_anchor(anchor)
    if existing is not None and not existing.same_request(anchor):
        # The id was anchored with another digest: the log keeps the first, never both.
        raise FailedPrecondition("ANCHOR_ID_REUSED", "anchor id already sealed a different "
                                 "digest", {"anchor_id": anchor.anchor_id})
