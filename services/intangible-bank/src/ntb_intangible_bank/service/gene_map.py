"""Appending to an asset's gene map inside the unit of work that made the change;
the entry's digest goes out as an anchor request in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from ntb_intangible_bank.domain.events import GeneEntryRecorded
from ntb_intangible_bank.domain.gene import ZERO_SHA256, GeneEntry, GeneEventKind, subject_digest
from ntb_intangible_bank.service.unit_of_work import IntangibleBankUnitOfWork
from ntbkit.documents import dump

SOURCE = "intangible-bank"


async def record(unit: IntangibleBankUnitOfWork, asset_id: str, kind: GeneEventKind, *,
                 actor_id: str, summary: str, subject_id: str, subject: object,
                 at: datetime) -> GeneEntry:
    """The caller holds the asset's row lock, so sequences never race."""
    last = await unit.gene.last(asset_id)
    entry = GeneEntry(
        asset_id=asset_id, sequence=1 if last is None else last.sequence + 1, kind=kind,
        occurred_at=at, actor_id=actor_id, summary=summary[:500], subject_id=subject_id,
        subject_sha256=subject_digest(dump(subject)),
        previous_entry_sha256=ZERO_SHA256 if last is None else last.entry_sha256,
        anchor_id=str(uuid.uuid4()))
    await unit.gene.add(entry)
    unit.record(GeneEntryRecorded(entry, SOURCE))
    return entry
